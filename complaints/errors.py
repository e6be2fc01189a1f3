"""Error codes of the complaints app (filing and appeals)."""

from core.errors import ErrorCode


class ComplaintError(ErrorCode):
    UNKNOWN_ORDER = "unknown_order", "The complaint names an order the platform does not know."
    MERCHANT_MISMATCH = "merchant_mismatch", "The order belongs to another merchant than the one named."
    EXTERNAL_ID_REUSED = (
        "external_id_reused",
        "The complaint's external id was already used for another order.",
    )
    AMOUNT_ABOVE_PAID = "amount_above_paid", "The claimed amount is above what the order paid."
    APPEAL_PERIOD_OVER = "appeal_period_over", "The appeal window of the decision has ended."
