"""Periodic desk jobs: lapse merchant responses after 48 h, escalate overdue complaints."""

from django.db import transaction
from django.utils import timezone

from core.audit import SYSTEM
from core.errors import InvalidTransition
from core.models import AuditEvent

from ..models import Complaint, Notification
from .workflow import complaint_lock, transition

BATCH = 500


def complaints_lapse_responses(*, now=None, batch_size: int = BATCH) -> int:
    """awaiting_merchant past its response deadline → under_review. Safe to rerun or crash half-way."""
    now = now or timezone.now()
    moved = 0
    last_id = 0
    while True:
        ids = list(
            Complaint.objects.filter(
                state=Complaint.State.AWAITING_MERCHANT, merchant_response_due_at__lt=now, pk__gt=last_id
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return moved
        for complaint_id in ids:
            with transaction.atomic():
                complaint = complaint_lock(complaint_id)
                if complaint.state != Complaint.State.AWAITING_MERCHANT:
                    continue  # answered meanwhile
                try:
                    transition(
                        complaint,
                        target=Complaint.State.UNDER_REVIEW,
                        actor=None,
                        verb="complaint.response_lapsed",
                        now=now,
                        fields={"response_lapsed": True},
                    )
                except InvalidTransition:
                    continue
                moved += 1
        last_id = ids[-1]


def complaints_escalate_overdue(*, now=None) -> int:
    """Flag open complaints past their due time and notify the adjudicators. Set-based, idempotent."""
    now = now or timezone.now()
    overdue = Complaint.objects.filter(
        state__in=Complaint.OPEN_STATES, due_at__lt=now, escalated_at__isnull=True
    )
    ids = list(overdue.values_list("pk", flat=True))
    if not ids:
        return 0
    with transaction.atomic():
        # Compare-and-set: a concurrent run flags nothing twice.
        flagged = list(
            Complaint.objects.select_for_update(skip_locked=True)
            .filter(pk__in=ids, escalated_at__isnull=True)
            .values_list("pk", "external_id", "due_at")
        )
        Complaint.objects.filter(pk__in=[pk for pk, _e, _d in flagged]).update(
            escalated_at=now, updated_at=now
        )
        Notification.objects.bulk_create(
            [
                Notification(
                    complaint_id=pk,
                    kind=Notification.Kind.OVERDUE,
                    message=f"Complaint {external_id} is overdue (due {due_at:%Y-%m-%d %H:%M} UTC)",
                )
                for pk, external_id, due_at in flagged
            ],
            ignore_conflicts=True,
        )
        AuditEvent.objects.bulk_create(
            [
                AuditEvent(
                    actor_label=SYSTEM,
                    verb="complaint.escalated",
                    target_type=Complaint._meta.label_lower,
                    target_id=str(pk),
                    data={"at": now.isoformat()},
                )
                for pk, _external_id, _due_at in flagged
            ]
        )
    return len(flagged)
