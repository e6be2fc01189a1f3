"""Existing deposit ledger memos become stored texts (core.texts): code + parameters.

The English the services wrote until now is parsed back into its code and parameters; anything
else (what staff typed, the demo's memos) keeps its words under the verbatim code ("text"), shown
as it was. Only rows without a code are touched: safe to run again. The English column stays.
"""

import re

from django.db import migrations

BATCH = 2000
VOUCHER = re.compile(r"^voucher (?P<voucher>\S+) for order (?P<order>\S+)$")
APPEAL_VOUCHERS = re.compile(r"^appeal upheld: voucher (?P<vouchers>.+)$")
APPEAL_COMPLAINT = re.compile(r"^appeal upheld: complaint (?P<complaint>\S+)$")
COMPLAINT = re.compile(r"^complaint (?P<complaint>\S+)$")


def memo_text(memo: str) -> tuple[str, dict]:
    if m := VOUCHER.match(memo):
        return "deposit.voucher_recovery", {"voucher": m["voucher"], "order": m["order"]}
    if m := APPEAL_VOUCHERS.match(memo):
        return "deposit.appeal_upheld_vouchers", {"vouchers": m["vouchers"].split(", ")}
    if m := APPEAL_COMPLAINT.match(memo):
        return "complaint.appeal_upheld", {"complaint": m["complaint"]}
    if m := COMPLAINT.match(memo):
        return "deposit.complaint_recovery", {"complaint": m["complaint"]}
    return "text", {"text": memo}


def convert(apps, schema_editor):
    DepositEntry = apps.get_model("merchants", "DepositEntry")
    rows = DepositEntry.objects.filter(memo_code="").exclude(memo="").order_by("pk")
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last).only("pk", "memo")[:BATCH])
        if not batch:
            return
        for row in batch:
            row.memo_code, row.memo_params = memo_text(row.memo)
        DepositEntry.objects.bulk_update(batch, ["memo_code", "memo_params"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("merchants", "0004_stored_texts")]

    # Reverse: nothing to undo, the English column was kept (the code columns go with 0004).
    operations = [migrations.RunPython(convert, migrations.RunPython.noop)]
