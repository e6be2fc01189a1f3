"""The one EvaluationSettings row, with the SPEC's numbers (§8). Staff change them in the admin."""

from decimal import Decimal

from django.db import migrations

SPEC_DEFAULTS = {
    "rule_version": 1,
    "fault_rate_fail_percent": Decimal("0.50"),  # fault complaint rate fails at ≥ 0.5%
    "dsr_fail_below": Decimal("4.60"),  # DSR mean fails < 4.6 ...
    "dsr_min_ratings": 50,  # ... only with ≥ 50 ratings
    "dsr_window_days": 180,  # 180-day means
    "dsr_max_per_shopper_month": 3,  # at most 3 ratings per shopper per month
    "dispute_rate_fail_percent": Decimal("0.10"),  # refund dispute rate fails > 0.1%
    "small_sample_orders": 30,  # fewer than 30 orders: judged on counts
    "small_sample_fail_complaints": 2,  # fails with ≥ 2 upheld complaints
    "bar_months": 3,  # barred for 3 calendar months
}


def seed(apps, schema_editor):
    apps.get_model("scoring", "EvaluationSettings").objects.get_or_create(pk=1, defaults=SPEC_DEFAULTS)


def unseed(apps, schema_editor):
    apps.get_model("scoring", "EvaluationSettings").objects.filter(pk=1).delete()


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_evaluation")]

    operations = [migrations.RunPython(seed, unseed)]
