"""The monthly rollups are updated in place every day (a row per merchant for the day just closed):
half-full pages let PostgreSQL keep each new row version on its page (a HOT update, no index entry),
as for the window sums (0011)."""

from django.db import migrations

TABLES = ("scoring_monthrollup", "scoring_ratingmonth")


def fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = 50)")


def default_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("scoring", "0015_monthly_rollups")]

    operations = [migrations.RunPython(fillfactor, default_fillfactor)]
