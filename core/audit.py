"""One helper to record an audit event, with the acting user or the system."""

from django.db import models

from .bulk import copy_rows, json_text
from .models import AuditEvent

SYSTEM = "system"


def _event(actor, verb: str, target: models.Model, data: dict | None) -> AuditEvent:
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent(
        actor=actor if is_user else None,
        actor_label=actor.get_username() if is_user else SYSTEM,
        verb=verb,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        data=data or {},
    )


def audit_record(*, actor, verb: str, target: models.Model, data: dict | None = None) -> AuditEvent:
    """Record `actor` doing `verb` to `target`. `actor` is a user or None for the system."""
    event = _event(actor, verb, target, data)
    event.save()
    return event


AUDIT_COLUMNS = ["created_at", "actor_id", "actor_label", "verb", "target_type", "target_id", "data"]


def audit_row(actor, verb: str, target_type: str, target_id, data: dict | str | None, at) -> tuple:
    """One AuditEvent row as a plain tuple in AUDIT_COLUMNS order (batch jobs write thousands at once:
    ``audit_rows_write``). `data` may be given as its JSON text already (``json_text``): a batch whose
    rows repeat a few data serializes each once."""
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return (
        at,
        actor.pk if is_user else None,
        actor.get_username() if is_user else SYSTEM,
        verb,
        target_type,
        str(target_id),
        data if isinstance(data, str) else json_text(data or {}),
    )


def audit_rows_write(rows: list[tuple]) -> int:
    """Write rows made by ``audit_row`` (COPY on PostgreSQL). Returns how many."""
    return copy_rows(AuditEvent._meta.db_table, AUDIT_COLUMNS, rows)


def audit_for(target: models.Model):
    return AuditEvent.objects.filter(target_type=target._meta.label_lower, target_id=str(target.pk))
