"""The compensation quote: the one answer to "how much does this broken promise pay, and why".

Every path that pays a breach asks here: the event path and the deadline sweep (through the
compensation services), an upheld complaint linked to a tag, and the staff decision form (which
shows the quote's inputs). The quote is pure: the caller loads the inputs (one query per batch for
the return freight), so a batch of thousands of breaches quotes without touching the database.

Which fee a fee-based formula adds to follows the tag's terms kind:

- ``return_freight_within_hours``: the return freight (``return_signed`` event, ``data.freight``);
- ``price_protection``: the price difference (entered by staff on a complaint);
- a ``fees_plus`` formula (instalments): the instalment fees (entered by staff on a complaint);
- anything else (free_shipping): the shipping fee charged on the order.

The daily cap (``TagTermsVersion.daily_cap``, per shopper × merchant × tag × local breach day) is not
applied here: it depends on the other payments of the day and is enforced under a lock where the
money is paid (``commitments.services.payments``). ``breach_day`` says which day that is.
"""

from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal

from core.calendar import local_date
from core.money import ZERO, to_money
from tags.compensation import SEVERITIES, compute_amount

from .models import FulfilmentEvent

FEE_SHIPPING = "shipping_fee"
FEE_RETURN_FREIGHT = "return_freight"
FEE_INSTALMENT = "instalment_fees"
FEE_PRICE_DIFFERENCE = "price_difference"
FEE_INPUTS = (FEE_SHIPPING, FEE_RETURN_FREIGHT, FEE_INSTALMENT, FEE_PRICE_DIFFERENCE)

LATE = "late"
SEVERE = "severe"


def severity_rank(severity: str) -> int:
    """late < severe; an unknown or empty level ranks below every real one."""
    try:
        return SEVERITIES.index(severity) + 1
    except ValueError:
        return 0


def fee_input_for(terms: dict, compensation: dict) -> str | None:
    """Which input a fee-based formula adds to; None for formulas without a fee."""
    formula = (compensation or {}).get("formula")
    if formula not in ("fee_plus", "fees_plus"):
        return None
    kind = (terms or {}).get("kind")
    if kind == "return_freight_within_hours":
        return FEE_RETURN_FREIGHT
    if kind == "price_protection":
        return FEE_PRICE_DIFFERENCE
    if formula == "fees_plus":
        return FEE_INSTALMENT
    return FEE_SHIPPING


def has_levels(compensation: dict) -> bool:
    """The terms define severity levels (delivery_install: late ¥50, severe ¥300)."""
    return (compensation or {}).get("formula") == "tiered"


@dataclass(frozen=True)
class QuoteInputs:
    """What a quote may read about the order; absent fees are zero."""

    paid_amount: Decimal
    shipping_fee: Decimal = ZERO
    return_freight: Decimal = ZERO
    instalment_fees: Decimal = ZERO
    price_difference: Decimal = ZERO


@dataclass(frozen=True)
class Quote:
    """The amount one breach pays at one severity level, with everything it was computed from."""

    amount: Decimal
    formula: str
    severity: str
    fee_input: str | None
    fee: Decimal
    inputs: QuoteInputs
    daily_cap: Decimal

    def as_dict(self) -> dict:
        """Plain values for an audit record or an API answer (amounts as strings)."""
        return {
            "amount": str(self.amount),
            "formula": self.formula,
            "severity": self.severity,
            "fee_input": self.fee_input,
            "fee": str(self.fee),
            "daily_cap": str(self.daily_cap),
            "inputs": {k: str(v) for k, v in asdict(self.inputs).items()},
        }


def compensation_quote(
    *, terms: dict, compensation: dict, daily_cap: Decimal, inputs: QuoteInputs, severity: str = LATE
) -> Quote:
    """The voucher amount for a breach at `severity` under one terms version (before the daily cap)."""
    if severity not in SEVERITIES:
        severity = LATE
    fee_input = fee_input_for(terms, compensation)
    fee = max(to_money(getattr(inputs, fee_input)), ZERO) if fee_input else ZERO
    amount = compute_amount(
        compensation,
        paid_amount=inputs.paid_amount,
        fee=fee,
        severity=severity if has_levels(compensation) else LATE,
    )
    return Quote(
        amount=amount,
        formula=(compensation or {}).get("formula", "none"),
        severity=severity,
        fee_input=fee_input,
        fee=fee,
        inputs=inputs,
        daily_cap=to_money(daily_cap),
    )


def quote_for_commitment(commitment, *, severity: str = LATE, **fees) -> Quote:
    """The quote for a loaded commitment (order and terms_version selected); `fees` override inputs.

    The return freight, when not given, is read from the order's first ``return_signed`` event.
    """
    order = commitment.order
    version = commitment.terms_version
    if (
        FEE_RETURN_FREIGHT not in fees
        and fee_input_for(version.terms, version.compensation) == FEE_RETURN_FREIGHT
    ):
        fees[FEE_RETURN_FREIGHT] = return_freight_of([order.pk]).get(order.pk, ZERO)
    inputs = QuoteInputs(
        paid_amount=order.paid_amount,
        shipping_fee=fees.get(FEE_SHIPPING, order.shipping_fee),
        return_freight=fees.get(FEE_RETURN_FREIGHT) or ZERO,
        instalment_fees=fees.get(FEE_INSTALMENT) or ZERO,
        price_difference=fees.get(FEE_PRICE_DIFFERENCE) or ZERO,
    )
    return compensation_quote(
        terms=version.terms, compensation=version.compensation, daily_cap=version.daily_cap,
        inputs=inputs, severity=severity,
    )  # fmt: skip


def return_freight_of(order_ids) -> dict[int, Decimal]:
    """The freight of each order's first ``return_signed`` event (one query for a whole batch)."""
    freight: dict[int, Decimal] = {}
    rows = (
        FulfilmentEvent.objects.filter(order_id__in=list(order_ids), kind=FulfilmentEvent.Kind.RETURN_SIGNED)
        .order_by("order_id", "occurred_at", "id")
        .values_list("order_id", "data")
    )
    for order_id, data in rows:
        if order_id in freight:
            continue
        try:
            value = Decimal(str((data or {}).get("freight", "0")))
        except ArithmeticError:
            value = ZERO
        freight[order_id] = to_money(value) if value.is_finite() and value > 0 else ZERO
    return freight


def breach_day(*, deadline: datetime | None, occurred_at: datetime | None, detected_at: datetime) -> date:
    """The local day (Asia/Shanghai) a promise was broken: the day its deadline passed when it had
    one, else the day the breaking fact happened (a fee charged at payment), else detection.

    Every path computes the same day for the same breach, so the daily cap never depends on when
    a worker happened to run.
    """
    return local_date(deadline or occurred_at or detected_at)
