"""One helper to record an audit event, with the acting user or the system."""

from django.db import models

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


def audit_record_many(*, actor, verb: str, targets: list[tuple[models.Model, dict]]) -> int:
    """The same event for many targets, in one INSERT (a batch job's changes). Returns how many."""
    AuditEvent.objects.bulk_create([_event(actor, verb, t, data) for t, data in targets], batch_size=1000)
    return len(targets)


def audit_for(target: models.Model):
    return AuditEvent.objects.filter(target_type=target._meta.label_lower, target_id=str(target.pk))
