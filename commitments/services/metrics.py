"""Marking the merchant × local paid days whose metric facts changed (read by the score rollups).

Every write that changes a fact a metric reads calls ``metrics_days_mark`` inside its transaction:
the mark commits or rolls back with the change. Re-marking a day moves its ``marked_at`` forward, so
the rollup job (which clears only marks older than its start) never loses a change made while it ran.
"""

from django.utils import timezone

from core.periods import local_date

from ..models import MetricsDirtyDay, Order


def metrics_days_mark(*, order_ids=(), commitment_ids=(), now=None) -> int:
    """Mark the (merchant, local paid day) of these orders / these commitments' orders. One or two queries."""
    order_ids, commitment_ids = list(order_ids), list(commitment_ids)
    if not order_ids and not commitment_ids:
        return 0
    now = now or timezone.now()
    qs = Order.objects.none()
    if order_ids:
        qs = Order.objects.filter(pk__in=order_ids)
    if commitment_ids:
        qs = qs | Order.objects.filter(commitments__pk__in=commitment_ids)
    days = {
        (merchant_id, local_date(paid_at))
        for merchant_id, paid_at in qs.values_list("merchant_id", "paid_at")
    }
    return metrics_days_mark_many(days=days, now=now)


def metrics_days_mark_many(*, days, now=None) -> int:
    """Mark (merchant_id, local date) pairs."""
    if not days:
        return 0
    now = now or timezone.now()
    MetricsDirtyDay.objects.bulk_create(
        [MetricsDirtyDay(merchant_id=m, day=d, marked_at=now) for m, d in sorted(days)],
        update_conflicts=True,
        unique_fields=["merchant", "day"],
        update_fields=["marked_at"],
        batch_size=1000,
    )
    return len(days)
