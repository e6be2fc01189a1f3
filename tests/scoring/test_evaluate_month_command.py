"""`manage.py evaluate_month`: a run, a dry run that writes nothing, a merchant re-evaluation, bad input."""

from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from scoring.models import EvaluationResult, EvaluationRun

from .evaluation_factories import at, fault, holding_set, orders

pytestmark = pytest.mark.django_db


@pytest.fixture
def september(merchant_a):
    holding_set(merchant_a)
    fault(orders(merchant_a, 100, date(2026, 9, 1))[0], date(2026, 9, 10))
    return merchant_a


def test_dry_run_prints_and_writes_nothing(september):
    out = StringIO()
    with time_machine.travel(at(date(2026, 10, 8)), tick=False):
        call_command(
            "evaluate_month", "2026-09", "--dry-run", "--merchant", "A0000001", stdout=out, stderr=StringIO()
        )
    text = out.getvalue()
    assert "2026-09 dry run: 3 evaluated, 3 would fail, 0 left out (appeal); nothing written" in text
    assert "faults 1/100" in text
    assert EvaluationRun.objects.count() == 0


def test_run_then_rerun_is_a_no_op(september):
    with time_machine.travel(at(date(2026, 10, 8)), tick=False):
        out = StringIO()
        call_command("evaluate_month", "2026-09", stdout=out, stderr=StringIO())
        assert "2026-09 completed: 3 evaluated, 0 passed, 3 failed; 3 revoked" in out.getvalue()
        call_command("evaluate_month", "2026-09", stdout=StringIO(), stderr=StringIO())
    assert EvaluationRun.objects.get().trigger == "command"
    assert EvaluationResult.objects.filter(revision=1, action="revoked").count() == 3
    out = StringIO()
    call_command("evaluate_month", "2026-09", "--merchant", str(september.pk), stdout=out, stderr=StringIO())
    assert "re-evaluated, 0 outcome(s) changed" in out.getvalue()


@pytest.mark.parametrize(
    "args", [["2026-13"], ["soon"], ["2026-09", "--merchant", "NOPE"], ["2026-08", "--merchant", "A0000001"]]
)
def test_bad_input_is_a_command_error(september, args):
    with pytest.raises(CommandError):
        call_command("evaluate_month", *args, stdout=StringIO(), stderr=StringIO())
    assert EvaluationRun.objects.count() == 0
