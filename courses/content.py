"""Seeds courses, lessons, quizzes and improvement tips from the YAML files under `courses/content/`.

`load_course_content()` upserts by code (course `code`, tip `scenario`) and is idempotent: a file is
written only when its digest differs from the one stored with the row, so re-seeding after every
migrate costs one read of each file and keeps staff edits made in the admin until the file itself
changes. Lessons, questions and choices are matched by position; positions the file no longer has
are deleted. A malformed file raises `ContentError` naming the file and the field, and nothing of
that file is written.

Called after every migrate (`CoursesConfig.ready`), by `manage.py load_course_content` and by the demo.
"""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import connections, transaction

from complaints.models import HelpRequest, ServiceStandard

from .models import METRICS, PARTS, Choice, Course, Lesson, Question, Tip

CONTENT_DIR = Path(__file__).resolve().parent / "content"
LANGS = ("zh", "en")
TIP_ORDER = [code for code in HelpRequest.Scenario.values if code != HelpRequest.Scenario.OTHER]


class ContentError(ValueError):
    pass


@dataclass
class LoadResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"{len(self.created)} created, {len(self.updated)} updated, {len(self.unchanged)} unchanged"


def _pair(data: dict, key: str, where: str) -> tuple[str, str]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise ContentError(f"{where}.{key}: expected {{zh: ..., en: ...}}")
    texts = []
    for lang in LANGS:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            raise ContentError(f"{where}.{key}.{lang}: missing or empty")
        texts.append(text.strip())
    return texts[0], texts[1]


def _codes(data: dict, key: str, allowed, where: str) -> list[str]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ContentError(f"{where}.{key}: expected a list of codes")
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise ContentError(f"{where}.{key}: unknown codes {unknown}")
    return list(dict.fromkeys(value))


def _read(path: Path) -> tuple[dict, str]:
    raw = path.read_bytes()
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise ContentError(f"{path.name}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise ContentError(f"{path.name}: expected a mapping at the top")
    return data, hashlib.sha256(raw).hexdigest()


def _parse_course(data: dict, where: str, standard_codes: set[str]) -> dict:
    code = data.get("code")
    if not isinstance(code, str) or not code.strip():
        raise ContentError(f"{where}.code: missing")
    title = _pair(data, "title", where)
    summary = _pair(data, "summary", where)
    lessons = data.get("lessons")
    if not isinstance(lessons, list) or not lessons:
        raise ContentError(f"{where}.lessons: expected a non-empty list")
    parsed_lessons = []
    for i, lesson in enumerate(lessons, start=1):
        if not isinstance(lesson, dict):
            raise ContentError(f"{where}.lessons[{i}]: expected a mapping")
        parsed_lessons.append(
            (_pair(lesson, "title", f"{where}.lessons[{i}]"), _pair(lesson, "body", f"{where}.lessons[{i}]"))
        )
    quiz = data.get("quiz")
    if not isinstance(quiz, dict):
        raise ContentError(f"{where}.quiz: missing")
    pass_mark = quiz.get("pass_mark")
    if not isinstance(pass_mark, int) or isinstance(pass_mark, bool) or not 0 < pass_mark <= 100:
        raise ContentError(f"{where}.quiz.pass_mark: expected a whole percentage 1-100")
    questions = quiz.get("questions")
    if not isinstance(questions, list) or not questions:
        raise ContentError(f"{where}.quiz.questions: expected a non-empty list")
    parsed_questions = []
    for i, question in enumerate(questions, start=1):
        qwhere = f"{where}.quiz.questions[{i}]"
        if not isinstance(question, dict):
            raise ContentError(f"{qwhere}: expected a mapping")
        kind = question.get("kind", Question.Kind.SINGLE)
        if kind not in Question.Kind.values:
            raise ContentError(f"{qwhere}.kind: expected single or multiple")
        choices = question.get("choices")
        if not isinstance(choices, list) or len(choices) < 2:
            raise ContentError(f"{qwhere}.choices: expected at least two choices")
        parsed_choices = []
        for j, choice in enumerate(choices, start=1):
            if not isinstance(choice, dict) or not isinstance(choice.get("correct", False), bool):
                raise ContentError(f"{qwhere}.choices[{j}]: expected {{text: ..., correct: true|false}}")
            parsed_choices.append(
                (_pair(choice, "text", f"{qwhere}.choices[{j}]"), bool(choice.get("correct")))
            )
        right = sum(1 for _text, correct in parsed_choices if correct)
        if right == 0 or (kind == Question.Kind.SINGLE and right != 1):
            raise ContentError(f"{qwhere}.choices: a {kind} question has {right} correct choices")
        parsed_questions.append((_pair(question, "text", qwhere), kind, parsed_choices))
    return {
        "code": code.strip(),
        "title": title,
        "summary": summary,
        "standards": _codes(data, "standards", standard_codes, where),
        "parts": _codes(data, "parts", PARTS, where),
        "metrics": _codes(data, "metrics", METRICS, where),
        "pass_mark": pass_mark,
        "lessons": parsed_lessons,
        "questions": parsed_questions,
    }


def _parse_tip(data: dict, where: str) -> dict:
    scenario = data.get("scenario")
    if scenario not in TIP_ORDER:
        raise ContentError(f"{where}.scenario: expected one of {TIP_ORDER}")
    return {
        "scenario": scenario,
        **{key: _pair(data, key, where) for key in ("title", "rule", "suggestions", "reply_example")},
    }


def _sync_positions(model, parent_field: str, parent, rows: list[dict]) -> list:
    """Upsert `rows` (position 1..n) under `parent`; delete positions beyond n."""
    existing = {obj.position: obj for obj in model.objects.filter(**{parent_field: parent})}
    saved = []
    for position, values in enumerate(rows, start=1):
        obj = existing.get(position) or model(**{parent_field: parent, "position": position})
        for name, value in values.items():
            setattr(obj, name, value)
        obj.save()
        saved.append(obj)
    model.objects.filter(**{parent_field: parent, "position__gt": len(rows)}).delete()
    return saved


def _write_course(parsed: dict, digest: str, sort_order: int) -> Course:
    course, _ = Course.objects.update_or_create(
        code=parsed["code"],
        defaults={
            "title_zh": parsed["title"][0],
            "title_en": parsed["title"][1],
            "summary_zh": parsed["summary"][0],
            "summary_en": parsed["summary"][1],
            "parts": parsed["parts"],
            "metrics": parsed["metrics"],
            "pass_mark": parsed["pass_mark"],
            "sort_order": sort_order,
            "source_digest": digest,
        },
    )
    course.standards.set(ServiceStandard.objects.filter(code__in=parsed["standards"]))
    _sync_positions(
        Lesson,
        "course",
        course,
        [
            {"title_zh": t[0], "title_en": t[1], "body_zh": b[0], "body_en": b[1]}
            for t, b in parsed["lessons"]
        ],
    )
    questions = _sync_positions(
        Question,
        "course",
        course,
        [{"text_zh": t[0], "text_en": t[1], "kind": kind} for t, kind, _c in parsed["questions"]],
    )
    for question, (_t, _k, choices) in zip(questions, parsed["questions"], strict=True):
        _sync_positions(
            Choice,
            "question",
            question,
            [{"text_zh": t[0], "text_en": t[1], "correct": correct} for t, correct in choices],
        )
    return course


def _course_sort_key(path: Path) -> tuple:
    # Standards first (in their seeded order), then the score parts, then anything else.
    return (0 if path.stem.startswith("std_") else 1 if path.stem.startswith("part_") else 2, path.stem)


def load_course_content(directory: Path | None = None) -> LoadResult:
    directory = Path(directory or CONTENT_DIR)
    result = LoadResult()
    standard_codes = set(ServiceStandard.objects.values_list("code", flat=True))
    standard_order = {
        code: i for i, code in enumerate(ServiceStandard.objects.values_list("code", flat=True))
    }
    course_files = sorted((directory / "courses").glob("*.yaml"), key=_course_sort_key)
    digests = dict(Course.objects.values_list("code", "source_digest"))
    for index, path in enumerate(course_files):
        data, digest = _read(path)
        parsed = _parse_course(data, path.name, standard_codes)
        code = parsed["code"]
        if digests.get(code) == digest:
            result.unchanged.append(code)
            continue
        std = parsed["standards"][0] if parsed["standards"] else None
        sort_order = standard_order.get(std, 50) if code.startswith("std_") else 100 + index
        with transaction.atomic():
            _write_course(parsed, digest, sort_order)
        (result.updated if code in digests else result.created).append(code)

    tip_digests = dict(Tip.objects.values_list("scenario", "source_digest"))
    for path in sorted((directory / "tips").glob("*.yaml")):
        data, digest = _read(path)
        parsed = _parse_tip(data, path.name)
        scenario = parsed["scenario"]
        if tip_digests.get(scenario) == digest:
            result.unchanged.append(f"tip:{scenario}")
            continue
        defaults = {"sort_order": TIP_ORDER.index(scenario), "source_digest": digest}
        for key in ("title", "rule", "suggestions", "reply_example"):
            defaults[f"{key}_zh"], defaults[f"{key}_en"] = parsed[key]
        Tip.objects.update_or_create(scenario=scenario, defaults=defaults)
        (result.updated if scenario in tip_digests else result.created).append(f"tip:{scenario}")
    return result


def seed_after_migrate(sender=None, using="default", **kwargs) -> None:
    """post_migrate receiver: keep the seeded content in step with the files (idempotent)."""
    if Course._meta.db_table not in _tables(using):
        return
    load_course_content()


def _tables(using: str) -> set[str]:
    return set(connections[using].introspection.table_names())
