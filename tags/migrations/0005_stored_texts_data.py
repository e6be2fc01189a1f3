"""Existing holding and badge history reasons and automatic rejection reasons become stored texts
(core.texts): code + parameters.

The English the services wrote until now is parsed back into its code and parameters; an automatic
rejection is rebuilt from the application's failed checks (when it is exactly what they say); a text
that matches nothing (what staff typed, older wording) keeps its words under the verbatim code
("text"), shown as it was. Only rows without a code are touched: safe to run again. The English
column stays.
"""

import re

from django.db import migrations

BATCH = 2000
CHANGES = ("granted", "withdrawn", "revoked", "restored", "barred")
AGREEMENT_SIGNED = re.compile(r"^application #(?P<application>\d+): agreement signed$")
APPROVED_BY_STAFF = re.compile(r"^application #(?P<application>\d+) approved by staff(?:: (?P<note>.*))?$", re.S)
EVALUATION = re.compile(
    r"^(?P<re>re-)?evaluation (?P<month>\d{4}-\d{2}): (?P<what>failed|rectification passed|rectification failed)"
    r"(?: (?P<metrics>.+))?$"
)
TAG_CHANGED = re.compile(r"^(?P<tag>[a-z_0-9]+) (?P<change>" + "|".join(CHANGES) + r")$")
MISSING = re.compile(r"^(?:(?P<cause>.+); )?missing: (?P<missing>.*)$", re.S)
FIXED = {
    "application approved": "holding.application_approved",
    "withdrawn by the merchant": "holding.withdrawn_by_merchant",
    "all required tags held": "badge.all_tags_held",
}


def _verbatim(text: str) -> tuple[str, dict]:
    return "text", {"text": text}


def holding_reason_text(reason: str) -> tuple[str, dict]:
    if reason in FIXED:
        return FIXED[reason], {}
    if m := AGREEMENT_SIGNED.match(reason):
        return "holding.agreement_signed", {"application": int(m["application"])}
    if m := APPROVED_BY_STAFF.match(reason):
        if m["note"]:
            return "holding.approved_by_staff_note", {"application": int(m["application"]), "note": m["note"]}
        return "holding.approved_by_staff", {"application": int(m["application"])}
    if m := EVALUATION.match(reason):
        prefix = "reevaluation" if m["re"] else "evaluation"
        if m["what"] == "rectification passed" and not m["re"] and not m["metrics"]:
            return "evaluation.rectification_passed", {"month": m["month"]}
        if m["what"] != "rectification passed" and m["metrics"]:
            code = f"{prefix}.{m['what'].replace(' ', '_')}"
            return code, {"month": m["month"], "metrics": m["metrics"].split(", ")}
    return _verbatim(reason)


def badge_reason_text(reason: str) -> tuple[str, dict]:
    if reason in FIXED:
        return FIXED[reason], {}
    if m := TAG_CHANGED.match(reason):
        return f"badge.tag_{m['change']}", {"tag": m["tag"]}
    if m := MISSING.match(reason):
        missing = [code for code in m["missing"].split(", ") if code]
        if not m["cause"]:
            return "badge.missing_tags", {"missing": missing}
        cause_code, cause_params = badge_reason_text(m["cause"])
        return "badge.missing_tags_after", {"cause": {"code": cause_code, "params": cause_params}, "missing": missing}
    return _verbatim(reason)


def rejection_reason_text(reason: str, failed_checks: list[dict]) -> tuple[str, dict]:
    """An automatic rejection is "label_en: detail; ..." of the failed checks, in their order."""
    if failed_checks and reason == "; ".join(f"{c['label_en']}: {c['detail']}" for c in failed_checks):
        return "application.checks_failed", {"checks": failed_checks}
    return _verbatim(reason)


def _convert(model, field: str, parse) -> None:
    code_field, params_field = f"{field}_code", f"{field}_params"
    rows = model.objects.filter(**{code_field: ""}).exclude(**{field: ""}).order_by("pk")
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last).only("pk", field)[:BATCH])
        if not batch:
            return
        for row in batch:
            code, params = parse(row)
            setattr(row, code_field, code)
            setattr(row, params_field, params)
        model.objects.bulk_update(batch, [code_field, params_field])
        last = batch[-1].pk


def convert(apps, schema_editor):
    HoldingEvent = apps.get_model("tags", "HoldingEvent")
    BadgeEvent = apps.get_model("tags", "BadgeEvent")
    TagApplication = apps.get_model("tags", "TagApplication")
    ApplicationCheck = apps.get_model("tags", "ApplicationCheck")
    _convert(HoldingEvent, "reason", lambda row: holding_reason_text(row.reason))
    _convert(BadgeEvent, "reason", lambda row: badge_reason_text(row.reason))

    def rejection(row):
        checks = [
            {
                "code": c.code,
                "label_en": c.label_en,
                "label_zh": c.label_zh,
                "detail": c.detail,
                "detail_key": c.detail_key,
                "detail_params": c.detail_params,
            }
            for c in ApplicationCheck.objects.filter(application_id=row.pk, status="failed").order_by("position")
        ]
        return rejection_reason_text(row.rejection_reason, checks)

    _convert(TagApplication, "rejection_reason", rejection)


class Migration(migrations.Migration):
    dependencies = [("tags", "0004_stored_texts")]

    # Reverse: nothing to undo, the English column was kept (the code columns go with 0004).
    operations = [migrations.RunPython(convert, migrations.RunPython.noop)]
