import dataclasses

import pytest

from tags import checks, public


@pytest.fixture(autouse=True)
def _fresh_public_cache():
    public.reset_local()
    yield
    public.reset_local()


@pytest.fixture(autouse=True)
def _restore_check_registry():
    """Tests may register or unregister providers; put the registry back as the apps left it."""
    saved = {code: dataclasses.replace(entry) for code, entry in checks._REGISTRY.items()}
    yield
    checks._REGISTRY.clear()
    checks._REGISTRY.update(saved)


@pytest.fixture
def no_metric_providers():
    """As if the commitments and complaints apps had registered nothing (placeholders only)."""
    for code in ("fault_complaint_rate", "on_time_dispatch"):
        checks.unregister_application_check(code)
