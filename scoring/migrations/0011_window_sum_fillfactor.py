"""The window sums are updated in place every day (every active merchant's two rows): half-full pages
let PostgreSQL keep each new row version on its page (a HOT update, no index entry)."""

from django.db import migrations


def fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE scoring_windowsum SET (fillfactor = 50)")


def default_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE scoring_windowsum RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("scoring", "0010_derived_rows_without_fk_checks")]

    operations = [migrations.RunPython(fillfactor, default_fillfactor)]
