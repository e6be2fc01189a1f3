"""Changes to CommitmentSettings (the app's business numbers): validated, audited, seen at once."""

from core.singletons import settings_update

from ..models import CommitmentSettings


def commitment_settings_update(*, actor=None, **changes) -> CommitmentSettings:
    """Set some of the numbers. Every value is validated (ranges, types) before anything is saved;
    the change is audited and the cached snapshot dropped (core.singletons.settings_update)."""
    return settings_update(CommitmentSettings, actor=actor, **changes)
