"""Every list endpoint of the app answers in a number of queries that does not grow with the rows."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commitments.models import Breach
from commitments.services import breach_appeal_submit, force_majeure_declare
from tags.models import Tag

from .factories import committed, place_order, send_event

pytestmark = pytest.mark.django_db

PAID = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def _appealed_breach(product, n: int) -> Breach:
    order = place_order(product, paid_at=PAID, shopper_ref=f"shopper-{n}")
    with committed(), time_machine.travel(PAID + timedelta(hours=30), tick=False):
        send_event(order, "pickup_scanned", PAID + timedelta(hours=28), carrier="SF")
    breach = Breach.objects.get(commitment__order=order)
    with time_machine.travel(PAID + timedelta(days=2), tick=False):
        breach_appeal_submit(breach_id=breach.pk, merchant=breach.merchant, text="late scan", files=[])
    force_majeure_declare(
        provinces=["110000"], starts_at=PAID, ends_at=PAID + timedelta(days=1),
        tag_ids=[Tag.objects.get(code="ship_24h").pk], reason=f"storm {n}",
    )  # fmt: skip
    return breach


def _queries(client, path: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, response.content
    body = response.json()
    return len(ctx.captured_queries), len(body["results"])


ENDPOINTS = [
    ("owner", "/api/v1/merchant/commitments"),
    ("owner", "/api/v1/merchant/breaches"),
    ("owner", "/api/v1/merchant/vouchers"),
    ("staff", "/api/v1/staff/breaches"),
    ("staff", "/api/v1/staff/breach-appeals"),
    ("staff", "/api/v1/staff/force-majeure"),
    ("integration", "/api/v1/integration/vouchers?after=0"),
]


def test_list_endpoints_do_not_query_per_row(api_for, owner_a, staff_ops, integration_user, product):
    clients = {
        "owner": api_for(owner_a),
        "staff": api_for(staff_ops),
        "integration": api_for(integration_user),
    }
    _appealed_breach(product, 0)
    one = {path: _queries(clients[who], path) for who, path in ENDPOINTS}
    for n in range(1, 4):
        _appealed_breach(product, n)
    four = {path: _queries(clients[who], path) for who, path in ENDPOINTS}
    for _who, path in ENDPOINTS:
        (q1, rows1), (q4, rows4) = one[path], four[path]
        assert rows4 > rows1, path
        assert q4 <= q1, f"{path}: {q1} queries for {rows1} rows, {q4} for {rows4}"
