"""Demo data of the courses app: the content, today's core problems of the demo orders, shops
part-way through courses, and one shop with a course assigned after a failed month.

Showcase (the first three demo shops): the first has a course assigned after last month's fault
complaint rate failed (still open), its owner half-way through the installation course and its
staff member done with another course; the second has a failed quiz attempt and a lesson in
progress; the third completed the invoice course. About a third of the other shops have an owner
who started one or two courses.
"""

import random
from datetime import datetime

from core.periods import local_today
from courses import services
from courses.content import load_course_content
from courses.models import Course, Enrolment
from merchants.models import Membership
from scoring.core_problems.services import core_problems_compute

SHOWCASE = 3
OTHER_SHOPS = 60


def _answers(course: Course, *, right: bool) -> dict[str, list[int]]:
    answers = {}
    for question in course.questions.prefetch_related("choices").order_by("position"):
        choices = list(question.choices.all())
        chosen = [c.pk for c in choices if c.correct == right]
        answers[str(question.pk)] = chosen[:1] if (not right or question.kind == "single") else chosen
    return answers


def _lessons(user, merchant_id: int, course: Course, count: int) -> None:
    for lesson in course.lessons.order_by("position")[:count]:
        services.lesson_complete(user=user, merchant_id=merchant_id, lesson_id=lesson.pk)


def _complete(user, merchant_id: int, course: Course) -> None:
    _lessons(user, merchant_id, course, course.lessons.count())
    services.quiz_submit(
        user=user, merchant_id=merchant_id, course_id=course.pk, answers=_answers(course, right=True)
    )


def _previous_month(now: datetime) -> str:
    today = local_today(now)
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def generate(*, rng: random.Random, merchant_ids: list[int], now: datetime, stdout, scale: dict) -> dict:
    content = load_course_content()
    run = core_problems_compute(day=local_today(now))
    courses = {c.code: c for c in Course.objects.filter(published=True)}
    if not courses or not merchant_ids:
        return {"courses": len(courses), "core_problem_rows": run.rows, "enrolments": 0, "assignments": 0}

    members: dict[int, dict[str, object]] = {}
    for m in Membership.objects.filter(merchant_id__in=merchant_ids[: SHOWCASE + OTHER_SHOPS]).select_related(
        "user"
    ):
        members.setdefault(m.merchant_id, {}).setdefault(m.role, m.user)

    assignments = 0
    showcase = merchant_ids[:SHOWCASE]
    if showcase:
        first = showcase[0]
        assignment = services.assignment_for_failed_metric(
            merchant_id=first, metric_code="fault_complaint_rate", period=_previous_month(now)
        )
        assignments += assignment is not None
        assigned = assignment.course.code if assignment else ""
        owner, staff = (
            members.get(first, {}).get("merchant_owner"),
            members.get(first, {}).get("merchant_staff"),
        )
        half = "std_installation" if assigned != "std_installation" else "std_repair"
        if owner and half in courses:
            _lessons(owner, first, courses[half], 2)
        done = next(code for code in ("part_dispatch", "part_logistics", "std_quality") if code != assigned)
        if staff and done in courses:
            _complete(staff, first, courses[done])
    if len(showcase) > 1:
        second = showcase[1]
        owner, staff = (
            members.get(second, {}).get("merchant_owner"),
            members.get(second, {}).get("merchant_staff"),
        )
        if owner and "part_logistics" in courses and "std_logistics" in courses:
            _lessons(owner, second, courses["part_logistics"], 1)
            services.quiz_submit(
                user=owner,
                merchant_id=second,
                course_id=courses["std_logistics"].pk,
                answers=_answers(courses["std_logistics"], right=False),
            )
        if staff and "std_quality" in courses:
            _complete(staff, second, courses["std_quality"])
    if len(showcase) > 2:
        third = showcase[2]
        owner = members.get(third, {}).get("merchant_owner")
        if owner and "std_invoice" in courses:
            _complete(owner, third, courses["std_invoice"])

    codes = sorted(courses)
    for merchant_id in merchant_ids[SHOWCASE : SHOWCASE + OTHER_SHOPS]:
        owner = members.get(merchant_id, {}).get("merchant_owner")
        if owner is None or rng.random() > 0.35:
            continue
        for code in rng.sample(codes, rng.randint(1, 2)):
            course = courses[code]
            if rng.random() < 0.4:
                _complete(owner, merchant_id, course)
            else:
                _lessons(owner, merchant_id, course, rng.randint(1, max(1, course.lessons.count() - 1)))

    return {
        "courses": len(courses),
        "content": content.summary(),
        "core_problem_rows": run.rows,
        "enrolments": Enrolment.objects.count(),
        "completed": Enrolment.objects.filter(completed_at__isnull=False).count(),
        "assignments": assignments,
    }
