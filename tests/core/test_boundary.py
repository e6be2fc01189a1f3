"""The input boundary (core/boundary.py, core.middleware.InputBoundaryMiddleware) on API and forms.

Each class of absurd input: NUL, lone surrogates, UTC offsets PostgreSQL refuses, years out of the
business range, numbers beyond the columns. Each is a 4xx that does not echo the bad character, and
nothing is written. CI runs these on PostgreSQL (where NUL and +16:00 used to be 500s).
"""

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from commitments.models import ForceMajeure, Order
from complaints.models import HelpRequest
from core.money import COLUMN_MAX
from merchants.models import DepositEntry
from tests.commitments.factories import committed, fund, hold, order_payload, product_of

pytestmark = pytest.mark.django_db

PAID = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def _json(response):
    """The body decodes as strict UTF-8 JSON and carries no NUL or lone surrogate."""
    text = response.content.decode("utf-8")
    assert "\\u0000" not in text
    assert "\x00" not in text
    assert "\\ud8" not in text.lower()
    assert "\\udf" not in text.lower()
    return json.loads(text)


@pytest.fixture
def product(merchant_a):
    hold(merchant_a, "ship_24h")
    fund(merchant_a)
    return product_of(merchant_a)


# --- NUL and surrogates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/merchant/breaches/%00",
        "/api/v1/merchant/commitments?state=%00",
        "/api/v1/merchant/commitments?x%00y=1",
        "/api/v1/public/badges?product_ids=1%00",
        "/api/v1/integration/complaints/ab%00cd",
    ],
)
def test_nul_in_api_path_or_query_is_400_in_our_shape(api_for, owner_a, url):
    response = api_for(owner_a).get(url)
    assert response.status_code == 400
    body = _json(response)
    assert body["code"] == "invalid"
    assert set(body) == {"code", "message", "fields"}


@pytest.mark.parametrize("url", ["/office/%00/", "/staff/complaints/?standard=%00", "/login/?next=%00"])
def test_nul_in_page_path_or_query_is_400(client, staff_reviewer, url):
    client.force_login(staff_reviewer)
    response = client.get(url)
    assert response.status_code == 400
    assert "\x00" not in response.content.decode()


def test_surrogate_in_a_choice_field_is_400_without_echo(api_for, owner_a, merchant_a):
    response = api_for(owner_a).post(
        "/api/v1/merchant/tag-applications",
        data='{"tag": "ship_24h", "category": "\\ud800x"}',
        content_type="application/json",
    )
    assert response.status_code == 400
    body = _json(response)
    assert body["code"] == "invalid"
    assert "category" in body["fields"]


def test_nul_in_a_form_body_is_400_and_nothing_is_written(client, staff_ops, merchant_a):
    client.force_login(staff_ops)
    before = DepositEntry.objects.count()
    response = client.post(
        f"/staff/merchants/{merchant_a.pk}/deposit/",
        {"kind": "top_up", "amount": "100", "memo": "a\x00b"},
    )
    assert response.status_code == 400
    assert "\x00" not in response.content.decode()
    assert DepositEntry.objects.count() == before


# --- offsets and years ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["2026-03-01T00:00:00+16:00", "2026-03-01T00:00:00-23:59", "1999-12-31T00:00:00+08:00"]
)
def test_filter_time_with_an_impossible_offset_or_year_is_400(api_for, owner_a, value):
    response = api_for(owner_a).get("/api/v1/merchant/commitments", {"paid_after": value})
    assert response.status_code == 400
    assert "paid_after" in _json(response)["fields"]


def test_batch_item_with_a_16_hour_offset_is_rejected_alone(api_for, integration_user, product):
    good = order_payload(product, paid_at=PAID, external_id="OFF-OK")
    bad = {
        **order_payload(product, paid_at=PAID, external_id="OFF-BAD"),
        "paid_at": "2026-03-02T06:00:00+16:00",
    }
    edge = {
        **order_payload(product, paid_at=PAID, external_id="OFF-EDGE"),
        "paid_at": "2026-03-02T22:00:00+15:59",
    }
    with committed():
        response = api_for(integration_user).post(
            "/api/v1/integration/orders", {"items": [bad, good, edge]}, format="json"
        )
    assert response.status_code == 200
    body = _json(response)
    assert [i["status"] for i in body["items"]] == ["rejected", "accepted", "accepted"]
    assert body["items"][0]["reason"] == "paid_at: the UTC offset must be between -15:59 and +15:59"
    assert sorted(Order.objects.values_list("external_id", flat=True)) == ["OFF-EDGE", "OFF-OK"]
    assert Order.objects.get(external_id="OFF-EDGE").paid_at == datetime(2026, 3, 2, 6, 1, tzinfo=UTC)


def test_force_majeure_from_year_1_to_9999_is_refused_by_the_api(api_for, staff_ops):
    response = api_for(staff_ops).post(
        "/api/v1/staff/force-majeure",
        {
            "provinces": ["310000"],
            "starts_at": "0001-01-01T00:00:00Z",
            "ends_at": "9999-12-31T00:00:00Z",
            "tags": ["ship_24h"],
            "reason": "typhoon",
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(_json(response)["fields"]) == {"starts_at", "ends_at"}
    assert not ForceMajeure.objects.exists()


@pytest.mark.parametrize("value", ["2026-03-02T10:00+16:00", "0001-01-01T00:00", "9999-12-31T23:59"])
def test_force_majeure_form_refuses_offsets_and_years(client, staff_ops, value):
    client.force_login(staff_ops)
    response = client.post(
        "/staff/commitments/force-majeure/",
        {"provinces": ["310000"], "tags": ["1"], "reason": "typhoon", "starts_at": value, "ends_at": value},
    )
    assert response.status_code == 200
    assert not ForceMajeure.objects.exists()


def test_help_request_dated_9999_is_rejected(api_for, integration_user, product):
    order = order_payload(product, paid_at=PAID, external_id="HR-1")
    with committed():
        api_for(integration_user).post("/api/v1/integration/orders", {"items": [order]}, format="json")
    item = {
        "external_id": "H1",
        "order": "HR-1",
        "scenario": "logistics",
        "requested_at": "9999-12-31T00:00:00Z",
    }
    response = api_for(integration_user).post(
        "/api/v1/integration/help-requests", {"items": [item]}, format="json"
    )
    assert response.status_code == 400
    assert not HelpRequest.objects.exists()


# --- numbers beyond the columns and business limits ------------------------------------------------


@pytest.mark.parametrize("amount", ["1e15", "10000000.01", "99999999999999"])
def test_huge_deposit_amount_is_refused_by_api_and_page(api_for, client, staff_ops, merchant_a, amount):
    before = list(DepositEntry.objects.values_list("pk", flat=True))
    response = api_for(staff_ops).post(
        f"/api/v1/staff/merchants/{merchant_a.pk}/deposit/entries",
        {"kind": "top_up", "amount": amount},
        format="json",
    )
    assert response.status_code == 400
    client.force_login(staff_ops)
    page = client.post(f"/staff/merchants/{merchant_a.pk}/deposit/", {"kind": "top_up", "amount": amount})
    assert page.status_code == 302
    assert list(DepositEntry.objects.values_list("pk", flat=True)) == before


def test_repeated_top_ups_cannot_overflow_the_balance(staff_ops, merchant_a):
    from core.errors import ApplicationError
    from merchants.models import DepositAccount
    from merchants.services import deposit_post_entry

    DepositAccount.objects.filter(merchant=merchant_a).update(balance=COLUMN_MAX - Decimal("100"))
    with pytest.raises(ApplicationError) as caught:
        deposit_post_entry(merchant_id=merchant_a.pk, kind="top_up", amount=Decimal("1000"), actor=staff_ops)
    assert caught.value.code == "out_of_range"
    assert DepositAccount.objects.get(merchant=merchant_a).balance == COLUMN_MAX - Decimal("100")


@pytest.mark.parametrize("value", [str(2**63), str(-(2**64)), "9" * 40])
def test_integer_beyond_64_bits_is_400(api_for, staff_reviewer, value):
    response = api_for(staff_reviewer).get("/api/v1/staff/complaints", {"merchant": value})
    assert response.status_code == 400
