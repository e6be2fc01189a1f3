from decimal import Decimal

import pytest

from core.money import format_cny, to_money


def test_quantizes_half_up_to_cents():
    assert to_money(Decimal("1.005")) == Decimal("1.01")
    assert to_money("2.344") == Decimal("2.34")
    assert to_money(3) == Decimal("3.00")


def test_refuses_floats_and_garbage():
    with pytest.raises(TypeError):
        to_money(1.5)
    with pytest.raises(ValueError, match="not an amount"):
        to_money("abc")


def test_format():
    assert format_cny(Decimal("-1234.5")) == "-¥1,234.50"
    assert format_cny(None) == "—"
