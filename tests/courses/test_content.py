"""The YAML loader: upsert by code, idempotent, keeps staff edits until the file changes, rejects bad files."""

import shutil

import pytest
from django.core.management import call_command

from courses.content import ContentError, load_course_content
from courses.models import Choice, Course, Lesson, Question, Tip

from .conftest import FIXTURE_CONTENT

pytestmark = pytest.mark.django_db


def test_loads_courses_lessons_quiz_and_tips(content):
    course = Course.objects.get(code="std_logistics")
    assert course.title_zh == "物流服务标准"
    assert course.title_en == "The logistics service standard"
    assert [s.code for s in course.standards.all()] == ["logistics"]
    assert course.parts == ["logistics"]
    assert course.metrics == ["fault_complaint_rate"]
    assert course.pass_mark == 60
    assert list(course.lessons.values_list("position", "title_en")) == [
        (1, "Dispatch time limits"),
        (2, "Keep the evidence"),
        (3, "A reply example"),
    ]
    questions = list(course.questions.order_by("position"))
    assert [q.kind for q in questions] == ["single", "multiple"]
    assert list(questions[1].choices.values_list("text_en", "correct")) == [
        ("The pickup scan", True),
        ("The waybill", True),
        ("A shop notice", False),
    ]
    assert list(Tip.objects.values_list("scenario", "sort_order")) == [("urge_dispatch", 0), ("refund", 6)]
    # standards first, then score parts
    assert list(Course.objects.values_list("code", flat=True)) == ["std_logistics", "part_dispatch"]


def test_second_load_changes_nothing(content):
    before = {
        "courses": list(Course.objects.values_list("id", "updated_at")),
        "lessons": list(Lesson.objects.values_list("id", "updated_at")),
        "choices": list(Choice.objects.values_list("id", flat=True)),
    }
    result = load_course_content(FIXTURE_CONTENT)
    assert result.created == []
    assert result.updated == []
    assert sorted(result.unchanged) == ["part_dispatch", "std_logistics", "tip:refund", "tip:urge_dispatch"]
    assert list(Course.objects.values_list("id", "updated_at")) == before["courses"]
    assert list(Lesson.objects.values_list("id", "updated_at")) == before["lessons"]
    assert list(Choice.objects.values_list("id", flat=True)) == before["choices"]


def test_staff_edit_survives_reload_until_the_file_changes(content, tmp_path):
    Course.objects.filter(code="part_dispatch").update(title_en="Edited by ops")
    load_course_content(FIXTURE_CONTENT)
    assert Course.objects.get(code="part_dispatch").title_en == "Edited by ops"

    shutil.copytree(FIXTURE_CONTENT, tmp_path / "c")
    path = tmp_path / "c" / "courses" / "part_dispatch.yaml"
    text = path.read_text().replace(
        "  - title: {zh: 第三课, en: Lesson three}\n    body: {zh: 正文三, en: Body three}\n", ""
    )
    path.write_text(text.replace("Dispatch experience", "Dispatch revised"))
    lesson_ids = list(Lesson.objects.filter(course__code="part_dispatch").values_list("id", flat=True))
    result = load_course_content(tmp_path / "c")
    assert result.updated == ["part_dispatch"]
    course = Course.objects.get(code="part_dispatch")
    assert course.title_en == "Dispatch revised"
    # lessons kept by position (same rows), the dropped third one deleted
    assert list(course.lessons.values_list("id", flat=True)) == lesson_ids[:2]


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        ("pass_mark: 60", "pass_mark: 160"),
        (
            "kind: single\n      choices:\n        - {text: {zh: 付款时, en: At payment}, correct: true}\n        - {text: {zh: 下单时, en: At order}, correct: false}",
            "kind: single\n      choices:\n        - {text: {zh: 付款时, en: At payment}, correct: true}\n        - {text: {zh: 下单时, en: At order}, correct: true}",
        ),
        ("standards: [logistics]", "standards: [teleportation]"),
        ("en: The logistics service standard", "en: ''"),
    ],
)
def test_bad_file_is_rejected_and_nothing_is_written(content, tmp_path, replace, message):
    shutil.copytree(FIXTURE_CONTENT, tmp_path / "c")
    path = tmp_path / "c" / "courses" / "std_logistics.yaml"
    original = path.read_text()
    assert replace in original
    path.write_text(original.replace(replace, message))
    before = list(Course.objects.values_list("code", "title_en", "pass_mark", "source_digest"))
    with pytest.raises(ContentError, match="std_logistics.yaml"):
        load_course_content(tmp_path / "c")
    assert list(Course.objects.values_list("code", "title_en", "pass_mark", "source_digest")) == before
    assert Question.objects.filter(course__code="std_logistics", choices__correct=True).count() == 3


def test_management_command(content, capsys):
    call_command("load_course_content", dir=FIXTURE_CONTENT)
    assert "0 created, 0 updated, 4 unchanged" in capsys.readouterr().out
