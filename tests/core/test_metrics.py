from decimal import Decimal

import pytest

from core.metrics import EMPTY, Rate, percent_text


def test_rate_value_is_the_exact_share():
    assert Rate(1, 201).value == Decimal(1) / Decimal(201)
    assert Rate(1, 201).value < Decimal("0.005")
    assert Rate(8, 10).value == Decimal("0.8")
    assert Rate(0, 0).value is None
    assert Rate(0, 0) == EMPTY
    assert Rate(1, 2) + Rate(3, 4) == Rate(4, 6)


@pytest.mark.parametrize(
    ("percent", "text"),
    [
        (Decimal("95.00"), "95"),
        (Decimal("97.50"), "97.5"),
        (Decimal("100.00"), "100"),
        (Decimal("0.0050") * 100, "0.5"),
        (Decimal("0.00125") * 100, "0.125"),
        (Decimal("0"), "0"),
    ],
)
def test_percent_text(percent, text):
    assert percent_text(percent) == text
