"""The demo's evaluations are computed by the job itself: every path of the lifecycle is there."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.calendar import local_date
from scoring.models import EvaluationResult, EvaluationRun
from tags.models import TagHolding

pytestmark = pytest.mark.django_db


def test_demo_runs_five_months_of_evaluations_with_every_outcome(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("demo", seed=7, merchants=8, stdout=out)
    assert EvaluationRun.objects.count() == 5
    assert set(EvaluationRun.objects.values_list("state", flat=True)) == {"completed"}
    actions = set(EvaluationResult.objects.values_list("action", flat=True))
    assert {"kept", "revoked", "restored", "barred"} <= actions
    assert not EvaluationResult.objects.filter(action="pending").exists()
    holdings = TagHolding.objects.select_related("merchant")
    rectifying = holdings.filter(state="rectifying").values_list("merchant__shop_code", flat=True)
    assert rectifying  # in rectification now (owner_haier's shop among them)
    today = local_date(timezone.now())
    assert holdings.filter(state="barred", barred_until__lte=today).exists()  # may apply again
    assert "Scores and evaluations: 5 monthly evaluations, " in out.getvalue()
