"""Fold the facts already stored in event JSON into the new Order columns (same rules as ingestion:
times first-wins, reason and rating from the first event, staff intervention sticky)."""

from django.db import migrations
from django.db.models import Min

TIMES = {
    "logistics_exception": "logistics_exception_at",
    "refund_requested": "refund_requested_at",
    "refunded": "refunded_at",
}
REASONS = {"quality", "not_as_described", "logistics", "changed_mind", "other"}
RATINGS = {
    "product": "rating_product",
    "item_as_described": "rating_described",
    "service_attitude": "rating_attitude",
    "logistics": "rating_logistics",
}
CHUNK = 2000


def backfill(apps, schema_editor):
    Order = apps.get_model("commitments", "Order")
    Event = apps.get_model("commitments", "FulfilmentEvent")
    order_ids = sorted(
        set(Event.objects.filter(kind__in=[*TIMES, "rated"]).values_list("order_id", flat=True).distinct())
    )
    for start in range(0, len(order_ids), CHUNK):
        chunk = order_ids[start : start + CHUNK]
        facts: dict[int, dict] = {pk: {} for pk in chunk}
        for order_id, kind, first in (
            Event.objects.filter(order_id__in=chunk, kind__in=list(TIMES))
            .values("order_id", "kind")
            .annotate(first=Min("occurred_at"))
            .values_list("order_id", "kind", "first")
        ):
            facts[order_id][TIMES[kind]] = first
        for order_id, kind, occurred_at, data in (
            Event.objects.filter(order_id__in=chunk, kind__in=["refunded", "rated"])
            .order_by("order_id", "occurred_at", "pk")
            .values_list("order_id", "kind", "occurred_at", "data")
        ):
            f = facts[order_id]
            data = data if isinstance(data, dict) else {}
            if kind == "refunded":
                if "refund_reason" not in f:
                    reason = str(data.get("reason") or "").strip().lower()
                    f["refund_reason"] = reason if reason in REASONS else "other"
                if data.get("staff_intervened") is True:
                    f["refund_staff_intervened"] = True
            elif "rated_at" not in f:
                f["rated_at"] = occurred_at
                for key, column in RATINGS.items():
                    value = data.get(key)
                    f[column] = value if isinstance(value, int) and not isinstance(value, bool) else None
        objs = []
        for order in Order.objects.filter(pk__in=chunk):
            for name, value in facts[order.pk].items():
                setattr(order, name, value)
            objs.append(order)
        fields = sorted({name for f in facts.values() for name in f})
        if fields:
            Order.objects.bulk_update(objs, fields, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("commitments", "0005_order_facts")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
