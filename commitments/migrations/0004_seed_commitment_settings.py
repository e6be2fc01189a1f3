"""The one CommitmentSettings row, with the SPEC's numbers (§4, §5). Staff change them in the admin."""

from decimal import Decimal

from django.db import migrations

SPEC_DEFAULTS = {
    "voucher_valid_days": 30,  # §5 vouchers: valid 30 days
    "sweep_grace_minutes": 15,  # §5 sweep: events may arrive a little late
    "appeal_days": 7,  # §5 appeal: within 7 days
    "check_window_days": 30,  # §4 checks: last 30 days
    "on_time_percent_min": Decimal("95.00"),  # §4 on-time dispatch rate ≥ 95%
    "on_time_min_orders": 30,  # §4 over at least 30 orders
}


def seed(apps, schema_editor):
    CommitmentSettings = apps.get_model("commitments", "CommitmentSettings")
    CommitmentSettings.objects.get_or_create(pk=1, defaults=SPEC_DEFAULTS)


def unseed(apps, schema_editor):
    apps.get_model("commitments", "CommitmentSettings").objects.filter(pk=1).delete()


class Migration(migrations.Migration):
    dependencies = [("commitments", "0003_commitmentsettings")]

    operations = [migrations.RunPython(seed, unseed)]
