"""Changes to CommitmentSettings (the app's business numbers): validated, audited, seen at once."""

from django.core.exceptions import ValidationError
from django.db import transaction

from core.audit import audit_record
from core.errors import ApplicationError

from ..models import CommitmentSettings
from ..selectors import commitment_settings_forget


def commitment_settings_update(*, actor=None, **changes) -> CommitmentSettings:
    """Set some of the numbers. Every value is validated (ranges, types) before anything is saved.

    The cached snapshot is dropped now and again after commit, so this process sees the change at
    once and no other process keeps a value read while the change was in flight.
    """
    unknown = sorted(set(changes) - set(CommitmentSettings.EDITABLE))
    if unknown:
        raise ApplicationError(
            f"unknown settings: {', '.join(unknown)}", fields={name: ["unknown setting"] for name in unknown}
        )
    with transaction.atomic():
        CommitmentSettings.current()
        row = CommitmentSettings.objects.select_for_update().get(pk=CommitmentSettings.SINGLETON_PK)
        before = {name: getattr(row, name) for name in changes}
        for name, value in changes.items():
            setattr(row, name, value)
        try:
            row.full_clean()
        except ValidationError as exc:
            raise ApplicationError(
                "invalid commitment settings",
                fields={k: [str(m) for m in v] for k, v in exc.message_dict.items()},
            ) from exc
        changed = [name for name in changes if getattr(row, name) != before[name]]
        if not changed:
            return row
        row.save(update_fields=[*changed, "updated_at"])
        row.refresh_from_db(fields=changed)  # as stored (97.5 → 97.50)
        audit_record(
            actor=actor,
            verb="commitment_settings.changed",
            target=row,
            data={name: [str(before[name]), str(getattr(row, name))] for name in changed},
        )
        commitment_settings_forget()
        transaction.on_commit(commitment_settings_forget)
    return row
