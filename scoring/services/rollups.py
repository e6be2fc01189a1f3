"""Daily rollups per merchant × category × local paid day, and their incremental maintenance.

``rollup_days(day, merchant_ids)`` re-aggregates one local day from the order facts (all merchants,
or only those given) in two grouped queries and replaces the day's rows. The daily job calls it only
for the days ingestion and decisions marked (``commitments.MetricsDirtyDay``); the full rebuild calls
it for every day. Both go through the same function, so they agree by construction; a property test
checks it on randomized data.

What each counter counts, for orders paid that day (the facts are Order columns, docs/order-facts.md):

- orders; orders_live: not cancelled before a pickup scan;
- rating_n / rating_sum: orders with a product rating, and the ratings' sum; dsr_n / dsr_sum: orders
  with all three DSR items, and their sum;
- quality_refunds: refunded with reason quality or not_as_described;
- pickup_48h: first pickup scan within 48 h of payment;
- signed_n / sign_seconds: delivered orders, and the seconds from payment to delivery summed;
- logistics_exceptions: orders with a logistics exception event;
- negative_logistics: a 1–2★ logistics rating or a logistics help request (urge logistics, stalled);
- handled_n / handling_seconds: refunds requested and completed, and the seconds between summed;
- refund_disputes: refunds the platform's staff intervened in;
- help_orders: orders with at least one help request;
- dispatch_decided / dispatch_kept / dispatch_violations: dispatch-speed commitments decided, kept
  (``commitments.indicators`` rules), and broken as established by an upheld complaint (false
  shipment / out of stock);
- commitments_decided / commitments_kept: every commitment, the same rules.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, Sum
from django.utils import timezone

from commitments.indicators import COMMITMENT_BROKEN, COMMITMENT_KEPT, PICKUP_KINDS
from commitments.models import Breach, Commitment, MetricsDirtyDay, Order, RefundReason
from complaints.models import HelpRequest
from core.periods import local_date, local_day

from ..models import DailyRollup

LOGISTICS_HELP = (HelpRequest.Scenario.URGE_LOGISTICS, HelpRequest.Scenario.LOGISTICS_STALLED)
# A mark younger than this at the job's start may belong to a transaction the job could not see yet:
# it stays for the next run (re-aggregating a day twice is harmless).
MARK_SETTLE = timedelta(minutes=10)


def _seconds(value) -> int:
    if value is None:
        return 0
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    return int(value) // 1_000_000  # SQLite without conversion: microseconds


def _order_counters(day: date, merchant_ids) -> dict[tuple[int, int], dict]:
    bounds = local_day(day)
    qs = Order.objects.filter(paid_at__gte=bounds.start, paid_at__lt=bounds.end)
    if merchant_ids is not None:
        qs = qs.filter(merchant_id__in=list(merchant_ids))
    helped = HelpRequest.objects.filter(order_id=OuterRef("pk"))
    refunded = Q(refunded_at__isnull=False)
    rows = qs.values("merchant_id", "category_id").annotate(
        orders=Count("pk"),
        orders_live=Count("pk", filter=Q(cancelled_at__isnull=True) | Q(first_pickup_at__isnull=False)),
        rating_n=Count("pk", filter=Q(rating_product__isnull=False)),
        rating_sum=Sum("rating_product"),
        dsr_n=Count(
            "pk",
            filter=Q(
                rating_described__isnull=False, rating_attitude__isnull=False, rating_logistics__isnull=False
            ),
        ),
        dsr_sum=Sum(
            F("rating_described") + F("rating_attitude") + F("rating_logistics"),
            filter=Q(
                rating_described__isnull=False, rating_attitude__isnull=False, rating_logistics__isnull=False
            ),
        ),
        quality_refunds=Count(
            "pk", filter=refunded & Q(refund_reason__in=[RefundReason.QUALITY, RefundReason.NOT_AS_DESCRIBED])
        ),
        pickup_48h=Count("pk", filter=Q(first_pickup_at__lte=F("paid_at") + timedelta(hours=48))),
        signed_n=Count("pk", filter=Q(delivered_at__isnull=False)),
        sign_seconds=Sum(
            ExpressionWrapper(F("delivered_at") - F("paid_at"), output_field=DurationField()),
            filter=Q(delivered_at__isnull=False),
        ),
        logistics_exceptions=Count("pk", filter=Q(logistics_exception_at__isnull=False)),
        negative_logistics=Count(
            "pk", filter=Q(rating_logistics__lte=2) | Exists(helped.filter(scenario__in=LOGISTICS_HELP))
        ),
        handled_n=Count("pk", filter=refunded & Q(refund_requested_at__isnull=False)),
        handling_seconds=Sum(
            ExpressionWrapper(F("refunded_at") - F("refund_requested_at"), output_field=DurationField()),
            filter=refunded & Q(refund_requested_at__isnull=False),
        ),
        refund_disputes=Count("pk", filter=refunded & Q(refund_staff_intervened=True)),
        help_orders=Count("pk", filter=Exists(helped)),
    )
    out = {}
    for row in rows:
        key = (row.pop("merchant_id"), row.pop("category_id"))
        row["sign_seconds"] = _seconds(row["sign_seconds"])
        row["handling_seconds"] = _seconds(row["handling_seconds"])
        out[key] = {k: v or 0 for k, v in row.items()}
    return out


def _commitment_counters(day: date, merchant_ids) -> dict[tuple[int, int], dict]:
    bounds = local_day(day)
    qs = Commitment.objects.filter(order__paid_at__gte=bounds.start, order__paid_at__lt=bounds.end)
    if merchant_ids is not None:
        qs = qs.filter(merchant_id__in=list(merchant_ids))
    dispatch = Q(terms_version__terms__kind__in=list(PICKUP_KINDS))
    rows = qs.values("merchant_id", "order__category_id").annotate(
        dispatch_decided=Count("pk", filter=dispatch & (COMMITMENT_KEPT | COMMITMENT_BROKEN)),
        dispatch_kept=Count("pk", filter=dispatch & COMMITMENT_KEPT),
        dispatch_violations=Count(
            "pk", filter=dispatch & COMMITMENT_BROKEN & Q(breach__source=Breach.Source.COMPLAINT)
        ),
        commitments_decided=Count("pk", filter=COMMITMENT_KEPT | COMMITMENT_BROKEN),
        commitments_kept=Count("pk", filter=COMMITMENT_KEPT),
    )
    return {(row.pop("merchant_id"), row.pop("order__category_id")): row for row in rows}


def rollup_days(day: date, merchant_ids: Iterable[int] | None = None) -> int:
    """Re-aggregate one local day (every merchant, or these): replace its rollup rows. Returns rows written."""
    merchant_ids = None if merchant_ids is None else sorted(set(merchant_ids))
    counters = _order_counters(day, merchant_ids)
    for key, values in _commitment_counters(day, merchant_ids).items():
        if key in counters:  # a commitment always has its order
            counters[key].update(values)
    rows = [
        DailyRollup(merchant_id=m, category_id=c, day=day, **values)
        for (m, c), values in sorted(counters.items())
    ]
    with transaction.atomic():
        existing = DailyRollup.objects.filter(day=day)
        if merchant_ids is not None:
            existing = existing.filter(merchant_id__in=merchant_ids)
        existing.delete()
        DailyRollup.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def rollups_refresh(*, now: datetime | None = None, progress=None) -> int:
    """Re-aggregate every marked merchant-day, then clear the marks that were settled before we started.

    One pass per marked day (a query per day, never per merchant). Returns the number of marked
    merchant-days processed. Safe to run twice; a crash leaves the marks in place for the next run.
    """
    now = now or timezone.now()
    settled = now - MARK_SETTLE
    by_day: dict[date, list[int]] = {}
    for merchant_id, day in MetricsDirtyDay.objects.values_list("merchant_id", "day").order_by(
        "day", "merchant_id"
    ):
        by_day.setdefault(day, []).append(merchant_id)
    days = sorted(by_day)
    for day in progress(days) if progress else days:
        rollup_days(day, by_day[day])
    MetricsDirtyDay.objects.filter(marked_at__lte=settled).delete()
    return sum(len(v) for v in by_day.values())


def rollups_rebuild(*, first_day: date | None = None, last_day: date, progress=None) -> int:
    """Re-aggregate every day from the first paid order (or first_day) to last_day, for every merchant;
    the marks settled before the start are then spent."""
    started = timezone.now()
    if first_day is None:
        first = Order.objects.order_by("paid_at").values_list("paid_at", flat=True).first()
        if first is None:
            DailyRollup.objects.all().delete()
            return 0
        first_day = local_date(first)
    DailyRollup.objects.filter(day__lt=first_day).delete()
    DailyRollup.objects.filter(day__gt=last_day).delete()
    days = [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]
    written = 0
    for day in progress(days) if progress else days:
        written += rollup_days(day)
    MetricsDirtyDay.objects.filter(marked_at__lte=started - MARK_SETTLE, day__lte=last_day).delete()
    return written
