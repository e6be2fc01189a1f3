"""The real content under courses/content/ is loaded after migrate: one course per service standard
and per score part, each with at least three lessons and a quiz in both languages, and the tips."""

import pytest

from complaints.models import HelpRequest, ServiceStandard
from courses.content import CONTENT_DIR, load_course_content
from courses.markdown import render_markdown
from courses.models import Course, Tip
from scoring import hooks
from scoring.evaluation.metrics import METRICS

pytestmark = pytest.mark.django_db

PARTS = ["product", "dispatch", "logistics", "basic_service"]


def test_one_course_per_standard_and_part():
    standards = list(ServiceStandard.objects.values_list("code", flat=True))
    assert len(standards) == 8
    codes = set(Course.objects.filter(published=True).values_list("code", flat=True))
    assert codes >= {f"std_{s}" for s in standards} | {f"part_{p}" for p in PARTS}
    for code in standards:
        assert list(Course.objects.get(code=f"std_{code}").standards.values_list("code", flat=True)) == [code]
    for part in PARTS:
        assert part in Course.objects.get(code=f"part_{part}").parts


def test_every_course_has_three_lessons_and_a_quiz_in_both_languages():
    courses = list(Course.objects.prefetch_related("lessons", "questions__choices"))
    assert len(courses) >= 12
    for course in courses:
        assert all([course.title_zh, course.title_en, course.summary_zh, course.summary_en]), course.code
        lessons = list(course.lessons.all())
        assert len(lessons) >= 3, course.code
        for lesson in lessons:
            assert all([lesson.title_zh.strip(), lesson.title_en.strip()]), (course.code, lesson.position)
            for body in (lesson.body_zh, lesson.body_en):
                html = str(render_markdown(body))
                assert len(html) > 200, (course.code, lesson.position)
                assert "lorem" not in body.lower()
        questions = list(course.questions.all())
        assert questions, course.code
        assert 0 < course.pass_mark <= 100
        for question in questions:
            choices = list(question.choices.all())
            assert question.text_zh.strip()
            assert question.text_en.strip()
            assert all(c.text_zh.strip() and c.text_en.strip() for c in choices)
            right = sum(c.correct for c in choices)
            assert right == 1 if question.kind == "single" else right >= 1, (course.code, question.position)


def test_a_tip_for_every_dispute_prone_scenario_starting_with_urge_dispatch():
    scenarios = [s for s in HelpRequest.Scenario.values if s != "other"]
    assert list(Tip.objects.values_list("scenario", flat=True)) == scenarios
    assert scenarios[0] == "urge_dispatch"
    for tip in Tip.objects.all():
        for field in ("title", "rule", "suggestions", "reply_example"):
            assert getattr(tip, f"{field}_zh").strip(), (tip.scenario, field)
            assert getattr(tip, f"{field}_en").strip(), (tip.scenario, field)


def test_reloading_the_real_content_changes_nothing():
    result = load_course_content(CONTENT_DIR)
    assert result.created == []
    assert result.updated == []
    assert len(result.unchanged) == Course.objects.count() + Tip.objects.count()


def test_every_metric_the_evaluation_can_fail_has_a_course():
    """The evaluation calls scoring.hooks with its own metric codes: each must find a seeded course,
    or a failed month would assign nothing."""
    assert set(METRICS) == {"fault_complaint_rate", "dsr_mean", "refund_dispute_rate"}
    for code in METRICS:
        assert hooks.course_for(code) is not None, code
