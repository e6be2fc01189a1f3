"""Deposit ledger CSV: content, UTF-8 with BOM, own shop only, constant queries."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commitments.texts import memo_voucher_recovery
from merchants.services import deposit_post_entry

pytestmark = pytest.mark.django_db


def read_csv(response) -> list[list[str]]:
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def _entries(merchant, n: int, memo: str):
    for i in range(n):
        deposit_post_entry(
            merchant_id=merchant.pk, kind="top_up", amount=Decimal("100.00") + i, memo=f"{memo}{i}"
        )


def test_office_ledger_export_has_my_entries_in_my_language(client, owner_a, merchant_a, merchant_b):
    _entries(merchant_a, 2, "首次缴纳")
    _entries(merchant_b, 1, "B only")
    client.force_login(owner_a)

    response = client.get("/office/deposit/export.csv", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(f'attachment; filename="ledger-{merchant_a.shop_code}-')
    rows = read_csv(response)
    assert rows[0] == ["时间", "类型", "金额（元）", "变动后余额（元）", "备注"]
    assert [row[1:] for row in rows[1:]] == [
        ["充值", "101.00", "201.00", "首次缴纳1"],
        ["充值", "100.00", "100.00", "首次缴纳0"],
    ]
    assert all("B only" not in cell for row in rows for cell in row)


def test_coded_memos_are_exported_in_the_readers_language(client, owner_a, merchant_a):
    memo = memo_voucher_recovery("V00000042", "O-2026-1")
    deposit_post_entry(merchant_id=merchant_a.pk, kind="top_up", amount=Decimal("500.00"))
    deposit_post_entry(
        merchant_id=merchant_a.pk, kind="compensation_recovery", amount=Decimal("30.00"), memo=memo
    )
    client.force_login(owner_a)

    chinese = read_csv(client.get("/office/deposit/export.csv", HTTP_ACCEPT_LANGUAGE="zh-hans"))
    english = read_csv(client.get("/office/deposit/export.csv", HTTP_ACCEPT_LANGUAGE="en"))

    assert chinese[1][1:] == ["赔付扣回", "-30.00", "470.00", "订单 O-2026-1 的代金券 V00000042"]
    assert english[1][1:] == [
        "compensation recovery",
        "-30.00",
        "470.00",
        "voucher V00000042 for order O-2026-1",
    ]


def test_office_ledger_export_keeps_the_kind_filter(client, owner_a, merchant_a):
    _entries(merchant_a, 1, "top")
    deposit_post_entry(merchant_id=merchant_a.pk, kind="refund", amount=Decimal("10.00"), memo="back")
    client.force_login(owner_a)

    rows = read_csv(client.get("/office/deposit/export.csv?kind=refund", HTTP_ACCEPT_LANGUAGE="en"))

    assert [row[1:] for row in rows[1:]] == [["refund to merchant", "-10.00", "90.00", "back"]]


def test_ledger_export_runs_the_same_queries_for_3_or_60_rows(client, owner_a, merchant_a):
    client.force_login(owner_a)
    counts = []
    for n in (3, 57):
        _entries(merchant_a, n, "m")
        with CaptureQueriesContext(connection) as queries:
            rows = read_csv(client.get("/office/deposit/export.csv"))
        counts.append(len(queries))
        assert len(rows) == 1 + (3 if n == 3 else 60)
    assert counts[0] == counts[1]
    assert counts[0] <= 8


def test_staff_export_of_a_merchant_ledger_and_the_office_is_closed_to_staff(
    client, staff_ops, owner_b, merchant_a, merchant_b
):
    _entries(merchant_a, 1, "A")
    client.force_login(staff_ops)
    rows = read_csv(client.get(f"/staff/merchants/{merchant_a.pk}/deposit/export.csv"))
    assert [row[-1] for row in rows[1:]] == ["A0"]
    assert client.get("/office/deposit/export.csv").status_code == 403

    client.force_login(owner_b)
    assert client.get(f"/staff/merchants/{merchant_a.pk}/deposit/export.csv").status_code == 403
