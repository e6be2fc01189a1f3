"""Complaint CSVs: own shop only, the staff queue's filters, constant queries."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints.models import Complaint

from .factories import ComplaintFactory, OrderFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2024, 3, 6, 2, 0, tzinfo=UTC)


def read_csv(response) -> list[list[str]]:
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_office_export_lists_my_complaints_in_my_language(client, owner_a, merchant_a, merchant_b):
    mine = ComplaintFactory(
        order=OrderFactory(merchant=merchant_a),
        state=Complaint.State.AWAITING_MERCHANT,
        merchant_response_due_at=NOW + timedelta(hours=48),
        urgent=True,
    )
    theirs = ComplaintFactory(order=OrderFactory(merchant=merchant_b))
    client.force_login(owner_a)

    rows = read_csv(client.get("/office/complaints/export.csv", HTTP_ACCEPT_LANGUAGE="zh-hans"))

    assert rows[1] == [
        mine.external_id, "2024-03-04 10:00:00", mine.order.external_id, mine.standard.name_zh, "",
        "待商家处理", "是", "2024-03-08 10:00:00", "2024-03-11 23:59:59", "", "",
    ]  # fmt: skip
    assert len(rows) == 2
    assert theirs.external_id not in str(rows)


@time_machine.travel(NOW, tick=False)
def test_staff_export_keeps_the_queue_filters(client, staff_adjudicator, merchant_a, merchant_b):
    overdue = ComplaintFactory(order=OrderFactory(merchant=merchant_a), due_at=NOW - timedelta(hours=1))
    ComplaintFactory(order=OrderFactory(merchant=merchant_b), due_at=NOW + timedelta(days=2))
    ComplaintFactory(order=OrderFactory(merchant=merchant_b), state=Complaint.State.UPHELD)
    client.force_login(staff_adjudicator)

    def ids(query: str) -> list[str]:
        return [row[2] for row in read_csv(client.get(f"/staff/complaints/export.csv?{query}"))[1:]]

    assert ids("overdue=1") == [overdue.external_id]
    assert len(ids("")) == 2  # open ones, like the page
    assert len(ids(f"merchant={merchant_b.shop_code}")) == 1
    assert len(ids("state=upheld")) == 1
    first = read_csv(client.get("/staff/complaints/export.csv?overdue=1", HTTP_ACCEPT_LANGUAGE="en"))
    assert first[0][:3] == ["Shop code", "Merchant", "Complaint"]
    assert first[1][:2] == [merchant_a.shop_code, merchant_a.name]


def test_export_runs_the_same_queries_for_2_or_30_rows(client, owner_a, merchant_a):
    client.force_login(owner_a)
    counts = []
    for n in (2, 28):
        ComplaintFactory.create_batch(n, order=factory_order(merchant_a))
        with CaptureQueriesContext(connection) as queries:
            rows = read_csv(client.get("/office/complaints/export.csv"))
        counts.append(len(queries))
        assert len(rows) == 1 + (2 if n == 2 else 30)
    assert counts[0] == counts[1]


def factory_order(merchant):
    return OrderFactory(merchant=merchant)
