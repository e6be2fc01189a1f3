"""Breach and voucher CSVs: content, own shop only, the staff page's filters, constant queries."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commitments.models import Breach, BreachAppeal
from commitments.texts import breach_not_sf
from tests.commitments.test_dashboard import _breach, _voucher

pytestmark = pytest.mark.django_db
DETECTED = datetime(2024, 3, 20, 2, 0, tzinfo=UTC)


def read_csv(response) -> list[list[str]]:
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_office_breach_export_lists_my_breaches_as_words(client, owner_a, merchant_a, merchant_b):
    mine = _breach(merchant_a, DETECTED)
    BreachAppeal.objects.create(breach=mine, merchant=merchant_a, text="签收照片")
    _voucher(mine, merchant_a, "30.00", n=1)
    theirs = _breach(merchant_b, DETECTED)
    client.force_login(owner_a)

    rows = read_csv(client.get("/office/commitments/breaches/export.csv", HTTP_ACCEPT_LANGUAGE="en"))

    assert rows == [
        ["Detected", "Order", "Tag", "How", "Detail", "Voucher (CNY)", "Appeal", "Counts in metrics"],
        ["2024-03-20 10:00:00", mine.commitment.order.external_id, mine.commitment.tag.name_en, "deadline sweep", "", "30.00", "submitted", "yes"],
    ]  # fmt: skip
    assert theirs.commitment.order.external_id not in str(rows)


def test_office_breach_export_keeps_the_period_filter(client, owner_a, merchant_a):
    _breach(merchant_a, DETECTED)
    client.force_login(owner_a)

    assert len(read_csv(client.get("/office/commitments/breaches/export.csv?since=2024-03-21"))) == 1
    assert len(read_csv(client.get("/office/commitments/breaches/export.csv?since=2024-03-20"))) == 2


def test_breach_details_are_exported_in_the_readers_language(client, owner_a, merchant_a):
    breach = _breach(merchant_a, DETECTED)
    Breach.objects.filter(pk=breach.pk).update(**breach_not_sf("YTO").fields(Breach, "detail"))
    client.force_login(owner_a)

    chinese = read_csv(client.get("/office/commitments/breaches/export.csv", HTTP_ACCEPT_LANGUAGE="zh-hans"))
    english = read_csv(client.get("/office/commitments/breaches/export.csv", HTTP_ACCEPT_LANGUAGE="en"))

    assert (chinese[1][4], english[1][4]) == ("由YTO揽收，不是顺丰", "picked up by YTO, not SF")


def test_office_voucher_export_in_chinese(client, owner_a, merchant_a, merchant_b):
    _voucher(_breach(merchant_a, DETECTED), merchant_a, "30.00", n=1)
    _voucher(None, merchant_a, "50.00", source_type="complaints.complaint", n=2)
    _voucher(_breach(merchant_b, DETECTED), merchant_b, "70.00", n=3)
    client.force_login(owner_a)

    rows = read_csv(client.get("/office/commitments/vouchers/export.csv", HTTP_ACCEPT_LANGUAGE="zh-hans"))

    assert [row[3:6] for row in rows[1:]] == [["投诉判定赔付", "50.00", "商家"], ["24h发货", "30.00", "商家"]]


def test_staff_exports_use_the_page_filters_and_name_the_merchant(
    client, staff_reviewer, merchant_a, merchant_b
):
    a = _breach(merchant_a, DETECTED)
    _breach(merchant_b, DETECTED)
    _voucher(a, merchant_a, "30.00", n=1)
    client.force_login(staff_reviewer)

    by_shop = read_csv(client.get(f"/staff/commitments/breaches/export.csv?merchant={merchant_a.shop_code}"))
    by_order = read_csv(
        client.get(f"/staff/commitments/breaches/export.csv?order={a.commitment.order.external_id}")
    )
    everything = read_csv(client.get("/staff/commitments/breaches/export.csv"))
    vouchers = read_csv(client.get(f"/staff/commitments/vouchers/export.csv?merchant={merchant_b.shop_code}"))

    assert [row[:2] for row in by_shop[1:]] == [[merchant_a.shop_code, merchant_a.name]]
    assert by_order[1:] == by_shop[1:]
    assert len(everything) == 3
    assert vouchers[1:] == []


def test_breach_export_runs_the_same_queries_for_2_or_40_rows(client, owner_a, merchant_a):
    client.force_login(owner_a)
    counts = []
    for n in (2, 38):
        for _ in range(n):
            _breach(merchant_a, DETECTED)
        with CaptureQueriesContext(connection) as queries:
            rows = read_csv(client.get("/office/commitments/breaches/export.csv"))
        counts.append(len(queries))
        assert len(rows) == 1 + (2 if n == 2 else 40)
    assert counts[0] == counts[1]


def test_merchants_cannot_reach_the_staff_exports(client, owner_a):
    client.force_login(owner_a)
    assert client.get("/staff/commitments/breaches/export.csv").status_code == 403
    assert client.get("/staff/commitments/vouchers/export.csv").status_code == 403
