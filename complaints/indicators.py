"""Set-based indicators of the facts the complaints app owns: complaints and help requests.

All per merchant (and per tag) for a half-open range [start, end) of aware datetimes (build it with
``core.periods``), in a fixed number of queries whatever the number of merchants. What counts is
defined once here:

- a **fault complaint**: upheld, the merchant at fault, still counting (no upheld appeal; withdrawn
  and rejected complaints never count), by its decision time. One order counts once however many
  complaints it has;
- a **refund dispute**: an order with a refund the platform's staff intervened in, by refund time;
- a **help request**: an order with at least one help request, by request time.

Every rate divides by the orders paid in the range (``commitments.indicators.paid_orders``).
"""

from datetime import datetime

from django.db.models import Count, Q, QuerySet

from commitments.indicators import paid_orders
from commitments.models import Commitment, Order
from core.bulk import filter_any_of
from core.metrics import Rate
from core.periods import calendar_month

from .models import Complaint, HelpRequest

FAULT_COMPLAINT = Q(
    state=Complaint.State.UPHELD,
    responsibility=Complaint.Responsibility.MERCHANT,
    counts_in_metrics=True,
)


def _per_merchant(counts: dict[int, int], orders: dict[int, int]) -> dict[int, Rate]:
    """Merchants with neither orders nor counted facts are absent (0 of 0)."""
    return {m: Rate(counts.get(m, 0), orders.get(m, 0)) for m in set(counts) | set(orders)}


def fault_complaints(*, start: datetime, end: datetime, merchant_ids=None) -> QuerySet[Complaint]:
    """Fault complaints decided in the range."""
    return filter_any_of(
        Complaint.objects.filter(FAULT_COMPLAINT, decided_at__gte=start, decided_at__lt=end), merchant_ids
    )


def fault_complaint_rate(*, start: datetime, end: datetime, merchant_ids=None) -> dict[int, Rate]:
    faults = dict(
        fault_complaints(start=start, end=end, merchant_ids=merchant_ids)
        .values("merchant_id")
        .annotate(n=Count("order_id", distinct=True))
        .values_list("merchant_id", "n")
    )
    return _per_merchant(faults, paid_orders(start=start, end=end, merchant_ids=merchant_ids))


def fault_complaint_rate_month(*, year: int, month: int, merchant_ids=None) -> dict[int, Rate]:
    return fault_complaint_rate(**calendar_month(year, month).bounds, merchant_ids=merchant_ids)


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
    committed = filter_any_of(
        Commitment.objects.filter(order__paid_at__gte=start, order__paid_at__lt=end), merchant_ids
    )
    orders = {
        (m, t): n
        for m, t, n in committed.values("merchant_id", "tag_id")
        .annotate(n=Count("order_id", distinct=True))
        .values_list("merchant_id", "tag_id", "n")
    }
    return {key: Rate(faults.get(key, 0), orders.get(key, 0)) for key in set(faults) | set(orders)}


def refund_disputes_by_merchant(*, start: datetime, end: datetime, merchant_ids=None) -> QuerySet:
    """Rows (merchant_id, n): orders refunded in the range with the platform's staff intervening (the
    Order columns ingestion folds in: ``refunded_at``, first wins; ``refund_staff_intervened``, sticky —
    docs/order-facts.md). Read by a partial index: disputes are a small share of orders. A query to
    read or to use inside a larger statement (the monthly evaluation's)."""
    disputes = filter_any_of(
        Order.objects.filter(refund_staff_intervened=True, refunded_at__gte=start, refunded_at__lt=end),
        merchant_ids,
    )
    return disputes.values("merchant_id").annotate(n=Count("pk")).values_list("merchant_id", "n")


def refund_disputes(*, start: datetime, end: datetime, merchant_ids=None) -> dict[int, int]:
    """Per merchant: ``refund_disputes_by_merchant`` as a dict."""
    return dict(refund_disputes_by_merchant(start=start, end=end, merchant_ids=merchant_ids))


def refund_dispute_rate(*, start: datetime, end: datetime, merchant_ids=None) -> dict[int, Rate]:
    """Refund disputes (``refund_disputes``) over the orders paid in the range."""
    return _per_merchant(
        refund_disputes(start=start, end=end, merchant_ids=merchant_ids),
        paid_orders(start=start, end=end, merchant_ids=merchant_ids),
    )


def platform_help_rate(*, start: datetime, end: datetime, merchant_ids=None) -> dict[int, Rate]:
    helped = filter_any_of(
        HelpRequest.objects.filter(requested_at__gte=start, requested_at__lt=end), merchant_ids
    )
    counts = dict(
        helped.values("merchant_id")
        .annotate(n=Count("order_id", distinct=True))
        .values_list("merchant_id", "n")
    )
    return _per_merchant(counts, paid_orders(start=start, end=end, merchant_ids=merchant_ids))


def complaint_counts_by_standard(
    *, start: datetime, end: datetime, merchant_ids=None
) -> dict[int, dict[str, int]]:
    """Per merchant and service standard: complaints filed in the range (every state)."""
    qs = filter_any_of(Complaint.objects.filter(filed_at__gte=start, filed_at__lt=end), merchant_ids)
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
    qs = filter_any_of(
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
    return filter_any_of(qs, merchant_ids).select_related("order", "appeal")
