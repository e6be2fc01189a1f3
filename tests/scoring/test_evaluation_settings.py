"""The evaluation rules: one row, validated, audited, each change a new rule version."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from core.audit import audit_for
from core.errors import ApplicationError
from scoring.evaluation.selectors import evaluation_settings
from scoring.evaluation.services import evaluation_settings_update
from scoring.models import EvaluationSettings

pytestmark = pytest.mark.django_db


def test_the_spec_defaults_are_seeded():
    rules = evaluation_settings()
    assert rules.rule_version == 1
    assert rules.fault_rate_fail_percent == Decimal("0.50")
    assert rules.dsr_fail_below == Decimal("4.60")
    assert (rules.dsr_min_ratings, rules.dsr_window_days, rules.dsr_max_per_shopper_month) == (50, 180, 3)
    assert rules.dispute_rate_fail_percent == Decimal("0.10")
    assert (rules.small_sample_orders, rules.small_sample_fail_complaints, rules.bar_months) == (30, 2, 3)


def test_a_change_is_seen_at_once_audited_and_bumps_the_rule_version(staff_ops):
    evaluation_settings()  # cached
    evaluation_settings_update(actor=staff_ops, dsr_fail_below=Decimal("4.5"))
    rules = evaluation_settings()
    assert (rules.dsr_fail_below, rules.rule_version) == (Decimal("4.50"), 2)
    row = EvaluationSettings.current()
    assert audit_for(row).get(verb="evaluation_settings.changed").data == {"dsr_fail_below": ["4.60", "4.50"]}
    assert audit_for(row).get(verb="evaluation_settings.rule_version").data == {"rule_version": ["1", "2"]}
    evaluation_settings_update(actor=staff_ops, dsr_fail_below=Decimal("4.50"))  # no change
    assert evaluation_settings().rule_version == 2


@pytest.mark.parametrize(
    "changes",
    [
        {"fault_rate_fail_percent": Decimal("0")},
        {"dsr_fail_below": Decimal("6")},
        {"bar_months": 0},
        {"nope": 1},
        {"rule_version": 9},
    ],
)
def test_bad_values_are_refused_and_nothing_changes(changes):
    with pytest.raises(ApplicationError):
        evaluation_settings_update(**changes)
    assert EvaluationSettings.current().snapshot() == evaluation_settings()
    assert evaluation_settings().rule_version == 1


def test_there_is_only_one_row():
    with pytest.raises(IntegrityError), transaction.atomic():
        EvaluationSettings.objects.create(pk=2)
