"""The one ratio type every metric answers with, and the one way a percentage is written.

A metric is a count over a count (breaches over commitments, complaints over orders). Apps that own
facts answer with ``Rate`` per merchant (and per tag) from their ``indicators`` module; scoring,
evaluation and tag checks read those and never recompute the counts.
"""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Rate:
    """numerator of denominator; ``value`` is the exact share (0..1), None when the denominator is 0.

    The share is not rounded: thresholds compare against it (``value < Decimal("0.005")``) and
    rounding for display belongs to the page.
    """

    numerator: int
    denominator: int

    @property
    def value(self) -> Decimal | None:
        if not self.denominator:
            return None
        return Decimal(self.numerator) / Decimal(self.denominator)

    def __add__(self, other: "Rate") -> "Rate":
        return Rate(self.numerator + other.numerator, self.denominator + other.denominator)


EMPTY = Rate(0, 0)


def percent_text(percent: Decimal) -> str:
    """A percentage as staff wrote it, without trailing zeros: 95.00 → "95", 97.50 → "97.5", 0.500 → "0.5".

    Takes a percentage (0–100), not a share: ``percent_text(share * 100)``.
    """
    text = f"{Decimal(percent).normalize():f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
