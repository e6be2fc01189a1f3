"""Error codes of the tags app (applications, brand warranty services, the public badge API)."""

from core.errors import ErrorCode


class TagError(ErrorCode):
    APPLICATION_OPEN = (
        "application_open",
        "The merchant already has an open application for this tag and category.",
    )
    RULES_NOT_MET = (
        "rules_not_met",
        "The brand warranty service does not meet the large-appliance outlet rules.",
    )
    TOO_MANY_IDS = "too_many_ids", "More ids in one public badge request than allowed."
