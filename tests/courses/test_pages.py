"""Back-office course pages, tips, the dashboard card and the staff statistics, in both languages."""

import pytest
from django.urls import reverse

from courses import services
from courses.models import Enrolment, LessonCompletion, QuizAttempt

pytestmark = pytest.mark.django_db


def _right(course):
    return {
        str(q.pk): [c.pk for c in q.choices.all() if c.correct]
        for q in course.questions.prefetch_related("choices")
    }


@pytest.fixture
def zh(client):
    client.cookies["django_language"] = "zh-hans"
    return client


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def test_course_list_in_both_languages(client, owner_a, logistics, dispatch, django_assert_max_num_queries):
    client.force_login(owner_a)
    client.cookies["django_language"] = "zh-hans"
    with django_assert_max_num_queries(12):
        html = client.get("/office/courses/").content.decode()
    assert "物流服务标准" in html
    assert "未开始" in html
    client.cookies["django_language"] = "en"
    html = client.get("/office/courses/").content.decode()
    assert "The logistics service standard" in html
    assert "not started" in html


def test_lesson_page_renders_markdown_and_drops_the_script(client, owner_a, logistics):
    client.force_login(owner_a)
    client.cookies["django_language"] = "en"
    html = client.get("/office/courses/std_logistics/lessons/1/").content.decode()
    assert "<h2>Dispatch time limits</h2>" in html
    assert "<strong>24h dispatch</strong>" in html
    html = client.get("/office/courses/std_logistics/lessons/2/").content.decode()
    assert "<p>Keep the pickup scan and the waybill.</p>" in html
    assert "alert(" not in html


def test_completing_lessons_and_quiz_through_the_pages(client, owner_a, merchant_a, logistics):
    client.force_login(owner_a)
    client.cookies["django_language"] = "en"
    response = client.post("/office/courses/std_logistics/lessons/1/complete/")
    assert response.status_code == 302
    assert response["Location"] == "/office/courses/std_logistics/lessons/2/"
    client.post("/office/courses/std_logistics/lessons/2/complete/")
    response = client.post("/office/courses/std_logistics/lessons/3/complete/")
    assert response["Location"] == "/office/courses/std_logistics/"
    assert LessonCompletion.objects.filter(enrolment__user=owner_a).count() == 3

    data = {f"q{q}": c for q, c in _right(logistics).items()}
    html = client.post("/office/courses/std_logistics/quiz/", data).content.decode()
    assert "Passed: 2 of 2 right (100%)." in html
    assert "You have completed this course." in html
    assert Enrolment.objects.get(user=owner_a).completed_at is not None


def test_unanswered_quiz_is_a_400_page_and_records_nothing(client, owner_a, logistics):
    client.force_login(owner_a)
    client.cookies["django_language"] = "zh-hans"
    response = client.post("/office/courses/std_logistics/quiz/", {})
    assert response.status_code == 400
    assert "请回答此题。" in response.content.decode()
    assert QuizAttempt.objects.count() == 0


def test_unknown_course_and_lesson_are_404(client, owner_a, logistics):
    client.force_login(owner_a)
    assert client.get("/office/courses/nope/").status_code == 404
    assert client.get("/office/courses/std_logistics/lessons/9/").status_code == 404
    assert client.post("/office/courses/std_logistics/lessons/9/complete/").status_code == 404
    assert Enrolment.objects.count() == 0


def test_shop_progress_shows_only_my_shop(client, owner_a, merchant_a, owner_b, merchant_b, logistics):
    services.lesson_complete(user=owner_b, merchant_id=merchant_b.pk, lesson_id=logistics.lessons.first().pk)
    services.lesson_complete(user=owner_a, merchant_id=merchant_a.pk, lesson_id=logistics.lessons.first().pk)
    client.force_login(owner_a)
    html = client.get("/office/courses/progress/").content.decode()
    assert "owner_a" in html
    assert "owner_b" not in html


def test_assigned_course_is_on_the_dashboard_until_completed(client, owner_a, merchant_a, logistics):
    services.assignment_for_failed_metric(
        merchant_id=merchant_a.pk, metric_code="fault_complaint_rate", period="2026-10"
    )
    client.force_login(owner_a)
    client.cookies["django_language"] = "en"
    html = client.get("/office/").content.decode()
    assert 'id="dashboard-assigned-courses"' in html
    assert "The logistics service standard" in html
    assert "2026-10 · fault complaint rate" in html
    for lesson in logistics.lessons.all():
        services.lesson_complete(user=owner_a, merchant_id=merchant_a.pk, lesson_id=lesson.pk)
    services.quiz_submit(
        user=owner_a, merchant_id=merchant_a.pk, course_id=logistics.pk, answers=_right(logistics)
    )
    html = client.get("/office/").content.decode()
    assert 'id="dashboard-assigned-courses"' not in html
    assert "You have completed 1 courses; 0 in progress." in html


def test_tips_pages(client, owner_a, content):
    client.force_login(owner_a)
    client.cookies["django_language"] = "zh-hans"
    html = client.get("/office/courses/tips/").content.decode()
    assert "催发货" in html
    html = client.get("/office/courses/tips/urge_dispatch/").content.decode()
    assert "<li>主动告知发货时间</li>" in html
    assert "您好，您的订单将于今天18点前发出。" in html
    assert client.get("/office/courses/tips/nothing/").status_code == 404


def test_staff_statistics_per_course_and_category(
    client, staff_ops, owner_a, merchant_a, owner_b, merchant_b, logistics, django_assert_max_num_queries
):
    for lesson in logistics.lessons.all():
        services.lesson_complete(user=owner_a, merchant_id=merchant_a.pk, lesson_id=lesson.pk)
    services.quiz_submit(
        user=owner_a, merchant_id=merchant_a.pk, course_id=logistics.pk, answers=_right(logistics)
    )
    services.enrolment_start(user=owner_b, merchant_id=merchant_b.pk, course_id=logistics.pk)
    client.force_login(staff_ops)
    client.cookies["django_language"] = "en"
    with django_assert_max_num_queries(10):
        response = client.get(reverse("staff:course-statistics"))
    html = response.content.decode()
    row = html.split('id="course-statistics"')[1].split("std_logistics")[1].split("</tr>")[0]
    assert [cell.split(">")[-1] for cell in row.split("</td>")[1:6]] == ["3", "2", "1", "50%", "1"]
    categories = html.split('id="category-statistics"')[1]
    assert "Large appliances" in categories
    assert "3C digital" in categories or "Digital" in categories


def test_merchant_cannot_open_staff_statistics_and_staff_has_no_back_office(
    client, owner_a, staff_ops, content
):
    client.force_login(owner_a)
    assert client.get("/staff/courses/").status_code == 403
    client.force_login(staff_ops)
    assert client.get("/office/courses/").status_code == 403
