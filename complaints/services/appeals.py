"""Merchant appeals of upheld complaints: an upheld appeal reverses the recovery and the metric, never the
shopper's compensation (the platform absorbs it)."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from commitments.models import Breach
from commitments.services import breach_exclude_from_metrics, metrics_days_mark
from core.audit import audit_record
from core.errors import ApplicationError, Conflict, InvalidTransition, NotFound, check_transition
from core.files import validate_evidence
from merchants.services import deposit_post_entry

from .. import texts
from ..errors import ComplaintError
from ..models import Appeal, Complaint, Notification
from ..selectors import desk_settings
from .evidence import evidence_discard_on_error, evidence_store
from .workflow import complaint_lock

APPEAL_SOURCE_TYPE = "complaints.complaint_appeal"


def appeal_deadline(complaint: Complaint):
    if complaint.decided_at is None:
        return None
    return complaint.decided_at + timedelta(days=desk_settings().appeal_days)


def complaint_appeal_file(
    *, complaint_id: int, merchant_id: int, reason: str, files: list | None = None, actor=None, now=None
) -> Appeal:
    files = list(files or [])
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Explain why you appeal.", fields={"reason": ["required"]})
    validate_evidence(files)
    now = now or timezone.now()
    with evidence_discard_on_error(), transaction.atomic():
        complaint = complaint_lock(complaint_id)
        if complaint.merchant_id != merchant_id:
            raise NotFound("No such complaint.")
        if not complaint.is_fault:
            raise InvalidTransition(
                "Only a complaint upheld with your shop at fault can be appealed.",
                fields={"state": [f"{complaint.state} / {complaint.responsibility or '-'}"]},
            )
        deadline = appeal_deadline(complaint)
        if now > deadline:
            raise InvalidTransition(
                f"The appeal period ended on {deadline:%Y-%m-%d %H:%M} UTC.",
                code=ComplaintError.APPEAL_PERIOD_OVER,
                fields={"complaint": ["appeal period over"]},
            )
        if Appeal.objects.filter(complaint=complaint).exists():
            raise Conflict("This complaint has already been appealed.", fields={"complaint": ["appealed"]})
        try:
            with transaction.atomic():
                appeal = Appeal.objects.create(
                    complaint=complaint,
                    reason=reason,
                    filed_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
        except IntegrityError as exc:
            raise Conflict("This complaint has already been appealed.") from exc
        evidence_store(complaint=complaint, party="appeal", files=files, actor=actor)
        Notification.objects.get_or_create(
            complaint=complaint,
            kind=Notification.Kind.APPEAL,
            defaults={"message": f"Appeal filed on complaint {complaint.external_id}"},
        )
        audit_record(
            actor=actor,
            verb="complaint.appeal_filed",
            target=complaint,
            data={"appeal": appeal.pk, "files": len(files)},
        )
    return appeal


def complaint_appeal_decide(*, appeal_id: int, outcome: str, reason: str, actor=None, now=None) -> Appeal:
    if outcome not in (Appeal.State.UPHELD, Appeal.State.REJECTED):
        raise ApplicationError("Decide upheld or rejected.", fields={"outcome": ["upheld or rejected"]})
    if not (reason or "").strip():
        raise ApplicationError("Give the reason.", fields={"reason": ["required"]})
    now = now or timezone.now()
    with transaction.atomic():
        complaint_id = Appeal.objects.filter(pk=appeal_id).values_list("complaint_id", flat=True).first()
        if complaint_id is None:
            raise NotFound("No such appeal.")
        # Stable lock order: the complaint, then its appeal.
        complaint = complaint_lock(complaint_id)
        appeal = Appeal.objects.select_for_update().get(pk=appeal_id)
        check_transition(
            allowed=Appeal.ALLOWED_TRANSITIONS, current=appeal.state, target=outcome, what="appeal"
        )
        appeal.state = outcome
        appeal.decided_at = now
        appeal.decided_by = actor if getattr(actor, "is_authenticated", False) else None
        appeal.decision_reason = reason.strip()
        update = ["state", "decided_at", "decided_by", "decision_reason", "updated_at"]
        if outcome == Appeal.State.UPHELD:
            if complaint.recovery_entry_id is not None:
                amount = -complaint.recovery_entry.amount
                appeal.reversal_entry = deposit_post_entry(
                    merchant_id=complaint.merchant_id,
                    kind="reversal",
                    amount=amount,
                    memo=texts.appeal_upheld(complaint.external_id),
                    source_type=APPEAL_SOURCE_TYPE,
                    source_id=str(complaint.pk),
                    actor=actor,
                )
                update.append("reversal_entry")
            complaint.counts_in_metrics = False
            complaint.save(update_fields=["counts_in_metrics", "updated_at"])
            metrics_days_mark(order_ids=[complaint.order_id], now=now)
            if complaint.breach_id is not None:
                # A breach this complaint established leaves the metrics with it.
                breach_exclude_from_metrics(
                    breach_id=complaint.breach_id,
                    reason=f"appeal upheld: complaint {complaint.external_id}",
                    source=Breach.Source.COMPLAINT,
                    actor=actor,
                )
        appeal.save(update_fields=update)
        audit_record(
            actor=actor,
            verb=f"complaint.appeal_{outcome}",
            target=complaint,
            data={
                "appeal": appeal.pk,
                "reversed": str(appeal.reversal_entry.amount) if appeal.reversal_entry_id else None,
            },
        )
    return appeal
