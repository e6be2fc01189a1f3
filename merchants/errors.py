"""Error codes of the merchants app (deposit ledger)."""

from core.errors import ErrorCode


class MerchantError(ErrorCode):
    INSUFFICIENT_DEPOSIT = "insufficient_deposit", "The deposit does not hold enough for this debit."
    LEDGER_CONFLICT = "ledger_conflict", "The ledger entry collided with another write; retry."
