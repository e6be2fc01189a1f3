"""The state machine: every transition, an invalid one (409), the lapse and escalation jobs."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from complaints.models import Complaint, Notification
from complaints.services import (
    complaint_accept,
    complaint_merchant_respond,
    complaint_start_review,
    complaint_withdraw,
    complaints_escalate_overdue,
    complaints_lapse_responses,
)
from complaints.tasks import escalate_overdue, lapse_merchant_responses
from core.errors import InvalidTransition
from core.models import AuditEvent

from .conftest import png
from .factories import ComplaintFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2024, 3, 4, 3, 0, tzinfo=UTC)


def _verbs(complaint) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_type="complaints.complaint", target_id=str(complaint.pk))
        .order_by("id")
        .values_list("verb", flat=True)
    )


def test_accept_asks_the_merchant_with_a_48_hour_deadline(staff_adjudicator, merchant_a):
    complaint = ComplaintFactory(order__merchant=merchant_a)
    complaint_accept(complaint_id=complaint.pk, actor=staff_adjudicator, now=NOW)
    complaint.refresh_from_db()
    assert complaint.state == "awaiting_merchant"
    assert complaint.accepted_at == NOW
    assert complaint.merchant_response_due_at == NOW + timedelta(hours=48)
    assert _verbs(complaint) == ["complaint.accepted", "complaint.merchant_asked"]


def test_accept_straight_to_review(staff_adjudicator):
    complaint = ComplaintFactory()
    complaint_accept(complaint_id=complaint.pk, ask_merchant=False, actor=staff_adjudicator, now=NOW)
    complaint.refresh_from_db()
    assert complaint.state == "under_review"
    assert complaint.review_started_at == NOW


def test_merchant_response_moves_to_review_with_evidence(owner_a, merchant_a):
    complaint = ComplaintFactory(order__merchant=merchant_a)
    complaint_accept(complaint_id=complaint.pk, now=NOW)
    complaint_merchant_respond(
        complaint_id=complaint.pk,
        merchant_id=merchant_a.pk,
        text="已联系物流补送上门，附签收照片。",
        files=[png("signed.png")],
        actor=owner_a,
        now=NOW + timedelta(hours=5),
    )
    complaint.refresh_from_db()
    assert complaint.state == "under_review"
    assert complaint.response_text == "已联系物流补送上门，附签收照片。"
    assert complaint.responded_at == NOW + timedelta(hours=5)
    assert list(complaint.evidence.values_list("party", "original_name")) == [("merchant", "signed.png")]
    assert _verbs(complaint)[-1] == "complaint.merchant_responded"


def test_start_review_and_withdraw():
    complaint = ComplaintFactory()
    complaint_accept(complaint_id=complaint.pk, now=NOW)
    complaint_start_review(complaint_id=complaint.pk, now=NOW)
    complaint_withdraw(complaint_id=complaint.pk, reason="消费者撤诉", now=NOW)
    complaint.refresh_from_db()
    assert complaint.state == "withdrawn"
    assert complaint.closed_at == NOW


@pytest.mark.parametrize("state", ["filed", "accepted", "awaiting_merchant", "under_review"])
def test_withdraw_from_every_open_state(state):
    complaint = ComplaintFactory(state=state)
    complaint_withdraw(complaint_id=complaint.pk)
    complaint.refresh_from_db()
    assert complaint.state == "withdrawn"


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("under_review", "accept"),
        ("withdrawn", "accept"),
        ("filed", "review"),
        ("upheld", "withdraw"),
        ("rejected", "review"),
    ],
)
def test_invalid_transitions_are_409_and_change_nothing(state, action):
    complaint = ComplaintFactory(state=state)
    call = {
        "accept": lambda: complaint_accept(complaint_id=complaint.pk),
        "review": lambda: complaint_start_review(complaint_id=complaint.pk),
        "withdraw": lambda: complaint_withdraw(complaint_id=complaint.pk),
    }[action]
    with pytest.raises(InvalidTransition) as info:
        call()
    assert info.value.status_code == 409
    complaint.refresh_from_db()
    assert complaint.state == state
    assert _verbs(complaint) == []


def test_invalid_transition_over_the_api_is_409(api_for, staff_adjudicator):
    complaint = ComplaintFactory(state="withdrawn")
    response = api_for(staff_adjudicator).post(f"/api/v1/staff/complaints/{complaint.pk}/accept", {})
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


def test_merchant_cannot_respond_after_the_lapse(merchant_a, owner_a):
    complaint = ComplaintFactory(order__merchant=merchant_a)
    complaint_accept(complaint_id=complaint.pk, now=NOW)
    assert complaints_lapse_responses(now=NOW + timedelta(hours=48, seconds=1)) == 1
    with pytest.raises(InvalidTransition):
        complaint_merchant_respond(
            complaint_id=complaint.pk, merchant_id=merchant_a.pk, text="晚了", actor=owner_a
        )
    complaint.refresh_from_db()
    assert complaint.state == "under_review"
    assert complaint.response_lapsed is True
    assert complaint.response_text == ""


def test_lapse_job_moves_only_lapsed_ones_and_is_idempotent():
    lapsed = ComplaintFactory()
    fresh = ComplaintFactory()
    complaint_accept(complaint_id=lapsed.pk, now=NOW)
    complaint_accept(complaint_id=fresh.pk, now=NOW + timedelta(hours=10))
    with time_machine.travel(NOW + timedelta(hours=49), tick=False):
        assert lapse_merchant_responses.delay().get() == 1
        assert lapse_merchant_responses.delay().get() == 0
    lapsed.refresh_from_db()
    fresh.refresh_from_db()
    assert (lapsed.state, fresh.state) == ("under_review", "awaiting_merchant")
    assert _verbs(lapsed)[-1] == "complaint.response_lapsed"


def test_overdue_escalation_flags_and_notifies_once():
    due = datetime(2024, 3, 11, 15, 59, 59, tzinfo=UTC)
    overdue = ComplaintFactory(state="under_review", due_at=due)
    on_time = ComplaintFactory(state="under_review", due_at=due + timedelta(days=3))
    decided = ComplaintFactory(state="upheld", due_at=due)
    with time_machine.travel(due + timedelta(seconds=1), tick=False):
        assert escalate_overdue.delay().get() == 1
        assert complaints_escalate_overdue() == 0
    overdue.refresh_from_db()
    assert overdue.escalated_at == due + timedelta(seconds=1)
    assert Complaint.objects.filter(pk__in=[on_time.pk, decided.pk], escalated_at__isnull=False).count() == 0
    assert list(Notification.objects.values_list("complaint_id", "kind")) == [(overdue.pk, "overdue")]
    assert _verbs(overdue) == ["complaint.escalated"]


def test_accept_and_ask_the_merchant_later():
    from complaints.services import complaint_ask_merchant

    complaint = ComplaintFactory()
    complaint_accept(complaint_id=complaint.pk, ask_merchant=None, now=NOW)
    complaint.refresh_from_db()
    assert complaint.state == "accepted"
    complaint_ask_merchant(complaint_id=complaint.pk, now=NOW + timedelta(hours=1))
    complaint.refresh_from_db()
    assert complaint.state == "awaiting_merchant"
    assert complaint.merchant_response_due_at == NOW + timedelta(hours=49)
    with pytest.raises(InvalidTransition):
        complaint_ask_merchant(complaint_id=complaint.pk)


def test_lapse_job_resumes_after_a_crash_half_way(monkeypatch):
    from complaints.services import jobs

    complaints = [ComplaintFactory() for _ in range(5)]
    for complaint in complaints:
        complaint_accept(complaint_id=complaint.pk, now=NOW)
    real = jobs.transition
    calls = {"n": 0}

    def crash_on_third(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker lost")
        return real(*args, **kwargs)

    monkeypatch.setattr(jobs, "transition", crash_on_third)
    later = NOW + timedelta(hours=49)
    with pytest.raises(RuntimeError):
        complaints_lapse_responses(now=later)
    assert Complaint.objects.filter(state="under_review").count() == 2
    monkeypatch.setattr(jobs, "transition", real)
    assert complaints_lapse_responses(now=later) == 3
    assert complaints_lapse_responses(now=later) == 0
    assert Complaint.objects.filter(state="under_review", response_lapsed=True).count() == 5
    assert AuditEvent.objects.filter(verb="complaint.response_lapsed").count() == 5
