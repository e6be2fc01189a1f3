"""Stored data (event payloads, audit details) as labelled fields in the reader's language:
booleans as yes/no, ISO timestamps as local times, known codes as their labels, never a raw dict."""

import re

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

FIELD_LABELS = {
    "to_door": gettext_lazy("delivered to the door"),
    "carrier": gettext_lazy("carrier"),
    "tracking_no": gettext_lazy("tracking number"),
    "scenario": gettext_lazy("scenario"),
    "item_as_described": gettext_lazy("item as described"),
    "stars": gettext_lazy("stars"),
    "reason": gettext_lazy("reason"),
    "quantity": gettext_lazy("quantity"),
    "at": gettext_lazy("time"),
    "response_due_at": gettext_lazy("respond by"),
    "files": gettext_lazy("files"),
    "late": gettext_lazy("late"),
    "order": gettext_lazy("order"),
    "standard": gettext_lazy("type"),
    "responsibility": gettext_lazy("responsibility"),
    "amount": gettext_lazy("amount"),
    "appeal": gettext_lazy("appeal"),
    "claim": gettext_lazy("recovery claim"),
    "from": gettext_lazy("from"),
    "to": gettext_lazy("to"),
    "note": gettext_lazy("note"),
}
HIDDEN_FIELDS = {"demo"}
ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _readable(key: str, value, value_labels: dict):
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str) and ISO_MOMENT.match(value):
        moment = parse_datetime(value)
        if moment is not None:
            return date_format(timezone.localtime(moment), "Y-m-d H:i")
    if isinstance(value, list):
        return "、".join(str(_readable(key, item, value_labels)) for item in value)
    if isinstance(value, dict):
        return " · ".join(
            f"{FIELD_LABELS.get(k, k)}: {_readable(k, v, value_labels)}" for k, v in value.items()
        )
    if isinstance(value, str) and value in value_labels:
        return value_labels[value]
    return value


def readable_pairs(data, *, value_labels: dict | None = None) -> list[tuple[str, object]]:
    """(label, value) pairs; `value_labels` maps stored codes (states, scenarios) to their labels."""
    if not isinstance(data, dict):
        return []
    labels = value_labels or {}
    return [
        (FIELD_LABELS.get(key, key.replace("_", " ")), _readable(key, value, labels))
        for key, value in data.items()
        if key not in HIDDEN_FIELDS
    ]


def readable_text(data, *, value_labels: dict | None = None) -> str:
    return " · ".join(f"{label}: {value}" for label, value in readable_pairs(data, value_labels=value_labels))
