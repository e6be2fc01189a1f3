"""Repair help-request times the input boundary now refuses (years outside INPUT_YEAR_MIN..MAX).

A help request dated 9999-12-31 was accepted before the boundary existed; its time becomes the time
we received it. Each repaired row is printed while migrating and recorded as an audit event
`data.repaired` (field, stored value, new value). Safe to run again.
"""

from datetime import UTC, datetime

from django.conf import settings
from django.db import migrations
from django.db.models import Q


def repair_times(apps, schema_editor):
    HelpRequest = apps.get_model("complaints", "HelpRequest")
    AuditEvent = apps.get_model("core", "AuditEvent")
    low = datetime(settings.INPUT_YEAR_MIN, 1, 1, tzinfo=UTC)
    high = datetime(settings.INPUT_YEAR_MAX + 1, 1, 1, tzinfo=UTC)
    log = []
    for row in HelpRequest.objects.filter(Q(requested_at__lt=low) | Q(requested_at__gte=high)).order_by("pk"):
        AuditEvent.objects.create(
            actor_label="system",
            verb="data.repaired",
            target_type="complaints.helprequest",
            target_id=str(row.pk),
            data={
                "field": "requested_at",
                "stored": row.requested_at.isoformat(),
                "repaired": row.received_at.isoformat(),
            },
        )
        HelpRequest.objects.filter(pk=row.pk).update(requested_at=row.received_at)
        log.append(f"help request {row.pk}: requested_at {row.requested_at.isoformat()} -> {row.received_at.isoformat()}")
    if log:
        print("\n  repaired stored times outside the accepted years:\n    " + "\n    ".join(log))


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0003_desk_settings_singleton"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(repair_times, migrations.RunPython.noop)]
