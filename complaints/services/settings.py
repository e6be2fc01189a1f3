"""Changes to DeskSettings (the desk's numbers): validated, audited, seen at once."""

from core.singletons import settings_update

from ..models import DeskSettings


def desk_settings_update(*, actor=None, **changes) -> DeskSettings:
    """Set some of the numbers. Every value is validated (ranges, types) before anything is saved;
    the change is audited and the cached snapshot dropped (core.singletons.settings_update)."""
    return settings_update(DeskSettings, actor=actor, **changes)
