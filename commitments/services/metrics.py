"""Marking the merchant × local paid days whose metric facts changed (read by the score rollups).

Every write that changes a fact a metric reads calls ``metrics_days_mark`` inside its transaction:
the mark commits or rolls back with the change. Re-marking a day moves its ``marked_at`` forward, so
the rollup job (which clears only marks older than its start) never loses a change made while it ran.
"""

from datetime import timedelta

from django.utils import timezone

from core.periods import local_date, local_midnight

from ..indicators import dsr_ranked
from ..models import MetricsDirtyDay, Order, RatingsDirtyDay
from .bulk import bulk_set

# A mark younger than this at a rollup job's start may belong to a transaction the job could not see
# yet: it stays for the next run (re-aggregating a day twice is harmless).
MARK_SETTLE = timedelta(minutes=10)


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
    """Mark (merchant_id, local paid date) pairs."""
    return _mark(MetricsDirtyDay, days, now)


def _mark(marks, days, now) -> int:
    """Mark (merchant_id, local date) pairs in `marks`; a day marked again moves its `marked_at` forward."""
    if not days:
        return 0
    now = now or timezone.now()
    marks.objects.bulk_create(
        [marks(merchant_id=m, day=d, marked_at=now) for m, d in sorted(days)],
        update_conflicts=True,
        unique_fields=["merchant", "day"],
        update_fields=["marked_at"],
        batch_size=1000,
    )
    return len(days)


def dsr_ranks_update(*, ratings, now=None) -> int:
    """Rank again every DSR rating of the shopper × merchant × local month of `ratings`, and mark the
    local rating days whose ratings changed (``RatingsDirtyDay``).

    `ratings`: (order id, merchant id, shopper ref, rating time before, rating time now) of the orders
    whose rating arrived or changed, inside the transaction that changed them. The ranks come from the
    shared definition (``commitments.indicators.dsr_ranked``); only the ranks that differ are written.
    Two queries and a bulk update whatever the number of groups. Returns the days marked.
    """
    ratings = list(ratings)
    groups = {
        (merchant_id, shopper, local_date(at).replace(day=1))
        for _pk, merchant_id, shopper, *times in ratings
        for at in times
        if at is not None
    }
    if not groups:
        return 0
    first = min(month for _m, _s, month in groups)
    last = max(month for _m, _s, month in groups)
    end = local_midnight((last + timedelta(days=31)).replace(day=1))
    ranked = dsr_ranked(
        start=local_midnight(first),
        end=end,
        merchant_ids={m for m, _s, _d in groups},
        shopper_refs={s for _m, s, _d in groups},
    ).values_list("pk", "merchant_id", "shopper_ref", "rated_at", "nth", "dsr_rank")
    changed, days, ranked_ids = [], set(), set()
    for pk, merchant_id, shopper, rated_at, nth, rank in ranked:
        if (merchant_id, shopper, local_date(rated_at).replace(day=1)) not in groups:
            continue  # a superset was read: another shopper's month
        ranked_ids.add(pk)
        if nth != rank:
            changed.append((pk, nth))
            days.add((merchant_id, local_date(rated_at)))
    for _pk, merchant_id, _shopper, before, after in ratings:
        days.update((merchant_id, local_date(at)) for at in (before, after) if at is not None)
    unranked = [pk for pk, *_rest in ratings if pk not in ranked_ids]
    if unranked:  # their rating gives no DSR item (any more): a rank they still carry goes
        cleared = Order.objects.filter(pk__in=unranked, dsr_rank__isnull=False).values_list("pk", flat=True)
        changed += [(pk, None) for pk in cleared]
    for i in range(0, len(changed), 5000):
        bulk_set(Order, ["dsr_rank"], changed[i : i + 5000], casts={"dsr_rank": "smallint"})
    return ratings_days_mark_many(days=days, now=now)


def ratings_days_mark_many(*, days, now=None) -> int:
    """Mark (merchant_id, local rating date) pairs for the rating rollup."""
    return _mark(RatingsDirtyDay, days, now)
