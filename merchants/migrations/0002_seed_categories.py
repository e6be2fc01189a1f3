from decimal import Decimal

from django.db import migrations

CATEGORIES = [
    # code, zh, en, required deposit, sort
    ("large_appliances", "大家电", "Large appliances", Decimal("50000.00"), 10),
    ("small_appliances", "小家电", "Small appliances", Decimal("20000.00"), 20),
    ("digital_3c", "3C数码", "3C digital", Decimal("30000.00"), 30),
    ("accessories_3c", "3C配件", "3C accessories", Decimal("10000.00"), 40),
]


def seed(apps, schema_editor):
    Category = apps.get_model("merchants", "Category")
    for code, zh, en, deposit, sort in CATEGORIES:
        Category.objects.update_or_create(
            code=code, defaults={"name_zh": zh, "name_en": en, "required_deposit": deposit, "sort_order": sort}
        )


class Migration(migrations.Migration):
    dependencies = [("merchants", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
