"""Reads of the commitments app: the settings, lists for pages and APIs, the breach timeline, set-based metrics."""

import logging
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from core.audit import audit_for
from merchants.models import DepositEntry
from tags.checks import CheckOutcome

from .models import (
    Breach,
    BreachAppeal,
    Commitment,
    CommitmentRules,
    CommitmentSettings,
    ForceMajeure,
    FulfilmentEvent,
    Order,
    Voucher,
)

logger = logging.getLogger(__name__)

PICKUP_KINDS = ("pickup_by_cutoff", "pickup_within_hours")


# --- settings ----------------------------------------------------------------------------------

SETTINGS_CACHE_KEY = "commitments:settings:v1"
# Bounds how long another process may keep reading an old value if an invalidation is missed
# (a save whose cache delete raced a reader); a normal save is seen at once.
SETTINGS_CACHE_SECONDS = 60


def commitment_settings() -> CommitmentRules:
    """The current CommitmentSettings as a snapshot: one cache read, the database only on a miss.

    Hot paths (compensation batches, the sweep) call it once per batch and pass the snapshot on.
    Redis down: read the row from the database rather than fail.
    """
    try:
        cached = cache.get(SETTINGS_CACHE_KEY)
    except Exception:  # noqa: BLE001 - the cache is an optimisation, the row is the truth
        logger.warning("commitment settings: cache read failed", exc_info=True)
        cached = None
    if cached is not None:
        try:
            return CommitmentRules(**cached)
        except TypeError:  # written by an older release with other fields
            pass
    rules = CommitmentSettings.current().rules()
    try:
        cache.set(SETTINGS_CACHE_KEY, asdict(rules), SETTINGS_CACHE_SECONDS)
    except Exception:  # noqa: BLE001
        logger.warning("commitment settings: cache write failed", exc_info=True)
    return rules


def commitment_settings_forget() -> None:
    """Drop the cached snapshot (after a change); the next read goes to the database."""
    try:
        cache.delete(SETTINGS_CACHE_KEY)
    except Exception:  # noqa: BLE001
        logger.warning("commitment settings: cache delete failed", exc_info=True)


# --- lists -------------------------------------------------------------------------------------


def commitment_list(
    *, merchant=None, tag_id: int | None = None, state: str = "", since=None, until=None, order_external_id=""
) -> QuerySet[Commitment]:
    qs = Commitment.objects.select_related("order", "tag", "terms_version", "breach").order_by(
        "-order__paid_at", "-pk"
    )
    if merchant is not None:
        qs = qs.filter(merchant=merchant)
    if tag_id:
        qs = qs.filter(tag_id=tag_id)
    if state:
        qs = qs.filter(state=state)
    if since:
        qs = qs.filter(order__paid_at__gte=since)
    if until:
        qs = qs.filter(order__paid_at__lt=until)
    if order_external_id:
        qs = qs.filter(order__external_id=order_external_id)
    return qs


def breach_list(
    *, merchant=None, tag_id: int | None = None, since=None, until=None, order_external_id: str = ""
) -> QuerySet[Breach]:
    qs = Breach.objects.select_related(
        "commitment__order", "commitment__tag", "merchant", "voucher", "appeal"
    ).order_by("-detected_at", "-pk")
    if merchant is not None:
        qs = qs.filter(merchant=merchant)
    if tag_id:
        qs = qs.filter(commitment__tag_id=tag_id)
    if since:
        qs = qs.filter(detected_at__gte=since)
    if until:
        qs = qs.filter(detected_at__lt=until)
    if order_external_id:
        qs = qs.filter(commitment__order__external_id=order_external_id.strip())
    return qs


def breach_get(*, breach_id: int, merchant=None) -> Breach | None:
    qs = Breach.objects.select_related(
        "commitment__order", "commitment__tag", "commitment__terms_version", "merchant", "voucher", "appeal"
    )
    if merchant is not None:
        qs = qs.filter(merchant=merchant)
    return qs.filter(pk=breach_id).first()


def voucher_list(*, merchant=None, state: str = "") -> QuerySet[Voucher]:
    qs = Voucher.objects.select_related("order", "breach__commitment__tag").order_by("-created_at", "-pk")
    if merchant is not None:
        qs = qs.filter(merchant=merchant)
    if state:
        qs = qs.filter(state=state)
    return qs


def vouchers_after(*, after: int = 0, limit: int = 500) -> QuerySet[Voucher]:
    """Keyset cursor for the upstream system: vouchers with id > after, oldest first."""
    return Voucher.objects.select_related("order").filter(pk__gt=after).order_by("pk")[:limit]


def appeal_queue(*, state: str = BreachAppeal.State.SUBMITTED) -> QuerySet[BreachAppeal]:
    qs = BreachAppeal.objects.select_related(
        "breach__commitment__order", "breach__commitment__tag", "merchant", "breach__voucher"
    ).prefetch_related("evidence")
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("created_at", "pk")


def force_majeure_list() -> QuerySet[ForceMajeure]:
    return ForceMajeure.objects.select_related("declared_by").prefetch_related("tags")


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    what: str
    detail: str = ""


def breach_timeline(breach: Breach) -> list[TimelineEntry]:
    """Paid, deadline, events, breach, voucher, recovery, appeal, decision — in time order."""

    commitment = breach.commitment
    order = commitment.order
    entries = [TimelineEntry(order.paid_at, _("Paid"), f"¥{order.paid_amount}")]
    if commitment.deadline:
        entries.append(TimelineEntry(commitment.deadline, _("Deadline"), commitment.tag.name))
    for event in FulfilmentEvent.objects.filter(order=order).order_by("occurred_at", "pk"):
        detail = ", ".join(f"{k}: {v}" for k, v in sorted(event.data.items()))
        entries.append(TimelineEntry(event.occurred_at, event.get_kind_display(), detail))
    entries.append(
        TimelineEntry(
            breach.detected_at, _("Breach detected"), f"{breach.get_source_display()}: {breach.detail}"
        )
    )
    try:
        voucher = breach.voucher
    except Voucher.DoesNotExist:
        voucher = None
    if voucher is not None:
        entries.append(
            TimelineEntry(voucher.created_at, _("Voucher issued"), f"{voucher.code} ¥{voucher.amount}")
        )
        for entry in DepositEntry.objects.filter(
            Q(source_type="commitments.voucher", source_id=str(voucher.pk))
            | Q(
                source_type="commitments.breach_appeal",
                source_id__in=[
                    str(a) for a in BreachAppeal.objects.filter(breach=breach).values_list("pk", flat=True)
                ],
            )
        ).order_by("created_at"):
            entries.append(TimelineEntry(entry.created_at, entry.get_kind_display(), f"¥{entry.amount}"))
        if voucher.redeemed_at:
            entries.append(TimelineEntry(voucher.redeemed_at, _("Voucher redeemed"), voucher.code))
        if voucher.expired_at:
            entries.append(TimelineEntry(voucher.expired_at, _("Voucher expired"), voucher.code))
    appeal = BreachAppeal.objects.filter(breach=breach).first()
    if appeal is not None:
        entries.append(TimelineEntry(appeal.created_at, _("Appeal submitted"), appeal.text[:120]))
        if appeal.decided_at:
            entries.append(TimelineEntry(appeal.decided_at, _("Appeal decided"), appeal.get_state_display()))
    if commitment.state == Commitment.State.EXEMPTED and commitment.resolved_at:
        entries.append(TimelineEntry(commitment.resolved_at, _("Exempted"), commitment.exemption_reason))
    return sorted(entries, key=lambda e: e.at)


def audit_trail(obj):
    return audit_for(obj).select_related("actor")[:50]


# --- metrics (set-based) -----------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    kept: int
    broken: int

    @property
    def total(self) -> int:
        return self.kept + self.broken

    @property
    def rate(self) -> Decimal | None:
        if not self.total:
            return None
        return (Decimal(self.kept) / Decimal(self.total)).quantize(Decimal("0.0001"))


_KEPT = Q(state=Commitment.State.MET) | Q(
    state__in=[Commitment.State.BREACHED, Commitment.State.COMPENSATED], breach__counts_in_metrics=False
)
_BROKEN = Q(
    state__in=[Commitment.State.BREACHED, Commitment.State.COMPENSATED], breach__counts_in_metrics=True
)


def _rates(qs: QuerySet, group_by: tuple[str, ...]) -> dict:
    rows = qs.values(*group_by).annotate(kept=Count("pk", filter=_KEPT), broken=Count("pk", filter=_BROKEN))
    out = {}
    for row in rows:
        key = tuple(row[g] for g in group_by)
        out[key if len(key) > 1 else key[0]] = Rate(row["kept"], row["broken"])
    return out


def _windowed(*, start, end, merchant_ids=None, tag_ids=None) -> QuerySet[Commitment]:
    qs = Commitment.objects.filter(order__paid_at__gte=start, order__paid_at__lt=end)
    if merchant_ids is not None:
        qs = qs.filter(merchant_id__in=merchant_ids)
    if tag_ids is not None:
        qs = qs.filter(tag_id__in=tag_ids)
    return qs


def commitments_met_rate(*, start, end, merchant_ids=None, tag_ids=None) -> dict[tuple[int, int], Rate]:
    """Per (merchant, tag): commitments kept vs broken for orders paid in [start, end).

    Pending and exempted commitments do not count; a breach whose appeal was upheld counts as kept.
    """
    return _rates(
        _windowed(start=start, end=end, merchant_ids=merchant_ids, tag_ids=tag_ids), ("merchant_id", "tag_id")
    )


def on_time_dispatch_rate(*, start, end, merchant_ids=None) -> dict[int, Rate]:
    """Per merchant: dispatch-speed commitments (same day, 24 h, 48 h) kept vs broken, orders paid in [start, end)."""
    qs = _windowed(start=start, end=end, merchant_ids=merchant_ids).filter(
        terms_version__terms__kind__in=list(PICKUP_KINDS)
    )
    return _rates(qs, ("merchant_id",))


def breach_counts(*, start, end, merchant_ids=None, tag_ids=None) -> dict[tuple[int, int], int]:
    """Per (merchant, tag): breaches detected in [start, end) that count (appeal upheld or exempted: not)."""
    qs = Breach.objects.filter(detected_at__gte=start, detected_at__lt=end, counts_in_metrics=True)
    if merchant_ids is not None:
        qs = qs.filter(merchant_id__in=merchant_ids)
    if tag_ids is not None:
        qs = qs.filter(commitment__tag_id__in=tag_ids)
    return {
        (row["merchant_id"], row["commitment__tag_id"]): row["n"]
        for row in qs.values("merchant_id", "commitment__tag_id").annotate(n=Count("pk"))
    }


def orders_count(*, start, end, merchant_ids=None) -> dict[int, int]:
    qs = Order.objects.filter(paid_at__gte=start, paid_at__lt=end)
    if merchant_ids is not None:
        qs = qs.filter(merchant_id__in=merchant_ids)
    return dict(qs.values("merchant_id").annotate(n=Count("pk")).values_list("merchant_id", "n"))


# --- the tag-application check -----------------------------------------------------------------

CHECK_FEW_KEY = N_(
    "%(orders)s dispatch-tracked orders in the last %(days)s days (fewer than %(min_orders)s): passes on counts"
)
CHECK_PASS_KEY = N_(
    "on-time dispatch %(rate)s%% over %(orders)s orders in the last %(days)s days (≥ %(min_rate)s%%)"
)
CHECK_FAIL_KEY = N_(
    "on-time dispatch %(rate)s%% over %(orders)s orders in the last %(days)s days is below %(min_rate)s%%"
)


def _percent(value: Decimal) -> str:
    """95.00 → "95", 97.50 → "97.5", 100.00 → "100"."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def check_on_time_dispatch(*, merchant, category, tag, now, rules: CommitmentRules | None = None):
    """Dispatch tags: on-time rate ≥ the minimum over ≥ the minimum orders in the window; fewer pass.

    The numbers come from CommitmentSettings (SPEC defaults: 95%, 30 orders, 30 days).
    """

    now = now or timezone.now()
    rules = rules or commitment_settings()
    rate = on_time_dispatch_rate(start=now - rules.check_window, end=now, merchant_ids=[merchant.pk]).get(
        merchant.pk, Rate(0, 0)
    )
    params = {"orders": rate.total, "days": rules.check_window_days}
    if rate.total < rules.on_time_min_orders:
        params["min_orders"] = rules.on_time_min_orders
        return CheckOutcome(True, CHECK_FEW_KEY % params, CHECK_FEW_KEY, params)
    params.update(rate=f"{rate.rate * 100:.1f}", min_rate=_percent(rules.on_time_percent_min))
    # Exact comparison (kept / total ≥ percent / 100), not the rounded rate shown to the merchant.
    passed = Decimal(rate.kept) * 100 >= rules.on_time_percent_min * rate.total
    key = CHECK_PASS_KEY if passed else CHECK_FAIL_KEY
    return CheckOutcome(passed, key % params, key, params)
