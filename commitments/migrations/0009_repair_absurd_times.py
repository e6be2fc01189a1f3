"""Repair stored times the input boundary now refuses (years outside INPUT_YEAR_MIN..INPUT_YEAR_MAX).

Before the boundary existed, the API stored a force-majeure declaration from year 1 to 9999 and
events dated 9999-12-31. Such a declaration silently exempts every future order of its provinces,
and pages that render those times failed. Each repaired row is listed (printed while migrating) and
recorded as an audit event `data.repaired` with the field, the stored value and the new one:

- a force-majeure declaration is clamped into the accepted years, and one still running past the
  last accepted year ends now (it exempts nothing more; exemptions already made stay);
- a fulfilment event's time outside the accepted years becomes the time we received it.

Safe to run again: a repaired row is within the years and is not touched twice.
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import migrations
from django.db.models import Q
from django.utils import timezone


def accepted_bounds():
    return (
        datetime(settings.INPUT_YEAR_MIN, 1, 1, tzinfo=UTC),
        datetime(settings.INPUT_YEAR_MAX + 1, 1, 1, tzinfo=UTC),
    )


def record(audit_model, target_type: str, row_id, field: str, was, now_value, log: list[str]):
    audit_model.objects.create(
        actor_label="system",
        verb="data.repaired",
        target_type=target_type,
        target_id=str(row_id),
        data={"field": field, "stored": was.isoformat(), "repaired": now_value.isoformat()},
    )
    log.append(f"{target_type} {row_id}: {field} {was.isoformat()} -> {now_value.isoformat()}")


def repair_times(apps, schema_editor):
    ForceMajeure = apps.get_model("commitments", "ForceMajeure")
    FulfilmentEvent = apps.get_model("commitments", "FulfilmentEvent")
    AuditEvent = apps.get_model("core", "AuditEvent")
    low, high = accepted_bounds()
    now = min(timezone.now(), high)
    log: list[str] = []
    outside = Q(starts_at__lt=low) | Q(starts_at__gte=high) | Q(ends_at__lt=low) | Q(ends_at__gte=high)
    for row in ForceMajeure.objects.filter(outside).order_by("pk"):
        starts_at = min(max(row.starts_at, low), now)
        ends_at = row.ends_at if low <= row.ends_at < high else max(min(row.ends_at, now), starts_at)
        if ends_at <= starts_at:  # the range must stay valid (force_majeure_range_valid)
            ends_at = starts_at + timedelta(seconds=1)
        for field, was, value in (("starts_at", row.starts_at, starts_at), ("ends_at", row.ends_at, ends_at)):
            if was != value:
                record(AuditEvent, "commitments.forcemajeure", row.pk, field, was, value, log)
        row.starts_at, row.ends_at = starts_at, ends_at
        row.save(update_fields=["starts_at", "ends_at"])
    for row in FulfilmentEvent.objects.filter(Q(occurred_at__lt=low) | Q(occurred_at__gte=high)).order_by("pk"):
        record(AuditEvent, "commitments.fulfilmentevent", row.pk, "occurred_at", row.occurred_at, row.received_at, log)
        FulfilmentEvent.objects.filter(pk=row.pk).update(occurred_at=row.received_at)
    if log:
        print("\n  repaired stored times outside the accepted years:\n    " + "\n    ".join(log))


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0008_repair_tickets"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(repair_times, migrations.RunPython.noop)]
