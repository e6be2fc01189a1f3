"""Set-based indicators of the facts the commitments app owns: orders, commitments, breaches.

Every function answers for many merchants in a fixed number of queries, for a half-open range
[start, end) of aware datetimes (build it with ``core.periods``). What counts is defined once here:

- an **order** counts in the month/window where it was paid (``paid_orders``);
- a **commitment** counts by its order's payment time. Kept: met, or breached with a breach that no
  longer counts. Broken: breached/compensated with a breach that counts. Pending and exempted
  commitments do not count at all;
- a **breach** counts unless an appeal was upheld (``Breach.counts_in_metrics``);
- a **DSR rating** counts by its rating time, at most N per shopper and local calendar month, the
  earliest (``dsr_ranked``, ``dsr_sums``).
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import connection
from django.db.models import Case, Count, ExpressionWrapper, F, IntegerField, Q, QuerySet, Value, When, Window
from django.db.models.functions import Coalesce, RowNumber, TruncDate, TruncMonth

from core.bulk import filter_any_of
from core.calendar import business_tz
from core.metrics import Rate
from core.periods import local_date, local_midnight

from .models import Breach, Commitment, Order

PICKUP_KINDS = ("pickup_by_cutoff", "pickup_within_hours")

COUNTED_BREACH = Q(counts_in_metrics=True)
_BREACHED_STATES = [Commitment.State.BREACHED, Commitment.State.COMPENSATED]
COMMITMENT_KEPT = Q(state=Commitment.State.MET) | Q(
    state__in=_BREACHED_STATES, breach__counts_in_metrics=False
)
COMMITMENT_BROKEN = Q(state__in=_BREACHED_STATES, breach__counts_in_metrics=True)


def paid_orders_by_merchant(*, start: datetime, end: datetime, merchant_ids=None) -> QuerySet:
    """Rows (merchant_id, n): orders paid in [start, end). A query to read or to use inside a larger
    statement (the monthly evaluation's)."""
    qs = filter_any_of(Order.objects.filter(paid_at__gte=start, paid_at__lt=end), merchant_ids)
    return qs.values("merchant_id").annotate(n=Count("pk")).values_list("merchant_id", "n")


def paid_orders(*, start: datetime, end: datetime, merchant_ids=None) -> dict[int, int]:
    """Per merchant: orders paid in [start, end). The denominator of every per-order rate."""
    return dict(paid_orders_by_merchant(start=start, end=end, merchant_ids=merchant_ids))


def _commitments(*, start, end, merchant_ids=None, tag_ids=None) -> QuerySet[Commitment]:
    qs = filter_any_of(
        Commitment.objects.filter(order__paid_at__gte=start, order__paid_at__lt=end), merchant_ids
    )
    if tag_ids is not None:
        qs = qs.filter(tag_id__in=list(tag_ids))
    return qs


def _kept_rates(qs: QuerySet, group_by: tuple[str, ...]) -> dict:
    rows = qs.values(*group_by).annotate(
        kept=Count("pk", filter=COMMITMENT_KEPT), broken=Count("pk", filter=COMMITMENT_BROKEN)
    )
    out = {}
    for row in rows:
        key = tuple(row[g] for g in group_by)
        out[key if len(key) > 1 else key[0]] = Rate(row["kept"], row["kept"] + row["broken"])
    return out


def commitments_met_rate(*, start, end, merchant_ids=None, tag_ids=None) -> dict[tuple[int, int], Rate]:
    """Per (merchant, tag): commitments kept of those decided, for orders paid in [start, end)."""
    return _kept_rates(
        _commitments(start=start, end=end, merchant_ids=merchant_ids, tag_ids=tag_ids),
        ("merchant_id", "tag_id"),
    )


def commitments_met_rate_by_merchant(*, start, end, merchant_ids=None) -> dict[int, Rate]:
    """Per merchant, over all its tags: commitments kept of those decided, orders paid in [start, end)."""
    return _kept_rates(_commitments(start=start, end=end, merchant_ids=merchant_ids), ("merchant_id",))


def on_time_dispatch_rate(*, start, end, merchant_ids=None) -> dict[int, Rate]:
    """Per merchant: dispatch-speed commitments (same day, 24 h, 48 h) kept, orders paid in [start, end)."""
    qs = _commitments(start=start, end=end, merchant_ids=merchant_ids).filter(
        terms_version__terms__kind__in=list(PICKUP_KINDS)
    )
    return _kept_rates(qs, ("merchant_id",))


def breach_counts(*, start, end, merchant_ids=None, tag_ids=None) -> dict[tuple[int, int], int]:
    """Per (merchant, tag): counting breaches detected in [start, end)."""
    qs = filter_any_of(
        Breach.objects.filter(COUNTED_BREACH, detected_at__gte=start, detected_at__lt=end), merchant_ids
    )
    if tag_ids is not None:
        qs = qs.filter(commitment__tag_id__in=list(tag_ids))
    return {
        (row["merchant_id"], row["commitment__tag_id"]): row["n"]
        for row in qs.values("merchant_id", "commitment__tag_id").annotate(n=Count("pk"))
    }


@dataclass(frozen=True)
class DsrSums:
    """Shop ratings (DSR: item as described, service attitude, logistics) of one merchant.

    `points` is the sum of every item score given, `items` how many item scores were given (≤ 3 per
    rating), `ratings` how many ratings counted; the DSR mean of the three items is points ÷ items.
    """

    points: int
    items: int
    ratings: int

    @property
    def mean(self) -> Decimal | None:
        return Decimal(self.points) / Decimal(self.items) if self.items else None


_DSR_COLUMNS = ("rating_described", "rating_attitude", "rating_logistics")
HAS_DSR = (
    Q(rating_described__isnull=False) | Q(rating_attitude__isnull=False) | Q(rating_logistics__isnull=False)
)


def dsr_points():
    """The item scores of one rating summed (an item not given counts 0)."""
    return sum((Coalesce(F(c), Value(0)) for c in _DSR_COLUMNS[1:]), Coalesce(F(_DSR_COLUMNS[0]), Value(0)))


def dsr_items():
    """How many of the three DSR items one rating gives."""
    return sum(
        (Case(When(**{f"{c}__isnull": False}, then=Value(1)), default=Value(0)) for c in _DSR_COLUMNS[1:]),
        Case(When(**{f"{_DSR_COLUMNS[0]}__isnull": False}, then=Value(1)), default=Value(0)),
    )


def dsr_ranked(*, start: datetime, end: datetime, merchant_ids=None, shopper_refs=None) -> QuerySet:
    """The DSR ratings given in [start, end) with, per rating: ``points`` (its item scores summed),
    ``items`` (how many of the three items it gives), ``local_day`` (its local rating day) and ``nth``:
    its place among the same shopper's ratings of the merchant in the local calendar month, earliest
    first. `start` must be a local month start so that every rating is ranked within its whole month
    (``core.periods``); the shared definition of the monthly cap, read by ``dsr_sums`` and the rating
    rollup of the evaluation."""
    tz = business_tz()
    points, items = dsr_points(), dsr_items()
    qs = filter_any_of(Order.objects.filter(HAS_DSR, rated_at__gte=start, rated_at__lt=end), merchant_ids)
    if shopper_refs is not None:
        qs = qs.filter(shopper_ref__in=list(shopper_refs))
    return qs.annotate(
        points=ExpressionWrapper(points, output_field=IntegerField()),
        items=ExpressionWrapper(items, output_field=IntegerField()),
        local_day=TruncDate("rated_at", tzinfo=tz),
        nth=Window(
            RowNumber(),
            partition_by=[F("merchant_id"), F("shopper_ref"), TruncMonth("rated_at", tzinfo=tz)],
            order_by=[F("rated_at").asc(), F("pk").asc()],
        ),
    ).values("merchant_id", "local_day", "rated_at", "points", "items", "nth")


def dsr_sums(
    *, start: datetime, end: datetime, max_per_shopper_month: int, merchant_ids=None
) -> dict[int, DsrSums]:
    """Per merchant: DSR ratings given in [start, end) that are among the shopper's first
    `max_per_shopper_month` ratings of the merchant in their local calendar month (``dsr_ranked``; a
    range starting mid-month counts the month's earliest ratings that fall inside it). One query."""
    month_start = local_midnight(local_date(start).replace(day=1))
    sql, params = dsr_ranked(start=month_start, end=end, merchant_ids=merchant_ids).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT merchant_id, SUM(points), SUM(items), COUNT(*) FROM (" + sql + ") counted "
            "WHERE nth <= %s AND rated_at >= %s GROUP BY merchant_id",
            [*params, max_per_shopper_month, start],
        )
        return {m: DsrSums(int(p), int(i), int(n)) for m, p, i, n in cursor.fetchall()}
