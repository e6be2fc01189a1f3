"""The ingest serializers (commitments/api/ingest.py) validate what they document: model enumerations,
field types, required fields and each kind's payload keys, item by item."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from drf_spectacular.generators import SchemaGenerator

from commitments.api.ingest import EVENT_PAYLOADS, EventBatchSerializer, OrderBatchSerializer
from commitments.models import FulfilmentEvent, Order
from commitments.services import ItemRejected, orders_ingest
from core.regions import PROVINCE_CODES

from .factories import committed, event_payload, order_payload, place_order

pytestmark = pytest.mark.django_db

PAID = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def _post(client, path, body):
    return client.post(path, data=json.dumps(body), content_type="application/json")


def _validated(serializer_class, items):
    batch = serializer_class(data={"items": items})
    assert batch.is_valid(), batch.errors
    return batch.validated_data["items"]


def test_a_valid_order_reaches_the_service_typed(product):
    item = order_payload(
        product, paid_at=PAID, shipping_fee="6", agreed_install_date="2026-03-05", quantity=2
    )
    item["paid_at"] = "2026-03-02T14:00:00+08:00"
    (order,) = _validated(OrderBatchSerializer, [item])
    assert order == {
        "external_id": item["external_id"], "shopper_ref": "shopper-7f3a91", "paid_amount": Decimal("2999.00"),
        "shipping_fee": Decimal("6"), "province": "310000", "paid_at": PAID,
        "agreed_install_date": datetime(2026, 3, 5).date(), "product_id": product.pk,
        "merchant_id": product.merchant_id, "quantity": 2,
    }  # fmt: skip
    assert order["paid_at"].tzinfo is UTC


def test_defaults_of_the_optional_order_fields(product):
    item = order_payload(product, paid_at=PAID)
    for key in ("merchant_id", "shipping_fee"):
        del item[key]
    (order,) = _validated(OrderBatchSerializer, [item])
    assert (order["merchant_id"], order["quantity"], order["shipping_fee"], order["agreed_install_date"]) == (
        None, 1, Decimal("0"), None,
    )  # fmt: skip


VALID_PAYLOAD = {"pickup_scanned": {"carrier": "SF"}, "help_requested": {"scenario": "urge_dispatch"}}


@pytest.mark.parametrize(
    ("kind", "data", "reason"),
    [
        ("pickup_scanned", {}, "data.carrier: required for pickup_scanned"),
        ("pickup_scanned", {"carrier": 7}, "data.carrier: required for pickup_scanned"),
        ("pickup_scanned", {"carrier": "  "}, "data.carrier: required for pickup_scanned"),
        ("help_requested", {}, "data.scenario: required for help_requested"),
        ("delivered", {"to_door": "yes"}, "data.to_door: true or false"),
        ("refunded", {"staff_intervened": None}, "data.staff_intervened: true or false"),
        ("rated", {"logistics": 0}, "data.logistics: an integer 1–5"),
        ("rated", {"service_attitude": True}, "data.service_attitude: an integer 1–5"),
        ("rated", {"item_as_described": "5"}, "data.item_as_described: an integer 1–5"),
        ("installed", [], "data: must be an object"),
        ("installed", {"note": "x" * 4000}, "data: too large"),
    ],
)
def test_each_kind_payload_is_checked(product, kind, data, reason):
    good = event_payload("O-1", kind, PAID, external_id="E-1", **VALID_PAYLOAD.get(kind, {}))
    (item,) = _validated(EventBatchSerializer, [good])
    assert item["data"] == good["data"]
    bad = {**good, "data": data}
    assert _validated(EventBatchSerializer, [bad]) == [ItemRejected(external_id="E-1", reason=reason)]


def test_a_payload_is_stored_as_sent_and_a_missing_one_is_empty(api_for, integration_user, product):
    order = place_order(product, paid_at=PAID)
    rated = event_payload(order.external_id, "rated", PAID + timedelta(days=2), product=5, note="fine")
    installed = event_payload(order.external_id, "installed", PAID + timedelta(days=1))
    del installed["data"]
    with committed():
        body = _post(
            api_for(integration_user), "/api/v1/integration/events", {"items": [rated, installed]}
        ).json()
    assert (body["accepted"], body["rejected"]) == (2, 0)
    assert dict(FulfilmentEvent.objects.values_list("kind", "data")) == {
        "rated": {"product": 5, "note": "fine"},
        "installed": {},
    }


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"kind": "teleported"}, "kind: unknown event kind"),
        ({"kind": 3}, "kind: unknown event kind"),
        ({"kind": None}, "kind: required"),
        ({"occurred_at": "2026-03-02T06:00:00"}, "occurred_at: needs a time zone offset"),
        ({"occurred_at": 1772431200}, "occurred_at: must be an ISO 8601 date-time"),
        ({"occurred_at": "2026-02-30T06:00:00+00:00"}, "occurred_at: not an ISO 8601 date-time"),
        ({"order_external_id": ["O-1"]}, "order_external_id: must be a string"),
        ({"external_id": "x" * 65}, "external_id: at most 64 characters"),
    ],
)
def test_event_fields_are_typed(change, reason):
    bad = {**event_payload("O-1", "delivered", PAID, external_id="E-9"), **change}
    (item,) = _validated(EventBatchSerializer, [bad])
    assert item == ItemRejected(external_id=str(bad["external_id"])[:64], reason=reason)


def test_a_missing_field_is_required(product):
    item = order_payload(product, paid_at=PAID, external_id="O-9")
    del item["paid_amount"]
    assert _validated(OrderBatchSerializer, [item]) == [
        ItemRejected(external_id="O-9", reason="paid_amount: required")
    ]


def test_the_batch_refusal_keeps_its_message(api_for, integration_user):
    response = _post(api_for(integration_user), "/api/v1/integration/events", {"items": "x"})
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid", "message": 'send {"items": [...]}', "fields": {"items": ["a list is required"]},
    }  # fmt: skip


def test_the_service_answers_a_refused_item_as_rejected_and_writes_nothing(product):
    good = _validated(OrderBatchSerializer, [order_payload(product, paid_at=PAID, external_id="O-1")])
    refused = ItemRejected(external_id="O-2", reason="paid_at: required")
    result = orders_ingest(items=[refused, *good])
    assert [(i.status, i.external_id, i.reason) for i in result.items] == [
        ("rejected", "O-2", "paid_at: required"), ("accepted", "O-1", ""),
    ]  # fmt: skip
    assert list(Order.objects.values_list("external_id", flat=True)) == ["O-1"]


def test_the_schema_takes_its_enumerations_from_the_models():
    schemas = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    event = schemas["EventItemRequest"]
    kind = event["properties"]["kind"]
    enum = schemas[kind["$ref"].rsplit("/", 1)[1]]["enum"] if "$ref" in kind else kind["enum"]
    assert enum == FulfilmentEvent.Kind.values
    assert set(event["required"]) == {"external_id", "order_external_id", "kind", "occurred_at"}
    province = schemas["OrderItemRequest"]["properties"]["province"]
    assert schemas[province["$ref"].rsplit("/", 1)[1]]["enum"] == PROVINCE_CODES
    assert set(EVENT_PAYLOADS) <= set(FulfilmentEvent.Kind.values)
