"""Reads of the courses app: catalogue with a user's progress, shop progress, assignments, statistics,
and the code → course lookups behind `scoring.hooks.course_for`."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from complaints.indicators import fault_complaints
from core.errors import NotFound
from core.periods import calendar_month
from merchants.models import Category, Membership
from scoring.core_problems.selectors import top_subproblem_courses
from scoring.definitions import PART_LABELS, PARTS
from scoring.hooks import CourseLink
from scoring.models import MerchantScore

from .models import Course, CourseAssignment, Enrolment, Lesson, Question, Tip


def published_courses():
    return Course.objects.filter(published=True).annotate(
        lesson_count=Count("lessons", distinct=True), question_count=Count("questions", distinct=True)
    )


def course_for_metric(metric_code: str) -> Course | None:
    """The course that teaches an evaluation metric: among the published courses that list it, the
    one that lists it first (its main metric), score-part courses before standard courses, then in
    course order."""
    best = None
    for course in Course.objects.filter(published=True).only("id", "code", "metrics", "sort_order"):
        metrics = course.metrics or []
        if metric_code in metrics:
            key = (
                metrics.index(metric_code),
                not course.code.startswith("part_"),
                course.sort_order,
                course.code,
            )
            if best is None or key < best[0]:
                best = (key, course)
    return best[1] if best else None


def course_for_fault_complaints(merchant_id: int, period: str) -> Course | None:
    """The standard course of the service standard behind most of the merchant's fault complaints
    decided in `period` ('YYYY-MM'); None when it had none or no course teaches that standard."""
    year, month = (int(part) for part in period.split("-"))
    top = (
        fault_complaints(**calendar_month(year, month).bounds, merchant_ids=[merchant_id])
        .values("standard_id")
        .annotate(n=Count("id"))
        .order_by("-n", "standard__sort_order")
        .first()
    )
    if top is None:
        return None
    return (
        Course.objects.filter(published=True, standards=top["standard_id"])
        .order_by("sort_order", "code")
        .first()
    )


def courses_for_fault_complaints(merchant_ids, period: str) -> dict[int, Course]:
    """``course_for_fault_complaints`` for many merchants in three queries: {merchant_id: course}."""
    year, month = (int(part) for part in period.split("-"))
    top: dict[int, int] = {}
    for merchant_id, standard_id, _n in (
        fault_complaints(**calendar_month(year, month).bounds, merchant_ids=list(merchant_ids))
        .values("merchant_id", "standard_id")
        .annotate(n=Count("id"))
        .order_by("merchant_id", "-n", "standard__sort_order")
        .values_list("merchant_id", "standard_id", "n")
    ):
        top.setdefault(merchant_id, standard_id)
    by_standard: dict[int, Course] = {}
    for course in (
        Course.objects.filter(published=True, standards__in=set(top.values()))
        .annotate(standard=F("standards"))
        .order_by("-sort_order", "-code")
    ):
        by_standard[course.standard] = course  # the last written is the first in course order
    return {m: by_standard[s] for m, s in top.items() if s in by_standard}


def course_by_code(code: str) -> Course | None:
    """A course by its own code, else the one teaching the metric, else the one for the score part,
    else the one for the service standard of that code; None when none fits."""
    courses = list(Course.objects.filter(published=True).prefetch_related("standards"))
    for match in (
        lambda c: c.code == code,
        lambda c: code in (c.metrics or []),
        lambda c: code in (c.parts or []) and c.code.startswith("part_"),
        lambda c: code in (c.parts or []),
        lambda c: any(s.code == code for s in c.standards.all()),
    ):
        for course in courses:
            if match(course):
                return course
    return None


def course_link(code: str) -> CourseLink | None:
    """`scoring.hooks` course lookup: a link to the course in the back office, title in the active language."""
    course = course_by_code(code)
    if course is None:
        return None
    return CourseLink(
        code=course.code, title=course.title, url=reverse("office:course-detail", args=[course.code])
    )


def course_get(code: str) -> Course:
    course = (
        published_courses()
        .prefetch_related(
            "standards",
            Prefetch("lessons", queryset=Lesson.objects.order_by("position")),
        )
        .filter(code=code)
        .first()
    )
    if course is None:
        raise NotFound("No such course.")
    return course


def course_with_quiz(code: str) -> Course:
    course = (
        Course.objects.filter(code=code, published=True)
        .prefetch_related(
            Prefetch("questions", queryset=Question.objects.order_by("position").prefetch_related("choices"))
        )
        .first()
    )
    if course is None:
        raise NotFound("No such course.")
    return course


@dataclass
class Progress:
    lessons_done: int
    lesson_count: int
    quiz_passed: bool
    best_score: int | None
    completed: bool
    enrolled: bool

    @property
    def percent(self) -> int:
        """Lessons count one step each, the quiz one more."""
        steps = self.lesson_count + 1
        done = self.lessons_done + (1 if self.quiz_passed else 0)
        return done * 100 // steps if steps else 0


def user_progress(user, courses) -> dict[int, Progress]:
    """{course id: Progress} of `user` for the given annotated courses (one query)."""
    enrolments = {
        e.course_id: e
        for e in Enrolment.objects.filter(user=user, course__in=[c.pk for c in courses]).annotate(
            lessons_done=Count("lesson_completions")
        )
    }
    result = {}
    for course in courses:
        e = enrolments.get(course.pk)
        result[course.pk] = Progress(
            lessons_done=e.lessons_done if e else 0,
            lesson_count=course.lesson_count,
            quiz_passed=bool(e and e.quiz_passed_at),
            best_score=e.best_score if e else None,
            completed=bool(e and e.completed_at),
            enrolled=e is not None,
        )
    return result


def user_enrolment(user, course) -> Enrolment | None:
    return Enrolment.objects.filter(user=user, course=course).prefetch_related("lesson_completions").first()


def shop_progress(merchant_id: int) -> dict[int, dict]:
    """{course id: {"enrolled": members, "completed": members}} for the shop (one query)."""
    rows = (
        Enrolment.objects.filter(merchant_id=merchant_id)
        .values("course_id")
        .annotate(enrolled=Count("id"), completed=Count("id", filter=Q(completed_at__isnull=False)))
    )
    return {row["course_id"]: {"enrolled": row["enrolled"], "completed": row["completed"]} for row in rows}


def shop_member_progress(merchant_id: int):
    """The shop's enrolments with their user and course, for the shop-progress table."""
    return (
        Enrolment.objects.filter(merchant_id=merchant_id)
        .select_related("user", "course")
        .annotate(lessons_done=Count("lesson_completions", distinct=True))
        .order_by("user__username", "course__sort_order")
    )


def open_assignments(merchant_id: int):
    return (
        CourseAssignment.objects.filter(merchant_id=merchant_id, cleared_at__isnull=True)
        .select_related("course")
        .order_by("-period", "metric_code")
    )


def assignments_for_merchant(merchant_id: int):
    return CourseAssignment.objects.filter(merchant_id=merchant_id).select_related("course", "cleared_by")


def tips():
    return Tip.objects.all()


def tip_get(scenario: str) -> Tip:
    tip = Tip.objects.filter(scenario=scenario).first()
    if tip is None:
        raise NotFound("No such tip.")
    return tip


def completion_statistics() -> dict:
    """Staff: per course, enrolled users, completed users, shops with a completion, open assignments;
    per merchant main category, the same counts summed over courses. A fixed number of queries."""
    courses = list(
        Course.objects.annotate(
            lesson_count=Count("lessons", distinct=True),
            enrolled=Count("enrolments", distinct=True),
            completed=Count("enrolments", filter=Q(enrolments__completed_at__isnull=False), distinct=True),
            shops_completed=Count(
                "enrolments__merchant",
                filter=Q(enrolments__completed_at__isnull=False),
                distinct=True,
            ),
        ).order_by("sort_order", "code")
    )
    open_counts = dict(
        CourseAssignment.objects.filter(cleared_at__isnull=True)
        .values("course_id")
        .annotate(n=Count("id"))
        .values_list("course_id", "n")
    )
    for course in courses:
        course.open_assignments = open_counts.get(course.pk, 0)
        course.completion_percent = course.completed * 100 // course.enrolled if course.enrolled else None
    per_category = {
        row["merchant__main_category"]: row
        for row in Enrolment.objects.values("merchant__main_category").annotate(
            enrolled=Count("id"),
            completed=Count("id", filter=Q(completed_at__isnull=False)),
            shops=Count("merchant", distinct=True),
        )
    }
    members = dict(
        Membership.objects.values("merchant__main_category")
        .annotate(n=Count("id"))
        .values_list("merchant__main_category", "n")
    )
    categories = []
    for cat in Category.objects.filter(pk__in=set(per_category) | set(members)):
        row = per_category.get(cat.pk, {"enrolled": 0, "completed": 0, "shops": 0})
        cat.enrolled, cat.completed, cat.shops = row["enrolled"], row["completed"], row["shops"]
        cat.members = members.get(cat.pk, 0)
        cat.completion_percent = cat.completed * 100 // cat.enrolled if cat.enrolled else None
        categories.append(cat)
    return {"courses": courses, "categories": categories}


def weakest_part(merchant_id: int) -> tuple[str, Decimal] | None:
    """(part code, part score 0–100) of the lowest part of the merchant's latest score, or None."""
    score = MerchantScore.objects.filter(merchant_id=merchant_id).order_by("-day").first()
    if score is None:
        return None
    parts = [(getattr(score, part), part) for part in PARTS if getattr(score, part) is not None]
    if not parts:
        return None
    value, part = min(parts)
    return part, value


def recommended_courses(merchant_id: int, courses, *, user=None, limit: int = 4) -> list[dict]:
    """The courses for the shop's weakest score part, then for its top core problems (in that
    order, each course once), leaving out those `user` has completed. `courses` are the published
    courses the page has read; each item is {"course", "reason"} with the reason in the reader's
    language. Three queries."""
    by_code = {c.code: c for c in courses}
    done = set()
    if user is not None:
        done = set(
            Enrolment.objects.filter(user=user, completed_at__isnull=False).values_list(
                "course_id", flat=True
            )
        )
    picked: list[dict] = []

    def add(course, reason):
        if course is not None and course.pk not in done and all(p["course"].pk != course.pk for p in picked):
            picked.append({"course": course, "reason": reason})

    weakest = weakest_part(merchant_id)
    if weakest is not None:
        part, value = weakest
        course = by_code.get(f"part_{part}") or next((c for c in courses if part in (c.parts or [])), None)
        add(
            course,
            _("Your weakest score part: %(part)s (%(score)s / 5.0)")
            % {"part": PART_LABELS[part], "score": (value / 20).quantize(Decimal("0.1"))},
        )
    for name, code, count in top_subproblem_courses(merchant_id, limit=3):
        add(by_code.get(code), _("Core problem: %(name)s (%(n)s times)") % {"name": name, "n": count})
    return picked[:limit]


def tip_link(scenario: str) -> CourseLink | None:
    """`scoring.hooks` tip lookup: the tip of a help-request scenario, title in the active language."""
    tip = Tip.objects.filter(scenario=scenario).only("scenario", "title_zh", "title_en").first()
    if tip is None:
        return None
    return CourseLink(
        code=tip.scenario, title=tip.title, url=reverse("office:tip-detail", args=[tip.scenario])
    )


def course_links(codes: list[str]) -> dict[str, CourseLink]:
    """Batch form of `course_link` for exact course codes (one query)."""
    if not codes:
        return {}
    return {
        c.code: CourseLink(code=c.code, title=c.title, url=reverse("office:course-detail", args=[c.code]))
        for c in Course.objects.filter(published=True, code__in=codes).only("code", "title_zh", "title_en")
    }


def tip_links(scenarios: list[str]) -> dict[str, CourseLink]:
    """Batch form of `tip_link` (one query)."""
    if not scenarios:
        return {}
    return {
        t.scenario: CourseLink(
            code=t.scenario, title=t.title, url=reverse("office:tip-detail", args=[t.scenario])
        )
        for t in Tip.objects.filter(scenario__in=scenarios).only("scenario", "title_zh", "title_en")
    }
