"""Back office: the course catalogue (assigned and recommended first), a course, its lessons and quiz,
the shop's progress, and the improvement tips (服务提升技巧)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError, NotFound
from merchants.access import merchant_required

from .. import selectors, services
from ..models import MAX_POSITION, Lesson


def _not_found(exc: NotFound) -> Http404:
    return Http404(exc.message)


@merchant_required
def course_list(request):
    courses = list(selectors.published_courses())
    progress = selectors.user_progress(request.user, courses)
    shop = selectors.shop_progress(request.merchant.pk)
    assignments = list(selectors.open_assignments(request.merchant.pk))
    recommended = selectors.recommended_courses(request.merchant.pk, courses, user=request.user)
    rows = [
        {
            "course": course,
            "progress": progress[course.pk],
            "shop": shop.get(course.pk, {"enrolled": 0, "completed": 0}),
        }
        for course in courses
    ]
    return render(
        request,
        "office/courses/list.html",
        {"rows": rows, "assignments": assignments, "recommended": recommended},
    )


@merchant_required
def course_detail(request, code: str):
    try:
        course = selectors.course_get(code)
    except NotFound as exc:
        raise _not_found(exc) from exc
    enrolment = selectors.user_enrolment(request.user, course)
    done = {c.lesson_id for c in enrolment.lesson_completions.all()} if enrolment else set()
    lessons = [{"lesson": lesson, "done": lesson.pk in done} for lesson in course.lessons.all()]
    progress = selectors.user_progress(request.user, [course])[course.pk]
    assignments = [a for a in selectors.open_assignments(request.merchant.pk) if a.course_id == course.pk]
    return render(
        request,
        "office/courses/detail.html",
        {
            "course": course,
            "lessons": lessons,
            "enrolment": enrolment,
            "progress": progress,
            "assignments": assignments,
            "next_lesson": next((row["lesson"] for row in lessons if not row["done"]), None),
        },
    )


@require_POST
@merchant_required
def course_enrol(request, code: str):
    try:
        course = selectors.course_get(code)
        services.enrolment_start(user=request.user, merchant_id=request.merchant.pk, course_id=course.pk)
    except NotFound as exc:
        raise _not_found(exc) from exc
    messages.success(request, _("You are enrolled in this course."))
    return redirect("office:course-detail", code=code)


@merchant_required
def lesson_detail(request, code: str, position: int):
    if position > MAX_POSITION:
        raise Http404("No such lesson.")
    lesson = (
        Lesson.objects.filter(course__code=code, course__published=True, position=position)
        .select_related("course")
        .first()
    )
    if lesson is None:
        raise _not_found(NotFound("No such lesson."))
    siblings = list(
        Lesson.objects.filter(course=lesson.course).order_by("position").values_list("position", flat=True)
    )
    index = siblings.index(lesson.position)
    enrolment = selectors.user_enrolment(request.user, lesson.course)
    done = bool(enrolment and any(c.lesson_id == lesson.pk for c in enrolment.lesson_completions.all()))
    return render(
        request,
        "office/courses/lesson.html",
        {
            "lesson": lesson,
            "course": lesson.course,
            "done": done,
            "number": index + 1,
            "count": len(siblings),
            "previous": siblings[index - 1] if index > 0 else None,
            "next": siblings[index + 1] if index + 1 < len(siblings) else None,
        },
    )


@require_POST
@merchant_required
def lesson_complete(request, code: str, position: int):
    if position > MAX_POSITION:
        raise Http404("No such lesson.")
    lesson = Lesson.objects.filter(course__code=code, course__published=True, position=position).first()
    if lesson is None:
        raise _not_found(NotFound("No such lesson."))
    services.lesson_complete(user=request.user, merchant_id=request.merchant.pk, lesson_id=lesson.pk)
    following = (
        Lesson.objects.filter(course_id=lesson.course_id, position__gt=position).order_by("position").first()
    )
    if following is not None:
        return redirect("office:course-lesson", code=code, position=following.position)
    return redirect("office:course-detail", code=code)


@merchant_required
def course_quiz(request, code: str):
    try:
        course = selectors.course_with_quiz(code)
    except NotFound as exc:
        raise _not_found(exc) from exc
    attempt = None
    chosen: dict[int, set[int]] = {}
    errors: dict = {}
    if request.method == "POST":
        answers = {str(q.pk): _int_list(request.POST.getlist(f"q{q.pk}")) for q in course.questions.all()}
        answers = {k: v for k, v in answers.items() if v}
        chosen = {int(k): set(v) for k, v in answers.items()}
        try:
            attempt = services.quiz_submit(
                user=request.user, merchant_id=request.merchant.pk, course_id=course.pk, answers=answers
            )
        except ApplicationError as exc:
            errors = exc.fields
            messages.error(request, _("Answer every question before you submit."))
    status = 400 if errors else 200
    enrolment = selectors.user_enrolment(request.user, course)
    questions = [
        {"question": q, "error": bool(errors.get(str(q.pk))), "chosen": chosen.get(q.pk, set())}
        for q in course.questions.all()
    ]
    return render(
        request,
        "office/courses/quiz.html",
        {"course": course, "questions": questions, "attempt": attempt, "enrolment": enrolment},
        status=status,
    )


def _int_list(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isascii() and v.isdigit() and len(v) <= 18]


@merchant_required
def shop_progress(request):
    enrolments = list(selectors.shop_member_progress(request.merchant.pk))
    lesson_counts = {c.pk: c.lesson_count for c in selectors.published_courses()}
    for e in enrolments:
        e.lesson_count = lesson_counts.get(e.course_id, 0)
    return render(
        request,
        "office/courses/progress.html",
        {
            "enrolments": enrolments,
            "assignments": list(selectors.assignments_for_merchant(request.merchant.pk)),
        },
    )


@merchant_required
def tip_list(request):
    return render(request, "office/courses/tips.html", {"tips": list(selectors.tips())})


@merchant_required
def tip_detail(request, scenario: str):
    try:
        tip = selectors.tip_get(scenario)
    except NotFound as exc:
        raise _not_found(exc) from exc
    return render(request, "office/courses/tip.html", {"tip": tip, "tips": list(selectors.tips())})
