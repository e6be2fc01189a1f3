"""Every write of the complaints desk. Import from here: `from complaints.services import complaint_decide`."""

from .appeals import complaint_appeal_decide, complaint_appeal_file
from .decisions import (
    compensation_default,
    compensation_limit,
    compensation_proposal,
    complaint_decide,
    recovery_claim_advance,
)
from .filing import HelpRequestItem, complaint_file, help_requests_ingest
from .jobs import complaints_escalate_overdue, complaints_lapse_responses
from .settings import desk_settings_update
from .workflow import (
    complaint_accept,
    complaint_ask_merchant,
    complaint_due,
    complaint_merchant_respond,
    complaint_start_review,
    complaint_withdraw,
)

__all__ = [
    "HelpRequestItem",
    "compensation_default",
    "compensation_limit",
    "compensation_proposal",
    "complaint_accept",
    "complaint_ask_merchant",
    "complaint_appeal_decide",
    "complaint_appeal_file",
    "complaint_decide",
    "complaint_due",
    "complaint_file",
    "complaint_merchant_respond",
    "complaint_start_review",
    "complaint_withdraw",
    "complaints_escalate_overdue",
    "desk_settings_update",
    "complaints_lapse_responses",
    "help_requests_ingest",
    "recovery_claim_advance",
]
