"""SPEC §7's default floor/excellent values (rates in percent, rating in stars, durations in hours)."""

from decimal import Decimal

from django.db import migrations

DEFAULTS = {
    "rating": ("4.0", "4.8"),
    "quality_refund": ("5", "0.5"),
    "on_time_dispatch": ("90", "99.5"),
    "pickup_48h": ("80", "99"),
    "dispatch_violation": ("2", "0"),
    "sign_hours": ("120", "48"),
    "logistics_exception": ("5", "0.5"),
    "negative_logistics": ("5", "0.5"),
    "handling_hours": ("48", "6"),
    "refund_dispute": ("0.5", "0.02"),
    "help_rate": ("5", "0.5"),
    "commitments_met": ("90", "100"),
}


def seed(apps, schema_editor):
    ScoreBound = apps.get_model("scoring", "ScoreBound")
    for code, (floor, excellent) in DEFAULTS.items():
        ScoreBound.objects.get_or_create(
            indicator=code, category=None, defaults={"floor": Decimal(floor), "excellent": Decimal(excellent)}
        )


class Migration(migrations.Migration):
    dependencies = [("scoring", "0003_score")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
