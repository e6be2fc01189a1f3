"""Reads for the desk (queue, detail, statistics) and the set-based metrics other apps use.

Metrics, all per merchant (and per tag) for a half-open time range [start, end):
- fault complaint rate: distinct orders with an upheld, merchant-at-fault complaint that still counts
  (not reversed on appeal), decided in the range ÷ orders paid in the range. One order counts once
  however many complaints it has;
- refund dispute rate: distinct orders with a `refunded` event with data.staff_intervened in the
  range ÷ orders paid in the range;
- platform help rate: distinct orders with a help request in the range ÷ orders paid in the range;
- complaint counts by standard: complaints filed in the range.
Each answers with a fixed number of queries whatever the number of merchants.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from statistics import median

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from commitments.models import Commitment, FulfilmentEvent, Order
from core.calendar import business_tz

from .models import Complaint, HelpRequest, Notification


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def rate(self) -> Decimal | None:
        if not self.denominator:
            return None
        return Decimal(self.numerator) / Decimal(self.denominator)


def month_range(year: int, month: int) -> tuple[datetime, datetime]:
    """[first instant, first instant of next month) of a calendar month in Asia/Shanghai."""
    tz = business_tz()
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start, end


def _merchant_filter(qs: QuerySet, merchant_ids, field: str = "merchant_id") -> QuerySet:
    return qs.filter(**{f"{field}__in": list(merchant_ids)}) if merchant_ids is not None else qs


def orders_paid(*, start: datetime, end: datetime, merchant_ids=None) -> dict[int, int]:
    qs = _merchant_filter(Order.objects.filter(paid_at__gte=start, paid_at__lt=end), merchant_ids)
    return dict(qs.values("merchant_id").annotate(n=Count("pk")).values_list("merchant_id", "n"))


def fault_complaints(*, start: datetime, end: datetime, merchant_ids=None) -> QuerySet[Complaint]:
    """Upheld, merchant at fault, still counting (no upheld appeal), decided in the range."""
    qs = Complaint.objects.filter(
        state=Complaint.State.UPHELD,
        responsibility=Complaint.Responsibility.MERCHANT,
        counts_in_metrics=True,
        decided_at__gte=start,
        decided_at__lt=end,
    )
    return _merchant_filter(qs, merchant_ids)


def fault_complaint_rate(*, start: datetime, end: datetime, merchant_ids=None) -> dict[int, Rate]:
    """Per merchant; merchants with neither orders nor fault complaints are absent (rate 0 of 0)."""
    faults = dict(
        fault_complaints(start=start, end=end, merchant_ids=merchant_ids)
        .values("merchant_id")
        .annotate(n=Count("order_id", distinct=True))
        .values_list("merchant_id", "n")
    )
    orders = orders_paid(start=start, end=end, merchant_ids=merchant_ids)
    return {m: Rate(faults.get(m, 0), orders.get(m, 0)) for m in set(faults) | set(orders)}


def fault_complaint_rate_month(*, year: int, month: int, merchant_ids=None) -> dict[int, Rate]:
    start, end = month_range(year, month)
    return fault_complaint_rate(start=start, end=end, merchant_ids=merchant_ids)


def fault_complaint_rate_by_tag(
    *, start: datetime, end: datetime, merchant_ids=None
) -> dict[tuple[int, int], Rate]:
    """Per (merchant, tag): tag-linked fault complaints ÷ orders paid in the range carrying that tag's commitment."""
    faults = {
        (m, t): n
        for m, t, n in fault_complaints(start=start, end=end, merchant_ids=merchant_ids)
        .filter(tag_id__isnull=False)
        .values("merchant_id", "tag_id")
        .annotate(n=Count("order_id", distinct=True))
        .values_list("merchant_id", "tag_id", "n")
    }
    committed = _merchant_filter(
        Commitment.objects.filter(order__paid_at__gte=start, order__paid_at__lt=end), merchant_ids
    )
    orders = {
        (m, t): n
        for m, t, n in committed.values("merchant_id", "tag_id")
        .annotate(n=Count("order_id", distinct=True))
        .values_list("merchant_id", "tag_id", "n")
    }
    return {key: Rate(faults.get(key, 0), orders.get(key, 0)) for key in set(faults) | set(orders)}


def refund_dispute_rate(*, start: datetime, end: datetime, merchant_ids=None) -> dict[int, Rate]:
    disputes = _merchant_filter(
        FulfilmentEvent.objects.filter(
            kind=FulfilmentEvent.Kind.REFUNDED,
            data__staff_intervened=True,
            occurred_at__gte=start,
            occurred_at__lt=end,
        ),
        merchant_ids,
        field="order__merchant_id",
    )
    counts = dict(
        disputes.values("order__merchant_id")
        .annotate(n=Count("order_id", distinct=True))
        .values_list("order__merchant_id", "n")
    )
    orders = orders_paid(start=start, end=end, merchant_ids=merchant_ids)
    return {m: Rate(counts.get(m, 0), orders.get(m, 0)) for m in set(counts) | set(orders)}


def platform_help_rate(*, start: datetime, end: datetime, merchant_ids=None) -> dict[int, Rate]:
    helped = _merchant_filter(
        HelpRequest.objects.filter(requested_at__gte=start, requested_at__lt=end), merchant_ids
    )
    counts = dict(
        helped.values("merchant_id")
        .annotate(n=Count("order_id", distinct=True))
        .values_list("merchant_id", "n")
    )
    orders = orders_paid(start=start, end=end, merchant_ids=merchant_ids)
    return {m: Rate(counts.get(m, 0), orders.get(m, 0)) for m in set(counts) | set(orders)}


def complaint_counts_by_standard(
    *, start: datetime, end: datetime, merchant_ids=None
) -> dict[int, dict[str, int]]:
    qs = _merchant_filter(Complaint.objects.filter(filed_at__gte=start, filed_at__lt=end), merchant_ids)
    result: dict[int, dict[str, int]] = {}
    for merchant_id, code, n in (
        qs.values("merchant_id", "standard__code")
        .annotate(n=Count("pk"))
        .values_list("merchant_id", "standard__code", "n")
    ):
        result.setdefault(merchant_id, {})[code] = n
    return result


def help_request_counts_by_scenario(
    *, start: datetime, end: datetime, merchant_ids=None
) -> dict[int, dict[str, int]]:
    qs = _merchant_filter(
        HelpRequest.objects.filter(requested_at__gte=start, requested_at__lt=end), merchant_ids
    )
    result: dict[int, dict[str, int]] = {}
    for merchant_id, scenario, n in (
        qs.values("merchant_id", "scenario")
        .annotate(n=Count("pk"))
        .values_list("merchant_id", "scenario", "n")
    ):
        result.setdefault(merchant_id, {})[scenario] = n
    return result


def complaints_under_appeal(*, merchant_ids=None) -> QuerySet[Complaint]:
    """Fault complaints whose appeal is still open: the monthly evaluation leaves them out and lists them."""
    qs = Complaint.objects.filter(
        state=Complaint.State.UPHELD,
        responsibility=Complaint.Responsibility.MERCHANT,
        appeal__state="filed",
    )
    return _merchant_filter(qs, merchant_ids).select_related("order", "appeal")


# --- the desk -----------------------------------------------------------------------------------


def complaint_queue(
    *,
    state: str = "",
    standard: str = "",
    merchant_id: int | None = None,
    overdue: bool = False,
    open_only: bool = True,
    now: datetime | None = None,
) -> QuerySet[Complaint]:
    """Urgent first, then least time left (due_at ascending); decided ones after open ones."""
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
