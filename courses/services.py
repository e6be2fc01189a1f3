"""Every write of the courses app: enrolment, lesson completion, quiz submission, assignments.

A merchant user is enrolled on first use (opening the course's lessons or its quiz enrols too). The
enrolment is complete when every lesson is done and the quiz is passed; completing (or passing the
quiz again on a completed enrolment) clears the shop's open assignments of that course.
"""

import re

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import audit_record, audit_row, audit_rows_write
from core.bulk import insert_rows, json_text
from core.errors import ApplicationError, NotFound

from .errors import CourseError
from .models import Course, CourseAssignment, Enrolment, Lesson, LessonCompletion, Question, QuizAttempt
from .selectors import course_for_fault_complaints, course_for_metric, courses_for_fault_complaints

# Metrics counted from upheld complaints: the course of the standard behind most of them is assigned.
COMPLAINT_METRICS = ("fault_complaint_rate", "upheld_complaints_count")

PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _published_course(course_id: int) -> Course:
    course = Course.objects.filter(pk=course_id, published=True).first()
    if course is None:
        raise NotFound("No such course.")
    return course


def enrolment_start(*, user, merchant_id: int, course_id: int) -> Enrolment:
    """Enrol `user` (a member of `merchant_id`) on the course; idempotent."""
    course = _published_course(course_id)
    enrolment = Enrolment.objects.filter(user=user, course=course).first()
    if enrolment is not None:
        return enrolment
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(user=user, merchant_id=merchant_id, course=course)
            audit_record(actor=user, verb="course.enrolled", target=enrolment, data={"course": course.code})
    except IntegrityError:  # a concurrent request enrolled first
        enrolment = Enrolment.objects.get(user=user, course=course)
    return enrolment


def _locked(enrolment_id: int) -> Enrolment:
    return Enrolment.objects.select_for_update().select_related("course").get(pk=enrolment_id)


def _complete_if_done(enrolment: Enrolment, *, user, now) -> None:
    """Caller holds the enrolment row lock."""
    if enrolment.quiz_passed_at is None:
        return
    lessons = Lesson.objects.filter(course_id=enrolment.course_id).count()
    done = LessonCompletion.objects.filter(enrolment=enrolment).count()
    if done < lessons:
        return
    if enrolment.completed_at is None:
        enrolment.completed_at = now
        enrolment.save(update_fields=["completed_at", "updated_at"])
        audit_record(
            actor=user, verb="course.completed", target=enrolment, data={"course": enrolment.course.code}
        )
    cleared = CourseAssignment.objects.filter(
        merchant_id=enrolment.merchant_id, course_id=enrolment.course_id, cleared_at__isnull=True
    ).update(cleared_at=now, cleared_by=user, updated_at=now)
    if cleared:
        audit_record(
            actor=user,
            verb="course.assignments_cleared",
            target=enrolment,
            data={"course": enrolment.course.code, "count": cleared},
        )


@transaction.atomic
def lesson_complete(*, user, merchant_id: int, lesson_id: int) -> Enrolment:
    lesson = Lesson.objects.filter(pk=lesson_id, course__published=True).first()
    if lesson is None:
        raise NotFound("No such lesson.")
    enrolment = enrolment_start(user=user, merchant_id=merchant_id, course_id=lesson.course_id)
    enrolment = _locked(enrolment.pk)
    now = timezone.now()
    _, created = LessonCompletion.objects.get_or_create(
        enrolment=enrolment, lesson=lesson, defaults={"completed_at": now}
    )
    if created:
        enrolment.save(update_fields=["updated_at"])
        _complete_if_done(enrolment, user=user, now=now)
    return enrolment


def _clean_answers(course: Course, answers) -> dict[int, set[int]]:
    """{question id: choice ids} for every question of the course, else ApplicationError (400)."""
    if not isinstance(answers, dict):
        raise ApplicationError(
            "Answers must map each question to the chosen answers.",
            code=CourseError.INVALID_ANSWERS,
            fields={"answers": ["Expected an object {question id: [choice ids]}."]},
        )
    questions = {q.pk: q for q in Question.objects.filter(course=course).prefetch_related("choices")}
    errors: dict[str, list[str]] = {}
    cleaned: dict[int, set[int]] = {}
    for key, value in answers.items():
        qid = int(key) if str(key).isascii() and str(key).isdigit() and len(str(key)) <= 18 else None
        if qid not in questions:
            errors[str(key)] = ["Not a question of this quiz."]
            continue
        if isinstance(value, int) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        ):
            errors[str(key)] = ["Expected a list of answer ids."]
            continue
        question = questions[qid]
        valid = {c.pk for c in question.choices.all()}
        chosen = set(value)
        if not chosen:
            errors[str(key)] = ["Choose at least one answer."]
        elif not chosen <= valid:
            errors[str(key)] = ["Not an answer of this question."]
        elif question.kind == Question.Kind.SINGLE and len(chosen) != 1:
            errors[str(key)] = ["Choose exactly one answer."]
        else:
            cleaned[qid] = chosen
    for qid in questions:
        if qid not in cleaned and str(qid) not in errors:
            errors[str(qid)] = ["This question is not answered."]
    if errors:
        raise ApplicationError(
            "Some answers are missing or invalid.", code=CourseError.INVALID_ANSWERS, fields=errors
        )
    if not questions:
        raise ApplicationError("This course has no quiz.", code=CourseError.NO_QUIZ)
    return cleaned


def quiz_score(course: Course, cleaned: dict[int, set[int]]) -> tuple[int, int, int]:
    """(correct questions, questions, score %). A question is right when exactly its correct choices
    are chosen; the score is rounded down so that a pass is never given by rounding."""
    questions = list(Question.objects.filter(course=course).prefetch_related("choices"))
    correct = sum(1 for q in questions if cleaned.get(q.pk) == {c.pk for c in q.choices.all() if c.correct})
    total = len(questions)
    return correct, total, (correct * 100 // total) if total else 0


@transaction.atomic
def quiz_submit(*, user, merchant_id: int, course_id: int, answers) -> QuizAttempt:
    course = _published_course(course_id)
    cleaned = _clean_answers(course, answers)
    enrolment = enrolment_start(user=user, merchant_id=merchant_id, course_id=course.pk)
    enrolment = _locked(enrolment.pk)
    correct, total, score = quiz_score(course, cleaned)
    now = timezone.now()
    passed = score >= course.pass_mark
    attempt = QuizAttempt.objects.create(
        enrolment=enrolment,
        submitted_at=now,
        answers={str(q): sorted(c) for q, c in cleaned.items()},
        correct_count=correct,
        question_count=total,
        score=score,
        pass_mark=course.pass_mark,
        passed=passed,
    )
    fields = ["updated_at"]
    if enrolment.best_score is None or score > enrolment.best_score:
        enrolment.best_score = score
        fields.append("best_score")
    if passed and enrolment.quiz_passed_at is None:
        enrolment.quiz_passed_at = now
        fields.append("quiz_passed_at")
    enrolment.save(update_fields=fields)
    audit_record(
        actor=user,
        verb="course.quiz_submitted",
        target=enrolment,
        data={"course": course.code, "score": score, "passed": passed},
    )
    if passed:
        _complete_if_done(enrolment, user=user, now=now)
    return attempt


def assignment_for_failed_metric(
    *, merchant_id: int, metric_code: str, period: str
) -> CourseAssignment | None:
    """The monthly evaluation failed `metric_code` for `period` ('YYYY-MM'): assign the course that
    teaches it, once per merchant × metric × month. None when no course teaches the metric.

    For complaint metrics the course of the service standard behind most of the month's fault
    complaints is assigned (installation complaints → the installation standard course)."""
    if not PERIOD.match(period or ""):
        raise ApplicationError("The period must be a month YYYY-MM.", fields={"period": [period]})
    course = None
    if metric_code in COMPLAINT_METRICS:
        course = course_for_fault_complaints(merchant_id, period)
    course = course or course_for_metric(metric_code)
    if course is None:
        return None
    try:
        with transaction.atomic():
            assignment, created = CourseAssignment.objects.get_or_create(
                merchant_id=merchant_id, metric_code=metric_code, period=period, defaults={"course": course}
            )
            if created:
                audit_record(
                    actor=None,
                    verb="course.assigned",
                    target=assignment,
                    data={"course": course.code, "metric": metric_code, "period": period},
                )
    except IntegrityError:  # the same failure reported twice at once
        assignment = CourseAssignment.objects.get(
            merchant_id=merchant_id, metric_code=metric_code, period=period
        )
    return assignment


def assignments_for_failed_metrics(items: list[tuple[int, str, str]]) -> int:
    """``assignment_for_failed_metric`` for a whole evaluation batch: [(merchant_id, metric_code,
    period)], in a fixed number of queries. Already assigned ones are left as they are. Returns how
    many assignments were created."""
    for _merchant_id, _code, period in items:
        if not PERIOD.match(period or ""):
            raise ApplicationError("The period must be a month YYYY-MM.", fields={"period": [period]})
    by_metric = {code: course_for_metric(code) for code in {code for _m, code, _p in items}}
    by_complaints: dict[str, dict[int, Course]] = {}
    for period in {p for _m, _c, p in items}:
        merchants = {m for m, code, p in items if p == period and code in COMPLAINT_METRICS}
        by_complaints[period] = courses_for_fault_complaints(merchants, period) if merchants else {}
    wanted = {}
    for merchant_id, code, period in items:
        course = (by_complaints[period].get(merchant_id) if code in COMPLAINT_METRICS else None) or by_metric[
            code
        ]
        if course is not None:
            wanted[(merchant_id, code, period)] = course
    if not wanted:
        return 0
    now = timezone.now()
    with transaction.atomic():
        existing = set(
            CourseAssignment.objects.filter(
                merchant_id__any_of={m for m, _c, _p in wanted}, period__in={p for _m, _c, p in wanted}
            ).values_list("merchant_id", "metric_code", "period")
        )
        # Plain rows (thousands per evaluation); one reported twice at once is written once.
        fresh = insert_rows(
            CourseAssignment._meta.db_table,
            ["merchant_id", "metric_code", "period", "course_id", "created_at", "updated_at"],
            [
                (m, code, period, course.pk, now, now)
                for (m, code, period), course in sorted(wanted.items(), key=lambda kv: kv[0])
                if (m, code, period) not in existing
            ],
            returning=("id", "metric_code", "period", "course_id"),
            skip_conflicts=True,
        )
        codes = {course.pk: course.code for course in wanted.values()}
        label = CourseAssignment._meta.label_lower
        data: dict[tuple, str] = {}  # a batch repeats a few (course, metric, month): each serialized once
        for _pk, code, period, course_id in fresh:
            if (course_id, code, period) not in data:
                data[(course_id, code, period)] = json_text(
                    {"course": codes[course_id], "metric": code, "period": period}
                )
        audit_rows_write(  # plain rows, no model instance per assignment
            [
                audit_row(None, "course.assigned", label, pk, data[(course_id, code, period)], now)
                for pk, code, period, course_id in fresh
            ]
        )
    return len(fresh)


def on_metrics_failed(items: list[tuple[int, str, str]]) -> None:
    """scoring.hooks batch handler (registered by CoursesConfig.ready)."""
    assignments_for_failed_metrics(items)


def on_metric_failed(*, merchant_id: int, metric_code: str, period: str) -> None:
    """scoring.hooks handler (registered by CoursesConfig.ready)."""
    assignment_for_failed_metric(merchant_id=merchant_id, metric_code=metric_code, period=period)
