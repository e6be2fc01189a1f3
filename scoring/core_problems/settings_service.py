"""Changes to CoreProblemSettings: validated, audited, seen at once (core.singletons)."""

from core.singletons import settings_update

from ..models import CoreProblemSettings


def core_problem_settings_update(*, actor=None, **changes) -> CoreProblemSettings:
    return settings_update(CoreProblemSettings, actor=actor, **changes)
