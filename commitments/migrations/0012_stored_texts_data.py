"""Existing breach details and exemption reasons become stored texts (core.texts): code + parameters.

The English the services wrote until now is parsed back into its code and parameters; a text that
matches no known pattern keeps its words under the verbatim code ("text"), shown as it was. Only
rows without a code are touched, so the migration is safe to run again. The English column stays.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations

BATCH = 2000
DONE_WORDS = {
    "first pickup scan": "first_pickup",
    "signed for": "signed",
    "installed": "installed",
    "refunded": "refunded",
    "invoice issued": "invoice_issued",
    "freight reimbursed": "freight_reimbursed",
}
LATE = re.compile(
    r"^(?P<what>" + "|".join(DONE_WORDS) + r") at (?P<done>\d{4}-\d{2}-\d{2} \d{2}:\d{2}), "
    r"deadline (?P<deadline>\d{4}-\d{2}-\d{2} \d{2}:\d{2})$"
)
NOT_SF = re.compile(r"^picked up by (?P<carrier>.*), not SF$", re.S)
SHIPPING_FEE = re.compile(r"^shipping fee ¥(?P<fee>[\d,]+\.\d{2}) charged$")
COMPLAINT = re.compile(r"^complaint (?P<complaint>\S+): (?P<reason>.*)$", re.S)
FORCE_MAJEURE = re.compile(r"^force majeure #(?P<declaration>\d+): (?P<reason>.*)$", re.S)
FIXED_EXEMPTIONS = {
    "remote province: free shipping does not cover it": "exemption.remote_province",
    "address outside the merchant's SF coverage": "exemption.outside_sf_coverage",
    "return outside the covered window": "exemption.return_window",
    "order cancelled before the deadline": "exemption.cancelled",
}


def _iso(local: str) -> str:
    """A local (Asia/Shanghai) "YYYY-MM-DD HH:MM" as an aware ISO moment."""
    moment = datetime.strptime(local, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(settings.BUSINESS_TIME_ZONE))
    return moment.isoformat()


def breach_detail_text(detail: str) -> tuple[str, dict]:
    if detail == "deadline passed without the fulfilling event":
        return "breach.deadline_passed", {}
    if m := LATE.match(detail):
        what = DONE_WORDS[m["what"]]
        return "breach.late", {"what": what, "done_at": _iso(m["done"]), "deadline": _iso(m["deadline"])}
    if m := NOT_SF.match(detail):
        return "breach.not_sf", {"carrier": "" if m["carrier"] == "unknown" else m["carrier"]}
    if m := SHIPPING_FEE.match(detail):
        return "breach.shipping_fee", {"fee": m["fee"].replace(",", "")}
    if m := COMPLAINT.match(detail):
        return "breach.complaint", {"complaint": m["complaint"], "reason": m["reason"]}
    return "text", {"text": detail}


def exemption_reason_text(reason: str, declarations: dict[int, str]) -> tuple[str, dict]:
    if reason in FIXED_EXEMPTIONS:
        return FIXED_EXEMPTIONS[reason], {}
    if m := FORCE_MAJEURE.match(reason):
        pk = int(m["declaration"])
        # The stored reason was cut at 200 characters: the declaration's own is whole.
        return "exemption.force_majeure", {"declaration": pk, "reason": declarations.get(pk, m["reason"])}
    return "text", {"text": reason}


def _convert(model, field: str, parse) -> int:
    """Give every row with text in `field` and no code its code + parameters, in keyset batches."""
    code_field, params_field = f"{field}_code", f"{field}_params"
    rows = model.objects.filter(**{code_field: ""}).exclude(**{field: ""}).order_by("pk")
    converted, last = 0, 0
    while True:
        batch = list(rows.filter(pk__gt=last).only("pk", field)[:BATCH])
        if not batch:
            return converted
        for row in batch:
            code, params = parse(getattr(row, field))
            setattr(row, code_field, code)
            setattr(row, params_field, params)
        model.objects.bulk_update(batch, [code_field, params_field])
        converted += len(batch)
        last = batch[-1].pk


def convert(apps, schema_editor):
    Breach = apps.get_model("commitments", "Breach")
    Commitment = apps.get_model("commitments", "Commitment")
    ForceMajeure = apps.get_model("commitments", "ForceMajeure")
    declarations = dict(ForceMajeure.objects.values_list("pk", "reason"))
    _convert(Breach, "detail", breach_detail_text)
    _convert(Commitment, "exemption_reason", lambda reason: exemption_reason_text(reason, declarations))


class Migration(migrations.Migration):
    dependencies = [("commitments", "0011_stored_texts")]

    # Reverse: nothing to undo, the English column was kept (the code columns go with 0011).
    operations = [migrations.RunPython(convert, migrations.RunPython.noop)]
