"""Reads for the desk: queue, detail, statistics. Set-based metrics live in ``complaints/indicators.py``."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from statistics import median

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from core.singletons import settings_snapshot

from .models import Complaint, DeskRules, DeskSettings, Notification

# --- settings ------------------------------------------------------------------------------------


def desk_settings() -> DeskRules:
    """The current DeskSettings as a snapshot: one cache read, the database only on a miss."""
    return settings_snapshot(DeskSettings)


# --- the desk -----------------------------------------------------------------------------------


def complaint_queue(
    *,
    state: str = "",
    standard: str = "",
    merchant_id: int | None = None,
    overdue: bool = False,
    due_before: datetime | None = None,
    urgent: bool = False,
    appealed: bool = False,
    open_only: bool = True,
    now: datetime | None = None,
) -> QuerySet[Complaint]:
    """Urgent first, then least time left (due_at ascending); decided ones after open ones.

    `due_before`: open and not overdue yet, due before that moment (the dashboard's "due today");
    `appealed`: the merchant's appeal waits for a decision.
    """
    now = now or timezone.now()
    qs = Complaint.objects.select_related("merchant", "standard", "tag", "order")
    if state:
        qs = qs.filter(state=state)
    elif open_only:
        qs = qs.filter(state__in=Complaint.OPEN_STATES)
    if standard:
        qs = qs.filter(standard__code=standard)
    if merchant_id:
        qs = qs.filter(merchant_id=merchant_id)
    if overdue:
        qs = qs.filter(state__in=Complaint.OPEN_STATES, due_at__lt=now)
    if due_before is not None:
        qs = qs.filter(state__in=Complaint.OPEN_STATES, due_at__gte=now, due_at__lt=due_before)
    if urgent:
        qs = qs.filter(urgent=True)
    if appealed:
        qs = qs.filter(appeal__state="filed")
    is_open = Case(
        When(state__in=Complaint.OPEN_STATES, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return qs.annotate(closed_rank=is_open).order_by("closed_rank", "-urgent", "due_at", "pk")


def complaints_for_merchant(*, merchant_id: int, state: str = "") -> QuerySet[Complaint]:
    qs = Complaint.objects.filter(merchant_id=merchant_id).select_related(
        "standard", "tag", "order", "appeal"
    )
    if state:
        qs = qs.filter(state=state)
    return qs.order_by(
        Case(When(state=Complaint.State.AWAITING_MERCHANT, then=Value(0)), default=Value(1)),
        F("merchant_response_due_at").asc(nulls_last=True),
        "-filed_at",
    )


def complaint_get(complaint_id: int, *, merchant_id: int | None = None) -> Complaint:
    qs = Complaint.objects.select_related(
        "merchant",
        "standard",
        "tag",
        "order__product",
        "order__category",
        "order__brand",
        "voucher",
        "decided_by",
    )
    if merchant_id is not None:
        qs = qs.filter(merchant_id=merchant_id)
    complaint = qs.filter(pk=complaint_id).first()
    if complaint is None:
        raise Http404("No such complaint.")
    return complaint


def unread_notifications(limit: int = 20) -> QuerySet[Notification]:
    return Notification.objects.filter(read_at__isnull=True).select_related("complaint")[:limit]


@dataclass(frozen=True)
class DeskStatistics:
    decided: int
    decided_within_sla: int
    median_hours_to_decision: float | None
    open_count: int
    overdue_count: int
    urgent_open: int

    @property
    def share_within_sla(self) -> Decimal | None:
        if not self.decided:
            return None
        return Decimal(self.decided_within_sla) / Decimal(self.decided)


def desk_statistics(*, days: int = 30, now: datetime | None = None) -> DeskStatistics:
    """Over complaints decided in the last `days` days, and the open queue now."""
    now = now or timezone.now()
    since = now - timedelta(days=days)
    decided = Complaint.objects.filter(state__in=Complaint.DECIDED_STATES, decided_at__gte=since)
    agg = decided.aggregate(n=Count("pk"), within=Count("pk", filter=Q(decided_at__lte=F("due_at"))))
    # Durations for the median; bounded by the window, read as two columns.
    durations = [
        (decided_at - filed_at).total_seconds() / 3600
        for filed_at, decided_at in decided.values_list("filed_at", "decided_at")
    ]
    open_qs = Complaint.objects.filter(state__in=Complaint.OPEN_STATES)
    open_agg = open_qs.aggregate(
        n=Count("pk"),
        overdue=Count("pk", filter=Q(due_at__lt=now)),
        urgent=Count("pk", filter=Q(urgent=True)),
    )
    return DeskStatistics(
        decided=agg["n"],
        decided_within_sla=agg["within"],
        median_hours_to_decision=round(median(durations), 1) if durations else None,
        open_count=open_agg["n"],
        overdue_count=open_agg["overdue"],
        urgent_open=open_agg["urgent"],
    )
