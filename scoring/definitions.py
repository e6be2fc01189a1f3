"""The twelve indicators of the consumer service experience score (SPEC §7), in four parts.

Units: rates in percent (0–100), the rating in stars, durations in hours. ``window`` says which
rollup window an indicator reads: ``recent`` (the 90 local days ending yesterday) for facts decided
when they happen, ``lagged`` (T-97..T-8) for rates that need refunds, pickups and deliveries to
settle. ``numerator``/``denominator`` name `DailyRollup` columns; for durations the numerator is a
sum of seconds.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

PARTS = ("product", "dispatch", "logistics", "basic_service")
PART_LABELS = {
    "product": _("Product experience"),
    "dispatch": _("Dispatch experience"),
    "logistics": _("Logistics experience"),
    "basic_service": _("Basic service experience"),
}
PART_WEIGHT = Decimal("0.25")

RATE, MEAN, HOURS = "rate", "mean", "hours"
RECENT, LAGGED = "recent", "lagged"


@dataclass(frozen=True)
class Indicator:
    code: str
    part: str
    weight: Decimal
    kind: str  # rate | mean | hours
    window: str  # recent | lagged
    numerator: str
    denominator: str
    min_sample: int
    floor: Decimal  # SPEC default: scores 0 at (or beyond) this value
    excellent: Decimal  # scores 100 at (or beyond) this value
    label: str


D = Decimal
INDICATORS: tuple[Indicator, ...] = (
    Indicator("rating", "product", D("0.5"), MEAN, RECENT, "rating_sum", "rating_n", 20, D("4.0"), D("4.8"),
              _("Product rating")),
    Indicator("quality_refund", "product", D("0.5"), RATE, LAGGED, "quality_refunds", "orders", 30, D("5"),
              D("0.5"), _("Quality refund rate")),
    Indicator("on_time_dispatch", "dispatch", D("0.5"), RATE, RECENT, "dispatch_kept", "dispatch_decided", 30,
              D("90"), D("99.5"), _("On-time dispatch rate")),
    Indicator("pickup_48h", "dispatch", D("0.3"), RATE, LAGGED, "pickup_48h", "orders_live", 30, D("80"), D("99"),
              _("48-hour pickup rate")),
    Indicator("dispatch_violation", "dispatch", D("0.2"), RATE, RECENT, "dispatch_violations", "orders", 30, D("2"),
              D("0"), _("Dispatch violation rate")),
    Indicator("sign_hours", "logistics", D("0.4"), HOURS, LAGGED, "sign_seconds", "signed_n", 30, D("120"), D("48"),
              _("Hours from payment to signature")),
    Indicator("logistics_exception", "logistics", D("0.3"), RATE, LAGGED, "logistics_exceptions", "orders", 30,
              D("5"), D("0.5"), _("Logistics exception rate")),
    Indicator("negative_logistics", "logistics", D("0.3"), RATE, LAGGED, "negative_logistics", "orders", 30, D("5"),
              D("0.5"), _("Negative logistics feedback rate")),
    Indicator("handling_hours", "basic_service", D("0.25"), HOURS, LAGGED, "handling_seconds", "handled_n", 30,
              D("48"), D("6"), _("After-sales handling hours")),
    Indicator("refund_dispute", "basic_service", D("0.25"), RATE, LAGGED, "refund_disputes", "orders", 30,
              D("0.5"), D("0.02"), _("Refund dispute rate")),
    Indicator("help_rate", "basic_service", D("0.25"), RATE, LAGGED, "help_orders", "orders", 30, D("5"), D("0.5"),
              _("Platform help rate")),
    Indicator("commitments_met", "basic_service", D("0.25"), RATE, RECENT, "commitments_kept",
              "commitments_decided", 30, D("90"), D("100"), _("Commitments met rate")),
)  # fmt: skip
BY_CODE = {i.code: i for i in INDICATORS}

# Totals need at least this many parts and this many orders paid in the 90-day window.
MIN_PARTS_FOR_TOTAL = 3
MIN_ORDERS_FOR_TOTAL = 30
# Warning: the total dropped by at least this share in 7 days, or a part is below this score (2.0 / 5).
WARNING_DROP = Decimal("0.10")
WARNING_PART_BELOW = Decimal("40")
PEERS_MIN = 10
