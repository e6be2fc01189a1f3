from decimal import Decimal

import pytest

from tags.compensation import FormulaError, compute_amount, validate_formula

PERCENT = {"formula": "percent", "percent": "5", "min": "3", "max": "50"}


@pytest.mark.parametrize(
    ("paid", "expected"),
    [
        ("10.00", "3.00"),  # 0.50 → min 3
        ("60.00", "3.00"),  # exactly 3
        ("123.45", "6.17"),  # 6.1725 → 6.17 (half up at cents)
        ("123.50", "6.18"),  # 6.175 → 6.18
        ("999.00", "49.95"),
        ("1000.00", "50.00"),
        ("8999.00", "50.00"),  # max
        ("0", "3.00"),
    ],
)
def test_percent_with_min_and_max(paid, expected):
    assert compute_amount(PERCENT, paid_amount=Decimal(paid)) == Decimal(expected)


def test_percent_without_bounds():
    assert compute_amount({"formula": "percent", "percent": "100"}, paid_amount=Decimal("12.345")) == Decimal(
        "12.35"
    )


def test_fixed():
    assert compute_amount({"formula": "fixed", "amount": "3"}, paid_amount=Decimal("999")) == Decimal("3.00")


@pytest.mark.parametrize("formula", ["fee_plus", "fees_plus"])
def test_fee_plus(formula):
    comp = {"formula": formula, "fixed": "5"}
    assert compute_amount(comp, paid_amount=Decimal("100"), fee=Decimal("12.5")) == Decimal("17.50")
    assert compute_amount(comp, paid_amount=Decimal("100")) == Decimal("5.00")


def test_order_amount_with_cap():
    comp = {"formula": "order_amount", "cap": "5000"}
    assert compute_amount(comp, paid_amount=Decimal("3999.99")) == Decimal("3999.99")
    assert compute_amount(comp, paid_amount=Decimal("12000")) == Decimal("5000.00")


def test_tiered_by_severity():
    comp = {"formula": "tiered", "late": "50", "severe": "300"}
    assert compute_amount(comp, paid_amount=Decimal("1")) == Decimal("50.00")
    assert compute_amount(comp, paid_amount=Decimal("1"), severity="severe") == Decimal("300.00")
    with pytest.raises(FormulaError):
        compute_amount(comp, paid_amount=Decimal("1"), severity="awful")


def test_none_and_empty_pay_nothing():
    assert compute_amount({}, paid_amount=Decimal("100")) == Decimal("0.00")
    assert compute_amount({"formula": "none"}, paid_amount=Decimal("100")) == Decimal("0.00")


def test_result_is_quantized_decimal():
    amount = compute_amount({"formula": "fixed", "amount": "3"}, paid_amount=Decimal("1"))
    assert isinstance(amount, Decimal)
    assert amount.as_tuple().exponent == -2


@pytest.mark.parametrize(
    "comp",
    [
        {"formula": "bogus"},
        {"formula": "fixed"},
        {"formula": "percent"},
        {"formula": "fixed", "amount": "abc"},
        {"formula": "tiered", "late": "50"},
    ],
)
def test_bad_formulas_are_refused(comp):
    with pytest.raises(FormulaError):
        validate_formula(comp)


def test_negative_inputs_refused():
    with pytest.raises(FormulaError):
        compute_amount(PERCENT, paid_amount=Decimal("-1"))


@pytest.mark.parametrize("bad", ["NaN", "sNaN", "Infinity", "-Infinity", "1e999999999", "1e10"])
@pytest.mark.parametrize(
    "formula",
    [
        {"formula": "fixed", "amount": "{}"},
        {"formula": "percent", "percent": "{}"},
        {"formula": "percent", "percent": "5", "max": "{}"},
        {"formula": "order_amount", "cap": "{}"},
        {"formula": "tiered", "late": "50", "severe": "{}"},
    ],
    ids=["fixed", "percent", "max", "cap", "tiered"],
)
def test_non_finite_or_absurd_numbers_are_a_formula_error(formula, bad):
    """The admin forms catch FormulaError only: anything else was a 500 there."""
    compensation = {k: (v.format(bad) if v == "{}" else v) for k, v in formula.items()}
    with pytest.raises(FormulaError):
        validate_formula(compensation)
