"""Compensation formulas of a tag's terms version, evaluated to a voucher amount.

A formula is structured data stored on ``TagTermsVersion.compensation``; this module is the one place
that turns it into money. Callers (commitments, complaints) pass the order's paid amount and, for
the fee-based formulas, the fee (shipping fee, return freight, instalment fees, price difference).
The per-day cap (``TagTermsVersion.daily_cap``) is applied by the caller, which knows the other
vouchers of the day.

Formulas:

- ``{"formula": "percent", "percent": "5", "min": "3", "max": "50"}``: percent of paid, clamped;
- ``{"formula": "fixed", "amount": "3"}``;
- ``{"formula": "fee_plus", "fixed": "5"}`` / ``"fees_plus"``: the fee plus a fixed amount;
- ``{"formula": "order_amount", "cap": "5000"}``: the paid amount, at most ``cap`` (late_free_order);
- ``{"formula": "tiered", "late": "50", "severe": "300"}``: by severity (delivery_install);
- ``{}`` or ``{"formula": "none"}``: nothing (display-only tags).
"""

from decimal import Decimal

from core.money import ZERO, to_money

FORMULAS = ("none", "percent", "fixed", "fee_plus", "fees_plus", "order_amount", "tiered")
SEVERITIES = ("late", "severe")
MAX_PARAMETER = Decimal("1000000")  # no percent, amount or cap is near a million


class FormulaError(ValueError):
    """The compensation JSON is not a formula we know, or misses a parameter."""


def _dec(compensation: dict, key: str, default: str | None = None) -> Decimal:
    raw = compensation.get(key, default)
    if raw is None:
        raise FormulaError(f"compensation formula {compensation.get('formula')!r} needs {key!r}")
    if isinstance(raw, float):
        raw = str(raw)
    try:
        value = Decimal(str(raw))
    except ArithmeticError as exc:
        raise FormulaError(f"{key!r} is not a number: {raw!r}") from exc
    if not value.is_finite() or value.copy_abs() > MAX_PARAMETER:
        raise FormulaError(f"{key!r} must be a number between -{MAX_PARAMETER} and {MAX_PARAMETER}: {raw!r}")
    return value


def validate_formula(compensation: dict) -> None:
    """Raise FormulaError when ``compensation`` cannot be evaluated (used by the admin form)."""
    compute_amount(compensation, paid_amount=Decimal("100"), fee=Decimal("10"))
    if (compensation or {}).get("formula") == "tiered":
        compute_amount(compensation, paid_amount=Decimal("100"), severity="severe")


def compute_amount(
    compensation: dict, *, paid_amount: Decimal, fee: Decimal = ZERO, severity: str = "late"
) -> Decimal:
    """The voucher amount for one breach, quantized to ¥0.01 (never negative)."""
    compensation = compensation or {}
    formula = compensation.get("formula", "none")
    paid = Decimal(paid_amount)
    fee = Decimal(fee or 0)
    if paid < 0 or fee < 0:
        raise FormulaError("paid amount and fee must not be negative")

    if formula == "none":
        amount = ZERO
    elif formula == "percent":
        amount = to_money(paid * _dec(compensation, "percent") / Decimal(100))
        low = compensation.get("min")
        high = compensation.get("max")
        if low is not None:
            amount = max(amount, _dec(compensation, "min"))
        if high is not None:
            amount = min(amount, _dec(compensation, "max"))
    elif formula == "fixed":
        amount = _dec(compensation, "amount")
    elif formula in ("fee_plus", "fees_plus"):
        amount = fee + _dec(compensation, "fixed", "0")
    elif formula == "order_amount":
        amount = paid
        if compensation.get("cap") is not None:
            amount = min(amount, _dec(compensation, "cap"))
    elif formula == "tiered":
        if severity not in SEVERITIES:
            raise FormulaError(f"unknown severity {severity!r}; expected one of {SEVERITIES}")
        amount = _dec(compensation, severity)
    else:
        raise FormulaError(f"unknown compensation formula {formula!r}")
    return to_money(max(amount, ZERO))
