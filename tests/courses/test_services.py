"""Enrolment, lesson completion, quiz scoring and pass mark, assignments per failed metric and month."""

from datetime import UTC, datetime

import pytest

from core.errors import ApplicationError, NotFound
from core.models import AuditEvent
from courses import services
from courses.models import CourseAssignment, Enrolment, LessonCompletion, QuizAttempt
from courses.selectors import course_for_metric
from scoring import hooks

from ..complaints.factories import ComplaintFactory, OrderFactory, standard
from ..factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _answers(course, *, right=True, wrong_question=None):
    answers = {}
    for question in course.questions.order_by("position"):
        choices = list(question.choices.order_by("position"))
        chosen = [c.pk for c in choices if c.correct]
        if not right or question.position == wrong_question:
            chosen = [c.pk for c in choices if not c.correct][:1]
        answers[str(question.pk)] = chosen
    return answers


def _finish_lessons(user, merchant, course):
    for lesson in course.lessons.all():
        services.lesson_complete(user=user, merchant_id=merchant.pk, lesson_id=lesson.pk)


def test_quiz_all_right_passes(owner_a, merchant_a, logistics):
    attempt = services.quiz_submit(
        user=owner_a, merchant_id=merchant_a.pk, course_id=logistics.pk, answers=_answers(logistics)
    )
    assert (attempt.correct_count, attempt.question_count, attempt.score, attempt.passed) == (2, 2, 100, True)
    enrolment = Enrolment.objects.get(user=owner_a, course=logistics)
    assert enrolment.best_score == 100
    assert enrolment.quiz_passed_at == attempt.submitted_at
    assert enrolment.completed_at is None  # lessons not done yet


def test_multiple_choice_needs_exactly_the_correct_set(owner_a, merchant_a, logistics):
    answers = _answers(logistics)
    multiple = logistics.questions.get(position=2)
    scan = multiple.choices.get(position=1)
    answers[str(multiple.pk)] = [scan.pk]  # one of the two right answers only
    attempt = services.quiz_submit(
        user=owner_a, merchant_id=merchant_a.pk, course_id=logistics.pk, answers=answers
    )
    assert (attempt.correct_count, attempt.score) == (1, 50)
    assert attempt.passed is False  # pass mark 60
    assert Enrolment.objects.get(user=owner_a, course=logistics).quiz_passed_at is None


def test_pass_mark_is_inclusive_and_never_rounded_up(owner_a, merchant_a, dispatch, logistics):
    logistics.pass_mark = 50
    logistics.save()
    attempt = services.quiz_submit(
        user=owner_a,
        merchant_id=merchant_a.pk,
        course_id=logistics.pk,
        answers=_answers(logistics, wrong_question=2),
    )
    assert (attempt.score, attempt.pass_mark, attempt.passed) == (50, 50, True)
    logistics.pass_mark = 51
    logistics.save()
    attempt = services.quiz_submit(
        user=owner_a,
        merchant_id=merchant_a.pk,
        course_id=logistics.pk,
        answers=_answers(logistics, wrong_question=2),
    )
    assert (attempt.score, attempt.passed) == (50, False)
    # the best score and the pass stay from the first attempt
    enrolment = Enrolment.objects.get(user=owner_a, course=logistics)
    assert enrolment.best_score == 50
    assert enrolment.quiz_passed_at is not None


@pytest.mark.parametrize(
    ("make", "field", "message"),
    [
        (
            lambda a, q1, q2: {k: v for k, v in a.items() if k != str(q2.pk)},
            "q2",
            "This question is not answered.",
        ),
        (
            lambda a, q1, q2: {**a, str(q1.pk): [c.pk for c in q1.choices.all()]},
            "q1",
            "Choose exactly one answer.",
        ),
        (lambda a, q1, q2: {**a, str(q1.pk): [999999]}, "q1", "Not an answer of this question."),
        (
            lambda a, q1, q2: {**a, str(q1.pk): [c.pk for c in q2.choices.all()][:1]},
            "q1",
            "Not an answer of this question.",
        ),
        (lambda a, q1, q2: {**a, "424242": [1]}, "424242", "Not a question of this quiz."),
        (lambda a, q1, q2: {**a, str(q1.pk): "first"}, "q1", "Expected a list of answer ids."),
        (lambda a, q1, q2: {**a, str(q2.pk): []}, "q2", "Choose at least one answer."),
    ],
)
def test_bad_answers_are_rejected_and_nothing_is_written(
    owner_a, merchant_a, logistics, make, field, message
):
    q1, q2 = logistics.questions.order_by("position")
    answers = make(_answers(logistics), q1, q2)
    with pytest.raises(ApplicationError) as info:
        services.quiz_submit(user=owner_a, merchant_id=merchant_a.pk, course_id=logistics.pk, answers=answers)
    key = {"q1": str(q1.pk), "q2": str(q2.pk)}.get(field, field)
    assert info.value.code == "invalid_answers"
    assert info.value.fields == {key: [message]}
    assert QuizAttempt.objects.count() == 0
    assert Enrolment.objects.count() == 0


def test_lessons_then_quiz_completes_the_enrolment(owner_a, merchant_a, logistics):
    services.quiz_submit(
        user=owner_a, merchant_id=merchant_a.pk, course_id=logistics.pk, answers=_answers(logistics)
    )
    lessons = list(logistics.lessons.all())
    services.lesson_complete(user=owner_a, merchant_id=merchant_a.pk, lesson_id=lessons[0].pk)
    services.lesson_complete(user=owner_a, merchant_id=merchant_a.pk, lesson_id=lessons[0].pk)  # twice: once
    assert LessonCompletion.objects.count() == 1
    services.lesson_complete(user=owner_a, merchant_id=merchant_a.pk, lesson_id=lessons[1].pk)
    assert Enrolment.objects.get().completed_at is None
    services.lesson_complete(user=owner_a, merchant_id=merchant_a.pk, lesson_id=lessons[2].pk)
    assert Enrolment.objects.get().completed_at is not None


def test_unknown_or_unpublished_course_is_not_found(owner_a, merchant_a, logistics):
    logistics.published = False
    logistics.save()
    with pytest.raises(NotFound):
        services.enrolment_start(user=owner_a, merchant_id=merchant_a.pk, course_id=logistics.pk)
    with pytest.raises(NotFound):
        services.lesson_complete(
            user=owner_a, merchant_id=merchant_a.pk, lesson_id=logistics.lessons.first().pk
        )
    assert Enrolment.objects.count() == 0


def test_assignment_once_per_failed_metric_and_month(merchant_a, merchant_b, logistics, dispatch):
    hooks.metric_failed(merchant_id=merchant_a.pk, metric_code="fault_complaint_rate", period="2026-10")
    hooks.metric_failed(merchant_id=merchant_a.pk, metric_code="fault_complaint_rate", period="2026-10")
    hooks.metric_failed(merchant_id=merchant_a.pk, metric_code="fault_complaint_rate", period="2026-11")
    hooks.metric_failed(merchant_id=merchant_a.pk, metric_code="refund_dispute_rate", period="2026-11")
    hooks.metric_failed(
        merchant_id=merchant_a.pk, metric_code="dsr_mean", period="2026-11"
    )  # no course teaches it
    assert sorted(
        CourseAssignment.objects.values_list("merchant__shop_code", "metric_code", "period", "course__code")
    ) == [
        ("A0000001", "fault_complaint_rate", "2026-10", "std_logistics"),
        ("A0000001", "fault_complaint_rate", "2026-11", "std_logistics"),
        ("A0000001", "refund_dispute_rate", "2026-11", "part_dispatch"),
    ]


def test_bad_period_is_rejected(merchant_a, logistics):
    with pytest.raises(ApplicationError):
        services.assignment_for_failed_metric(
            merchant_id=merchant_a.pk, metric_code="fault_complaint_rate", period="2026-13"
        )
    assert CourseAssignment.objects.count() == 0


def test_completion_by_any_member_clears_the_shops_assignments_of_that_course(
    owner_a, merchant_a, owner_b, merchant_b, logistics, dispatch
):
    for merchant in (merchant_a, merchant_b):
        services.assignment_for_failed_metric(
            merchant_id=merchant.pk, metric_code="fault_complaint_rate", period="2026-10"
        )
    services.assignment_for_failed_metric(
        merchant_id=merchant_a.pk, metric_code="refund_dispute_rate", period="2026-10"
    )
    staff_a = MembershipFactory(
        merchant=merchant_a, user=UserFactory(username="clerk_a"), role="merchant_staff"
    ).user

    _finish_lessons(staff_a, merchant_a, logistics)
    assert CourseAssignment.objects.filter(cleared_at__isnull=False).count() == 0
    services.quiz_submit(
        user=staff_a, merchant_id=merchant_a.pk, course_id=logistics.pk, answers=_answers(logistics)
    )

    rows = {
        (a.merchant.shop_code, a.course.code): (
            a.cleared_at is not None,
            a.cleared_by and a.cleared_by.username,
        )
        for a in CourseAssignment.objects.select_related("merchant", "course", "cleared_by")
    }
    assert rows == {
        ("A0000001", "std_logistics"): (True, "clerk_a"),
        ("A0000001", "part_dispatch"): (False, None),  # another course
        ("B0000001", "std_logistics"): (False, None),  # another shop
    }


def test_a_later_assignment_is_cleared_by_passing_the_quiz_again(owner_a, merchant_a, logistics):
    _finish_lessons(owner_a, merchant_a, logistics)
    services.quiz_submit(
        user=owner_a, merchant_id=merchant_a.pk, course_id=logistics.pk, answers=_answers(logistics)
    )
    assignment = services.assignment_for_failed_metric(
        merchant_id=merchant_a.pk, metric_code="fault_complaint_rate", period="2026-11"
    )
    assert assignment.cleared_at is None
    services.quiz_submit(
        user=owner_a,
        merchant_id=merchant_a.pk,
        course_id=logistics.pk,
        answers=_answers(logistics, right=False),
    )
    assignment.refresh_from_db()
    assert assignment.cleared_at is None  # a failed attempt clears nothing
    services.quiz_submit(
        user=owner_a, merchant_id=merchant_a.pk, course_id=logistics.pk, answers=_answers(logistics)
    )
    assignment.refresh_from_db()
    assert assignment.cleared_at is not None


def test_course_lookup_by_course_metric_part_and_standard_code(logistics, dispatch):
    assert hooks.course_for("std_logistics").code == "std_logistics"
    assert hooks.course_for("refund_dispute_rate").code == "part_dispatch"
    assert hooks.course_for("dispatch").code == "part_dispatch"
    assert hooks.course_for("logistics").code == "std_logistics"
    link = hooks.course_for("part_dispatch")
    assert link.url == "/office/courses/part_dispatch/"
    assert hooks.course_for("nothing") is None


def test_fault_complaint_failure_assigns_the_course_of_the_top_complaint_standard(merchant_a, merchant_b):
    """Real seeded content: installation complaints dominate October → the installation course."""
    decided = datetime(2026, 10, 20, 4, 0, tzinfo=UTC)

    def fault(merchant, code, **kw):
        ComplaintFactory(
            order=OrderFactory(merchant=merchant),
            standard=standard(code),
            state="upheld",
            responsibility="merchant",
            decided_at=kw.get("decided_at", decided),
        )

    fault(merchant_a, "installation")
    fault(merchant_a, "installation")
    fault(merchant_a, "logistics")
    fault(merchant_a, "quality", decided_at=datetime(2026, 9, 20, tzinfo=UTC))  # another month
    fault(merchant_a, "quality", decided_at=datetime(2026, 9, 21, tzinfo=UTC))
    fault(merchant_b, "invoice")
    a = services.assignment_for_failed_metric(
        merchant_id=merchant_a.pk, metric_code="fault_complaint_rate", period="2026-10"
    )
    b = services.assignment_for_failed_metric(
        merchant_id=merchant_b.pk, metric_code="fault_complaint_rate", period="2026-10"
    )
    assert (a.course.code, b.course.code) == ("std_installation", "std_invoice")
    # without fault complaints in the month: the course that teaches the metric first
    c = services.assignment_for_failed_metric(
        merchant_id=merchant_b.pk, metric_code="fault_complaint_rate", period="2026-08"
    )
    assert c.course.code == "part_dispatch"


def test_metric_lookup_on_the_seeded_content(db):
    assert course_for_metric("fault_complaint_rate").code == "part_dispatch"
    assert course_for_metric("refund_dispute_rate").code == "part_basic_service"
    assert course_for_metric("dsr_mean").code == "part_logistics"
    assert course_for_metric("upheld_complaints_count").code == "part_dispatch"
    assert course_for_metric("no_such_metric") is None


def test_batch_assignment_equals_one_by_one_in_a_fixed_number_of_queries(
    merchant_a, merchant_b, django_assert_max_num_queries
):
    """The evaluation's batch path: the same courses as assignment_for_failed_metric, audited once each,
    already assigned ones untouched, however many merchants (real seeded content)."""
    decided = datetime(2026, 10, 20, 4, 0, tzinfo=UTC)
    for code in ("installation", "installation", "logistics"):
        ComplaintFactory(
            order=OrderFactory(merchant=merchant_a), standard=standard(code), state="upheld",
            responsibility="merchant", decided_at=decided,
        )  # fmt: skip
    ComplaintFactory(
        order=OrderFactory(merchant=merchant_b), standard=standard("invoice"), state="upheld",
        responsibility="merchant", decided_at=decided,
    )  # fmt: skip
    services.assignment_for_failed_metric(merchant_id=merchant_b.pk, metric_code="dsr_mean", period="2026-10")
    items = [
        (merchant_a.pk, "fault_complaint_rate", "2026-10"),
        (merchant_b.pk, "fault_complaint_rate", "2026-10"),
        (merchant_a.pk, "refund_dispute_rate", "2026-10"),
        (merchant_b.pk, "dsr_mean", "2026-10"),  # already assigned
        (merchant_b.pk, "fault_complaint_rate", "2026-08"),  # no complaints that month: the metric's course
    ]
    with django_assert_max_num_queries(12):
        assert services.assignments_for_failed_metrics(items) == 4
    assert sorted(
        CourseAssignment.objects.values_list("merchant__shop_code", "metric_code", "period", "course__code")
    ) == [
        ("A0000001", "fault_complaint_rate", "2026-10", "std_installation"),
        ("A0000001", "refund_dispute_rate", "2026-10", "part_basic_service"),
        ("B0000001", "dsr_mean", "2026-10", "part_logistics"),
        ("B0000001", "fault_complaint_rate", "2026-08", "part_dispatch"),
        ("B0000001", "fault_complaint_rate", "2026-10", "std_invoice"),
    ]
    assert AuditEvent.objects.filter(verb="course.assigned").count() == 5
    assert services.assignments_for_failed_metrics(items) == 0  # a rerun changes nothing
    assert AuditEvent.objects.filter(verb="course.assigned").count() == 5
