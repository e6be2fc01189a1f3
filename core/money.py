"""Money is Decimal CNY, quantized to ¥0.01 here and nowhere else."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings

CURRENCY = "CNY"
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# The largest magnitude a money column (DecimalField(max_digits=12, decimal_places=2)) can hold.
COLUMN_MAX = Decimal("9999999999.99")


def max_entry_amount() -> Decimal:
    """The business limit of one amount entered by a person or a system (settings.MAX_ENTRY_AMOUNT)."""
    return Decimal(settings.MAX_ENTRY_AMOUNT)


def fits_column(value: Decimal) -> bool:
    return value.is_finite() and abs(value) <= COLUMN_MAX


def to_money(value: Decimal | int | str) -> Decimal:
    """Quantize to cents, half up. Floats are refused: they cannot represent money exactly."""
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass Decimal, int or str")
    try:
        return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not an amount of money: {value!r}") from exc


def format_cny(value: Decimal | None) -> str:
    if value is None:
        return "—"
    amount = to_money(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"
