"""Error codes of the commitments app (repair tickets)."""

from core.errors import ErrorCode


class CommitmentError(ErrorCode):
    NO_INTEGRATED_WARRANTY = (
        "no_integrated_warranty",
        "The order's brand has no approved API-integrated warranty service to send a repair ticket to.",
    )
