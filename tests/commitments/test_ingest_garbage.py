"""Garbage from the upstream system is answered per item (`rejected`) or 400, never 500 nor a half write.

Bodies are sent as raw JSON (json.dumps escapes lone surrogates as \\udXXX, as a real client could).
"""

import json
from datetime import UTC, datetime, timedelta

import pytest

from commitments.models import FulfilmentEvent, Order

from .factories import committed, event_payload, order_payload, place_order

pytestmark = pytest.mark.django_db

PAID = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def _post(client, path, body):
    return client.post(path, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("external_id", "bad\ud800", "external_id: not valid text"),
        ("external_id", "a\u0000b", "external_id: not valid text"),
        ("shopper_ref", "\udfff", "shopper_ref: not valid text"),
        ("shopper_ref", "x\u0000", "shopper_ref: not valid text"),
        ("product_id", 2**70, "product_id: unknown product"),
        ("product_id", -(2**70), "product_id: unknown product"),
        ("merchant_id", 2**70, "merchant_id: the product belongs to another merchant"),
        ("quantity", 2**70, "quantity: a positive integer up to 100000"),
        ("quantity", 2**40, "quantity: a positive integer up to 100000"),
        ("paid_at", "9999-12-31T23:59:59-14:00", "paid_at: out of range (years 2000–2099)"),
        ("paid_at", "0001-01-01T00:00:00+14:00", "paid_at: out of range (years 2000–2099)"),
        ("agreed_install_date", "9999-12-31", "agreed_install_date: out of range (years 2000–2099)"),
        ("paid_amount", "-0.01", "paid_amount: must be a non-negative amount with at most 2 decimals"),
        ("paid_amount", "1e400", "paid_amount: must be a non-negative amount with at most 2 decimals"),
        ("shipping_fee", "NaN", "shipping_fee: must be a non-negative amount with at most 2 decimals"),
    ],
)
def test_garbage_order_fields_are_rejected_per_item(api_for, integration_user, product, field, value, reason):
    good = order_payload(product, paid_at=PAID, external_id="G-OK")
    bad = {**order_payload(product, paid_at=PAID, external_id="G-BAD"), field: value}
    with committed():
        response = _post(api_for(integration_user), "/api/v1/integration/orders", {"items": [bad, good]})
    assert response.status_code == 200
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (1, 1)
    assert body["items"][0]["status"] == "rejected"
    assert body["items"][0]["reason"] == reason
    assert list(Order.objects.values_list("external_id", flat=True)) == ["G-OK"]


def test_a_rejected_garbage_id_is_echoed_as_valid_text(api_for, integration_user, product):
    bad = order_payload(product, paid_at=PAID, external_id="id\ud800", province="nowhere")
    response = _post(api_for(integration_user), "/api/v1/integration/orders", {"items": [bad]})
    assert response.status_code == 200
    assert response.json()["items"][0]["external_id"] == "id?"
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("kind", "data", "reason"),
    [
        ("delivered", {"note": "\ud800"}, "data: not valid text"),
        ("delivered", {"note": "a\u0000"}, "data: not valid text"),
        ("delivered", {"\u0000": 1}, "data: not valid text"),
        ("delivered", {"deep": [{"x": "\udc00"}]}, "data: not valid text"),
        ("help_requested", {"scenario": "\ud800"}, "data: not valid text"),
        (
            "return_signed",
            {"freight": "-5"},
            "data.freight: must be a non-negative amount with at most 2 decimals",
        ),
        (
            "return_signed",
            {"freight": "1e400"},
            "data.freight: must be a non-negative amount with at most 2 decimals",
        ),
        (
            "return_signed",
            {"freight": "NaN"},
            "data.freight: must be a non-negative amount with at most 2 decimals",
        ),
        ("return_signed", {"freight": 12.5}, "data.freight: send amounts as strings or integers, not floats"),
        (
            "return_signed",
            {"freight": 2**80},
            "data.freight: must be a non-negative amount with at most 2 decimals",
        ),
    ],
)
def test_garbage_event_data_is_rejected_per_item(api_for, integration_user, product, kind, data, reason):
    order = place_order(product, paid_at=PAID)
    bad = event_payload(order.external_id, kind, PAID + timedelta(hours=1), external_id="EV-BAD", **data)
    with committed():
        response = _post(api_for(integration_user), "/api/v1/integration/events", {"items": [bad]})
    assert response.status_code == 200
    assert response.json()["items"][0] == {
        "index": 0, "external_id": "EV-BAD", "status": "rejected", "reason": reason, "id": None,
    }  # fmt: skip
    assert not FulfilmentEvent.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("external_id", "e\ud800", "external_id: not valid text"),
        ("order_external_id", "\ud800", "order_external_id: not valid text"),
        ("order_external_id", "o\u0000", "order_external_id: not valid text"),
        ("occurred_at", "9999-12-31T23:59:59-14:00", "occurred_at: out of range (years 2000–2099)"),
        ("occurred_at", "0001-01-01T00:00:00+14:00", "occurred_at: out of range (years 2000–2099)"),
    ],
)
def test_garbage_event_fields_are_rejected_per_item(api_for, integration_user, product, field, value, reason):
    order = place_order(product, paid_at=PAID)
    bad = {
        **event_payload(order.external_id, "delivered", PAID + timedelta(hours=1), external_id="EV-BAD"),
        field: value,
    }
    with committed():
        response = _post(api_for(integration_user), "/api/v1/integration/events", {"items": [bad]})
    assert response.status_code == 200
    item = response.json()["items"][0]
    assert (item["status"], item["reason"]) == ("rejected", reason)
    assert not FulfilmentEvent.objects.exists()
    assert Order.objects.get(pk=order.pk).delivered_at is None


def test_return_freight_with_a_valid_amount_is_accepted(api_for, integration_user, product):
    order = place_order(product, paid_at=PAID)
    ok = event_payload(order.external_id, "return_signed", PAID + timedelta(days=1), freight="15.50")
    with committed():
        body = _post(api_for(integration_user), "/api/v1/integration/events", {"items": [ok]}).json()
    assert body["accepted"] == 1
    assert FulfilmentEvent.objects.get().data == {"freight": "15.50"}


@pytest.mark.parametrize("path", ["/api/v1/integration/orders", "/api/v1/integration/events"])
@pytest.mark.parametrize(
    "body",
    [[], [{"external_id": "x"}], "items", 5, None, {}, {"items": {}}, {"items": "x"}, {"items": None}],
)
def test_batch_bodies_that_are_not_an_items_list_are_400(api_for, integration_user, path, body):
    response = _post(api_for(integration_user), path, body)
    assert response.status_code == 400
    assert response.json()["fields"] == {"items": ["a list is required"]}
    assert not Order.objects.exists()
    assert not FulfilmentEvent.objects.exists()


@pytest.mark.parametrize("path", ["/api/v1/integration/orders", "/api/v1/integration/events"])
def test_items_that_are_not_objects_are_rejected_per_item(api_for, integration_user, path):
    response = _post(api_for(integration_user), path, {"items": [1, "a", None, [], True, 1.5]})
    assert response.status_code == 200
    body = response.json()
    assert (body["accepted"], body["duplicate"], body["rejected"]) == (0, 0, 6)
    assert {i["reason"] for i in body["items"]} == {"item: must be an object"}
    assert {i["external_id"] for i in body["items"]} == {""}


def test_events_batch_of_1001_is_refused_whole(api_for, integration_user, product):
    order = place_order(product, paid_at=PAID)
    items = [event_payload(order.external_id, "delivered", PAID + timedelta(hours=1)) for _ in range(1001)]
    response = _post(api_for(integration_user), "/api/v1/integration/events", {"items": items})
    assert response.status_code == 400
    assert response.json()["fields"] == {"items": ["1001 sent"]}
    assert not FulfilmentEvent.objects.exists()
    assert Order.objects.get(pk=order.pk).delivered_at is None


@pytest.mark.parametrize("path", ["/api/v1/integration/orders", "/api/v1/integration/events"])
def test_a_body_nested_too_deep_is_400(api_for, integration_user, path):
    depth = 100_000
    response = api_for(integration_user).post(
        path, data="[" * depth + "]" * depth, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_other_json_endpoints_answer_400_to_deep_nesting(api_for, integration_user, owner_a, staff_ops):
    deep = "[" * 100_000 + "]" * 100_000
    for client, path in [
        (api_for(integration_user), "/api/v1/integration/vouchers/NOPE/redeem"),
        (api_for(owner_a), "/api/v1/merchant/breaches/1/appeal"),
        (api_for(staff_ops), "/api/v1/staff/breach-appeals/1/decide"),
        (api_for(staff_ops), "/api/v1/staff/force-majeure"),
    ]:
        response = client.post(path, data=deep, content_type="application/json")
        assert response.status_code == 400, path
        assert response.json()["code"] == "parse_error"


def test_blank_ids_are_required_not_stored_empty(api_for, integration_user, product):
    order = place_order(product, paid_at=PAID)
    items = [
        order_payload(product, paid_at=PAID, external_id="   "),
        order_payload(product, paid_at=PAID, external_id="\t", shopper_ref="s"),
        order_payload(product, paid_at=PAID, external_id="G-1", shopper_ref="  "),
    ]
    with committed():
        body = _post(api_for(integration_user), "/api/v1/integration/orders", {"items": items}).json()
        events = _post(
            api_for(integration_user),
            "/api/v1/integration/events",
            {
                "items": [
                    event_payload(order.external_id, "delivered", PAID + timedelta(hours=1), external_id="  ")
                ]
            },
        ).json()
    assert [i["reason"] for i in body["items"]] == [
        "external_id: required", "external_id: required", "shopper_ref: required",
    ]  # fmt: skip
    assert list(Order.objects.values_list("external_id", flat=True)) == [order.external_id]
    assert events["items"][0]["reason"] == "external_id: required"
    assert not FulfilmentEvent.objects.exists()
