"""Courses in a real browser, in zh-hans and en: catalogue, a lesson, the quiz, tips, staff statistics."""

import pytest

from courses import services
from courses.models import Course, Enrolment

from .conftest import login

pytestmark = pytest.mark.browser


def _answer_quiz(page, course, *, right=True):
    for question in course.questions.prefetch_related("choices").order_by("position"):
        for choice in question.choices.all():
            if choice.correct == right:
                page.check(f'input[name="q{question.pk}"][value="{choice.pk}"]')
                if question.kind == "single" or not right:
                    break


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("zh-hans", {"nav": "课程", "enrol": "报名学习", "passed": "已通过", "done": "已完成本课程"}),
        (
            "en",
            {
                "nav": "Courses",
                "enrol": "Enrol",
                "passed": "Passed",
                "done": "You have completed this course.",
            },
        ),
    ],
)
def test_owner_takes_a_course_from_the_catalogue_to_the_quiz(
    browser_page, owner_a, merchant_a, language, texts
):
    course = Course.objects.get(code="std_logistics")
    page = login(browser_page, "owner_a")
    if language == "en":
        with page.expect_navigation():
            page.select_option("select[name=language]", "en")

    page.click('nav a[href="/office/courses/"]')
    page.wait_for_url("**/office/courses/")
    assert (
        course.title_zh
        if language == "zh-hans"
        else course.title_en in page.locator("#course-list").inner_text()
    )
    page.click('a[href="/office/courses/std_logistics/"]')
    with page.expect_navigation():
        page.click("#enrol")
    assert Enrolment.objects.filter(user=owner_a, course=course).exists()

    lessons = list(course.lessons.order_by("position"))
    page.click("#continue")
    for lesson in lessons:
        page.wait_for_url(f"**/lessons/{lesson.position}/")
        title = lesson.title_zh if language == "zh-hans" else lesson.title_en
        assert title in page.locator("h1").inner_text()
        assert page.locator("#lesson-body script").count() == 0
        with page.expect_navigation():
            page.click("#complete-lesson")

    page.goto("/office/courses/std_logistics/quiz/")
    _answer_quiz(page, course, right=False)
    with page.expect_navigation():
        page.click("#submit-quiz")
    assert texts["passed"] not in page.locator("#quiz-result").inner_text()
    _answer_quiz(page, course)
    # uncheck the wrong boxes the failed attempt left checked (multiple choice)
    for question in course.questions.filter(kind="multiple"):
        for choice in question.choices.filter(correct=False):
            page.uncheck(f'input[name="q{question.pk}"][value="{choice.pk}"]')
    with page.expect_navigation():
        page.click("#submit-quiz")
    result = page.locator("#quiz-result").inner_text()
    assert texts["passed"] in result
    assert texts["done"] in result
    assert Enrolment.objects.get(user=owner_a, course=course).completed_at is not None
    page.screenshot(path=f"/tmp/courses-quiz-{language}.png", full_page=True)


def test_assigned_course_on_the_dashboard_and_tips(login_as, owner_a, merchant_a):
    services.assignment_for_failed_metric(
        merchant_id=merchant_a.pk, metric_code="fault_complaint_rate", period="2026-10"
    )
    page = login_as(owner_a)
    assert page.locator("#dashboard-assigned-courses").is_visible()
    page.click('nav a[href="/office/courses/tips/"]')
    page.wait_for_url("**/office/courses/tips/")
    page.click('a[href="/office/courses/tips/urge_dispatch/"]')
    page.wait_for_url("**/tips/urge_dispatch/")
    assert page.locator("#tip-reply").is_visible()
    page.screenshot(path="/tmp/courses-tip-zh.png", full_page=True)


def test_staff_sees_completion_statistics(login_as, staff_ops, owner_a, merchant_a):
    course = Course.objects.get(code="part_dispatch")
    services.enrolment_start(user=owner_a, merchant_id=merchant_a.pk, course_id=course.pk)
    page = login_as(staff_ops)
    page.click('nav a[href="/staff/courses/"]')
    page.wait_for_url("**/staff/courses/")
    assert "part_dispatch" in page.locator("#course-statistics").inner_text()
    assert page.locator("#category-statistics tbody tr").count() >= 1
    page.screenshot(path="/tmp/courses-staff-zh.png", full_page=True)
