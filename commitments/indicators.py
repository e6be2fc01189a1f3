"""Set-based indicators of the facts the commitments app owns: orders, commitments, breaches.

Every function answers for many merchants in a fixed number of queries, for a half-open range
[start, end) of aware datetimes (build it with ``core.periods``). What counts is defined once here:

- an **order** counts in the month/window where it was paid (``paid_orders``);
- a **commitment** counts by its order's payment time. Kept: met, or breached with a breach that no
  longer counts. Broken: breached/compensated with a breach that counts. Pending and exempted
  commitments do not count at all;
- a **breach** counts unless an appeal was upheld (``Breach.counts_in_metrics``).
"""

from datetime import datetime

from django.db.models import Count, Q, QuerySet

from core.metrics import Rate

from .models import Breach, Commitment, Order

PICKUP_KINDS = ("pickup_by_cutoff", "pickup_within_hours")

COUNTED_BREACH = Q(counts_in_metrics=True)
_BREACHED_STATES = [Commitment.State.BREACHED, Commitment.State.COMPENSATED]
COMMITMENT_KEPT = Q(state=Commitment.State.MET) | Q(
    state__in=_BREACHED_STATES, breach__counts_in_metrics=False
)
COMMITMENT_BROKEN = Q(state__in=_BREACHED_STATES, breach__counts_in_metrics=True)


def _only(qs: QuerySet, merchant_ids, field: str = "merchant_id") -> QuerySet:
    return qs.filter(**{f"{field}__in": list(merchant_ids)}) if merchant_ids is not None else qs


def paid_orders(*, start: datetime, end: datetime, merchant_ids=None) -> dict[int, int]:
    """Per merchant: orders paid in [start, end). The denominator of every per-order rate."""
    qs = _only(Order.objects.filter(paid_at__gte=start, paid_at__lt=end), merchant_ids)
    return dict(qs.values("merchant_id").annotate(n=Count("pk")).values_list("merchant_id", "n"))


def _commitments(*, start, end, merchant_ids=None, tag_ids=None) -> QuerySet[Commitment]:
    qs = _only(Commitment.objects.filter(order__paid_at__gte=start, order__paid_at__lt=end), merchant_ids)
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
    qs = _only(
        Breach.objects.filter(COUNTED_BREACH, detected_at__gte=start, detected_at__lt=end), merchant_ids
    )
    if tag_ids is not None:
        qs = qs.filter(commitment__tag_id__in=list(tag_ids))
    return {
        (row["merchant_id"], row["commitment__tag_id"]): row["n"]
        for row in qs.values("merchant_id", "commitment__tag_id").annotate(n=Count("pk"))
    }
