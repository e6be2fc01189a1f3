"""Every write of the tags app. Import from here: `from tags.services import holding_revoke`."""

from .applications import (
    application_approve,
    application_create,
    application_reject,
    application_sign,
    application_submit,
)
from .catalog import catalog_changed, catalog_entry_save, tag_terms_update
from .holdings import (
    BAR,
    RESTORE,
    REVOKE,
    HoldingChange,
    badges_recompute,
    holding_bar,
    holding_grant,
    holding_restore,
    holding_revoke,
    holding_withdraw,
    holdings_change_many,
)
from .warranty import warranty_service_approve, warranty_service_create, warranty_service_reject

__all__ = [
    "BAR",
    "RESTORE",
    "REVOKE",
    "HoldingChange",
    "holdings_change_many",
    "application_approve",
    "application_create",
    "application_reject",
    "application_sign",
    "application_submit",
    "badges_recompute",
    "holding_bar",
    "holding_grant",
    "holding_restore",
    "holding_revoke",
    "holding_withdraw",
    "catalog_changed",
    "catalog_entry_save",
    "tag_terms_update",
    "warranty_service_approve",
    "warranty_service_create",
    "warranty_service_reject",
]
