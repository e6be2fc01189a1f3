"""Merchant course API: list, detail, lesson, enrolment, completion, quiz submission, progress, tips."""

import pytest

from courses import services
from courses.models import Enrolment, LessonCompletion, QuizAttempt

pytestmark = pytest.mark.django_db


def _right(course):
    return {
        str(q.pk): [c.pk for c in q.choices.all() if c.correct]
        for q in course.questions.prefetch_related("choices")
    }


def test_course_list_with_my_progress(
    api_for, owner_a, merchant_a, logistics, dispatch, django_assert_max_num_queries
):
    services.lesson_complete(user=owner_a, merchant_id=merchant_a.pk, lesson_id=logistics.lessons.first().pk)
    client = api_for(owner_a)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/merchant/courses", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    first = response.json()["results"][0]
    assert first["code"] == "std_logistics"
    assert first["title"] == "The logistics service standard"
    assert first["standards"] == ["logistics"]
    assert first["lesson_count"] == 3
    assert first["question_count"] == 2
    assert first["progress"] == {
        "enrolled": True,
        "lessons_done": 1,
        "lesson_count": 3,
        "quiz_passed": False,
        "best_score": None,
        "completed": False,
        "percent": 25,
    }
    assert response.json()["results"][1]["progress"]["enrolled"] is False


def test_course_detail_hides_the_right_answers(api_for, owner_a, logistics):
    response = api_for(owner_a).get("/api/v1/merchant/courses/std_logistics", HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = response.json()
    assert body["title"] == "物流服务标准"
    assert [lesson["title"] for lesson in body["lessons"]] == ["发货时限", "保留证据", "回复示例"]
    assert body["questions"][1]["kind"] == "multiple"
    assert body["questions"][1]["choices"][0] == {
        "id": logistics.questions.get(position=2).choices.get(position=1).pk,
        "text": "揽收扫描",
    }
    assert "correct" not in str(body)


def test_lesson_html_is_sanitised(api_for, owner_a, logistics):
    body = (
        api_for(owner_a)
        .get("/api/v1/merchant/courses/std_logistics/lessons/2", HTTP_ACCEPT_LANGUAGE="en")
        .json()
    )
    assert body["body_html"] == "<p>Keep the pickup scan and the waybill.</p>"
    assert body["done"] is False


def test_enrol_complete_and_pass(api_for, owner_a, logistics):
    client = api_for(owner_a)
    assert client.post("/api/v1/merchant/courses/std_logistics/enrolment").status_code == 201
    assert client.post("/api/v1/merchant/courses/std_logistics/enrolment").status_code == 200
    for position in (1, 2, 3):
        response = client.post(f"/api/v1/merchant/courses/std_logistics/lessons/{position}/completion")
        assert response.status_code == 200
    response = client.post(
        "/api/v1/merchant/courses/std_logistics/quiz", {"answers": _right(logistics)}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert {
        k: body[k]
        for k in ("correct_count", "question_count", "score", "pass_mark", "passed", "course_completed")
    } == {
        "correct_count": 2,
        "question_count": 2,
        "score": 100,
        "pass_mark": 60,
        "passed": True,
        "course_completed": True,
    }
    assert Enrolment.objects.get(user=owner_a).completed_at is not None


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"answers": "all of them"},
        {"answers": {"1": "x"}},
        {"answers": {}},
        [1, 2],
        {"answers": {"99999999": [1]}},
    ],
)
def test_bad_quiz_answers_are_400_in_our_error_shape(api_for, owner_a, logistics, payload):
    response = api_for(owner_a).post("/api/v1/merchant/courses/std_logistics/quiz", payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] in {"invalid_answers", "invalid"}
    assert body["fields"]
    assert QuizAttempt.objects.count() == 0
    assert Enrolment.objects.count() == 0


def test_single_choice_with_two_answers_names_the_question(api_for, owner_a, logistics):
    answers = _right(logistics)
    q1 = logistics.questions.get(position=1)
    answers[str(q1.pk)] = [c.pk for c in q1.choices.all()]
    response = api_for(owner_a).post(
        "/api/v1/merchant/courses/std_logistics/quiz", {"answers": answers}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_answers",
        "message": "Some answers are missing or invalid.",
        "fields": {str(q1.pk): ["Choose exactly one answer."]},
    }


def test_missing_course_and_lesson_are_404(api_for, owner_a, logistics):
    client = api_for(owner_a)
    assert client.get("/api/v1/merchant/courses/nope").status_code == 404
    assert (
        client.post("/api/v1/merchant/courses/nope/quiz", {"answers": {}}, format="json").status_code == 404
    )
    assert client.get("/api/v1/merchant/courses/std_logistics/lessons/99999999999").status_code == 404
    assert client.post("/api/v1/merchant/courses/std_logistics/lessons/4/completion").status_code == 404
    assert LessonCompletion.objects.count() == 0


def test_shop_progress_is_only_my_shop(api_for, owner_a, merchant_a, owner_b, merchant_b, logistics):
    services.enrolment_start(user=owner_a, merchant_id=merchant_a.pk, course_id=logistics.pk)
    services.enrolment_start(user=owner_b, merchant_id=merchant_b.pk, course_id=logistics.pk)
    services.assignment_for_failed_metric(
        merchant_id=merchant_b.pk, metric_code="fault_complaint_rate", period="2026-10"
    )
    body = api_for(owner_a).get("/api/v1/merchant/courses/progress").json()
    assert [m["username"] for m in body["members"]] == ["owner_a"]
    assert body["assignments"] == []
    body = api_for(owner_b).get("/api/v1/merchant/courses/progress").json()
    assert [m["username"] for m in body["members"]] == ["owner_b"]
    assert [(a["course"], a["metric"], a["period"], a["cleared_at"]) for a in body["assignments"]] == [
        ("std_logistics", "fault_complaint_rate", "2026-10", None)
    ]


def test_tips(api_for, owner_a, content):
    client = api_for(owner_a)
    body = client.get("/api/v1/merchant/tips", HTTP_ACCEPT_LANGUAGE="en").json()
    assert [t["scenario"] for t in body["results"]] == ["urge_dispatch", "refund"]
    tip = client.get("/api/v1/merchant/tips/urge_dispatch", HTTP_ACCEPT_LANGUAGE="en").json()
    assert (
        tip["suggestions_html"]
        == "<ul>\n<li>Tell the shopper when it ships</li>\n<li>Say so early when out of stock</li>\n</ul>"
    )
    assert client.get("/api/v1/merchant/tips/other").status_code == 404


def test_staff_and_anonymous_are_refused(api, api_for, staff_ops, logistics):
    assert api.get("/api/v1/merchant/courses").status_code in (401, 403)
    response = api_for(staff_ops).post("/api/v1/merchant/courses/std_logistics/enrolment")
    assert response.status_code == 403
    assert Enrolment.objects.count() == 0


def test_endpoints_are_in_the_schema(client):
    schema = client.get("/api/schema/").content.decode()
    for path in (
        "/api/v1/merchant/courses/{code}/quiz",
        "/api/v1/merchant/courses/{code}/enrolment",
        "/api/v1/merchant/courses/{code}/lessons/{position}/completion",
        "/api/v1/merchant/courses/progress",
        "/api/v1/merchant/tips",
    ):
        assert path in schema
