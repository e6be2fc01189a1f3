"""Every write of the commitments app. Import from here: `from commitments.services import voucher_issue`."""

from .appeals import appeal_deadline, breach_appeal_decide, breach_appeal_submit
from .breaches import (
    BreachOutcome,
    breach_compensate,
    breach_exclude_from_metrics,
    breach_mark_compensated,
    breach_pay_from_complaint,
    breaches_compensate,
    breaches_escalate_due,
    breaches_escalate_on_facts,
    breaches_uncompensated_ids,
    commitment_breach_from_complaint,
    commitments_breach_many,
    commitments_exempt_many,
    commitments_sweep,
    compensation_deferred,
)
from .exemptions import force_majeure_apply, force_majeure_declare
from .ingest import (
    MAX_BATCH,
    BatchResult,
    ItemResult,
    commitments_snapshot,
    events_apply,
    events_ingest,
    orders_ingest,
)
from .metrics import metrics_days_mark, metrics_days_mark_many
from .outbox import (
    outbox_enqueue_compensation,
    outbox_process,
    outbox_publish,
    outbox_purge_done,
    outbox_relay,
)
from .repairs import (
    brand_key_hash,
    brand_repair_key_issue,
    repair_ticket_accept,
    repair_ticket_complete,
    repair_ticket_create,
    repair_ticket_send,
    repair_tickets_flag_late,
)
from .settings import commitment_settings_update
from .transitions import commitment_move, commitments_move
from .vouchers import voucher_issue, voucher_redeem, vouchers_expire

__all__ = [
    "brand_key_hash",
    "brand_repair_key_issue",
    "repair_ticket_accept",
    "repair_ticket_complete",
    "repair_ticket_create",
    "repair_ticket_send",
    "repair_tickets_flag_late",
    "metrics_days_mark",
    "metrics_days_mark_many",
    "appeal_deadline",
    "breach_appeal_decide",
    "breach_appeal_submit",
    "force_majeure_apply",
    "force_majeure_declare",
    "MAX_BATCH",
    "BatchResult",
    "BreachOutcome",
    "ItemResult",
    "breach_compensate",
    "breach_pay_from_complaint",
    "breaches_escalate_due",
    "breaches_escalate_on_facts",
    "outbox_enqueue_compensation",
    "outbox_process",
    "outbox_publish",
    "outbox_purge_done",
    "outbox_relay",
    "breach_exclude_from_metrics",
    "breach_mark_compensated",
    "breaches_compensate",
    "breaches_uncompensated_ids",
    "commitment_breach_from_complaint",
    "commitment_move",
    "commitment_settings_update",
    "commitments_move",
    "commitments_breach_many",
    "commitments_exempt_many",
    "commitments_snapshot",
    "commitments_sweep",
    "compensation_deferred",
    "events_apply",
    "events_ingest",
    "orders_ingest",
    "voucher_issue",
    "voucher_redeem",
    "vouchers_expire",
]
