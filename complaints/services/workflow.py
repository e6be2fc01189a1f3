"""The complaint state machine: one transition helper, row locks, audit, and the simple state changes."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from core.audit import audit_record
from core.calendar import end_of_local_day, local_date, working_day_after_detail
from core.errors import ApplicationError, Forbidden, InvalidTransition, NotFound, check_transition
from core.files import validate_evidence
from core.locks import lock_one

from ..models import Complaint
from ..selectors import desk_settings
from .evidence import evidence_discard_on_error, evidence_store

# The timestamp each state stamps when entered.
_STAMPS = {
    Complaint.State.ACCEPTED: "accepted_at",
    Complaint.State.UNDER_REVIEW: "review_started_at",
    Complaint.State.UPHELD: "closed_at",
    Complaint.State.REJECTED: "closed_at",
    Complaint.State.WITHDRAWN: "closed_at",
}


def complaint_due(filed_at: datetime, *, working_days: int | None = None) -> tuple[datetime, bool]:
    """23:59:59 Asia/Shanghai of the n-th PRC working day strictly after the filing date, and the fallback flag."""
    n = working_days or desk_settings().due_working_days
    answer = working_day_after_detail(local_date(filed_at), n)
    return end_of_local_day(answer.day), answer.fallback_used


def complaint_lock(complaint_id: int) -> Complaint:
    """The complaint, locked for this transaction (call inside transaction.atomic)."""
    return lock_one(Complaint, pk=complaint_id, missing="No such complaint.")


def transition(
    complaint: Complaint,
    *,
    target: str,
    actor,
    verb: str,
    now: datetime,
    fields: dict | None = None,
    data: dict | None = None,
) -> Complaint:
    """Move a LOCKED complaint to `target`: check the table, stamp, save the changed fields, audit."""
    check_transition(
        allowed=Complaint.ALLOWED_TRANSITIONS, current=complaint.state, target=target, what="complaint"
    )
    previous = complaint.state
    changed = {"state": target, **(fields or {})}
    stamp = _STAMPS.get(target)
    if stamp and stamp not in changed:
        changed[stamp] = now
    for name, value in changed.items():
        setattr(complaint, name, value)
    complaint.save(update_fields=[*changed, "updated_at"])
    audit_record(
        actor=actor,
        verb=verb,
        target=complaint,
        data={"from": previous, "to": target, **(data or {})},
    )
    return complaint


def complaint_accept(
    *, complaint_id: int, ask_merchant: bool | None = True, actor=None, now=None
) -> Complaint:
    """filed → accepted, then at once → awaiting_merchant (48 h to answer) when `ask_merchant` is True,
    → under_review when False; None stays accepted (the merchant is asked later)."""
    now = now or timezone.now()
    with transaction.atomic():
        complaint = complaint_lock(complaint_id)
        transition(
            complaint, target=Complaint.State.ACCEPTED, actor=actor, verb="complaint.accepted", now=now
        )
        if ask_merchant is None:
            return complaint
        if ask_merchant:
            complaint_request_response(complaint=complaint, actor=actor, now=now)
        else:
            transition(
                complaint,
                target=Complaint.State.UNDER_REVIEW,
                actor=actor,
                verb="complaint.review_started",
                now=now,
            )
    return complaint


def complaint_request_response(*, complaint: Complaint, actor=None, now: datetime) -> Complaint:
    """accepted → awaiting_merchant on a LOCKED complaint."""
    hours = desk_settings().merchant_response_hours
    due = now + timedelta(hours=hours)
    return transition(
        complaint,
        target=Complaint.State.AWAITING_MERCHANT,
        actor=actor,
        verb="complaint.merchant_asked",
        now=now,
        fields={"merchant_response_due_at": due},
        data={"response_due_at": due.isoformat()},
    )


def complaint_ask_merchant(*, complaint_id: int, actor=None, now=None) -> Complaint:
    """accepted → awaiting_merchant: the merchant has 48 hours from now."""
    now = now or timezone.now()
    with transaction.atomic():
        complaint = complaint_lock(complaint_id)
        return complaint_request_response(complaint=complaint, actor=actor, now=now)


def complaint_start_review(*, complaint_id: int, actor=None, now=None) -> Complaint:
    """accepted/awaiting_merchant → under_review (staff move on without waiting)."""
    now = now or timezone.now()
    with transaction.atomic():
        complaint = complaint_lock(complaint_id)
        return transition(
            complaint,
            target=Complaint.State.UNDER_REVIEW,
            actor=actor,
            verb="complaint.review_started",
            now=now,
        )


def complaint_withdraw(*, complaint_id: int, reason: str = "", actor=None, now=None) -> Complaint:
    now = now or timezone.now()
    with transaction.atomic():
        complaint = complaint_lock(complaint_id)
        return transition(
            complaint,
            target=Complaint.State.WITHDRAWN,
            actor=actor,
            verb="complaint.withdrawn",
            now=now,
            data={"reason": reason[:300]},
        )


def complaint_merchant_respond(
    *, complaint_id: int, merchant_id: int, text: str, files: list | None = None, actor=None, now=None
) -> Complaint:
    """The merchant answers (text + evidence) while awaiting_merchant → under_review."""

    files = list(files or [])
    text = (text or "").strip()
    if not text:
        raise ApplicationError("Write your response.", fields={"text": ["required"]})
    validate_evidence(files)
    now = now or timezone.now()
    with evidence_discard_on_error(), transaction.atomic():
        complaint = complaint_lock(complaint_id)
        if complaint.merchant_id != merchant_id:
            raise NotFound("No such complaint.")
        if complaint.state != Complaint.State.AWAITING_MERCHANT:
            raise InvalidTransition(
                "This complaint is not waiting for your response.",
                fields={"state": [f"current state is {complaint.state!r}"]},
            )
        evidence_store(complaint=complaint, party="merchant", files=files, actor=actor)
        transition(
            complaint,
            target=Complaint.State.UNDER_REVIEW,
            actor=actor,
            verb="complaint.merchant_responded",
            now=now,
            fields={"responded_at": now, "response_text": text},
            data={"files": len(files), "late": bool(now > complaint.merchant_response_due_at)},
        )
    return complaint


def ensure_merchant_owns(complaint: Complaint, merchant_id: int) -> None:
    if complaint.merchant_id != merchant_id:
        raise Forbidden("This complaint is not against your shop.")
