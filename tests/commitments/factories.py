"""Orders, holdings and commitments for the commitments tests, built on the seeded tag catalog."""

import itertools
from datetime import UTC, datetime
from decimal import Decimal

from django.test import TestCase

from commitments.api.ingest import EventBatchSerializer, OrderBatchSerializer
from commitments.services import events_ingest, orders_ingest
from merchants.models import Merchant
from tags.models import Tag, TagHolding
from tests.factories import ProductFactory

_seq = itertools.count(1)


def committed():
    """Run on_commit side effects (compensation tasks) as if the test's transaction had committed."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def hold(merchant: Merchant, code: str, *, category=None, config=None, granted_at=None) -> TagHolding:
    """The merchant holds the seeded tag `code` for its main category (current terms version)."""
    tag = Tag.objects.get(code=code)
    return TagHolding.objects.create(
        merchant=merchant,
        category=category or merchant.main_category,
        tag=tag,
        terms_version=tag.current_terms,
        config=config or {},
        granted_at=granted_at or datetime(2020, 1, 1, tzinfo=UTC),
    )


def product_of(merchant: Merchant, **kwargs):
    return ProductFactory(merchant=merchant, **kwargs)


def order_payload(product, *, paid_at: datetime, external_id: str | None = None, **overrides) -> dict:
    item = {
        "external_id": external_id or f"O{next(_seq):08d}",
        "product_id": product.pk,
        "merchant_id": product.merchant_id,
        "shopper_ref": "shopper-7f3a91",
        "paid_amount": "2999.00",
        "shipping_fee": "0",
        "province": "310000",
        "paid_at": paid_at.isoformat(),
    }
    item.update(overrides)
    return item


def event_payload(
    order_external_id: str, kind: str, occurred_at: datetime, *, external_id=None, **data
) -> dict:
    return {
        "external_id": external_id or f"E{next(_seq):08d}",
        "order_external_id": order_external_id,
        "kind": kind,
        "occurred_at": occurred_at.isoformat(),
        "data": data,
    }


def _validated(serializer_class, payloads: list) -> list:
    batch = serializer_class(data={"items": payloads})
    batch.is_valid(raise_exception=True)
    return batch.validated_data["items"]


def order_items(payloads: list) -> list:
    """Order payloads as the integration API hands them to orders_ingest (validated, or ItemRejected)."""
    return _validated(OrderBatchSerializer, payloads)


def event_items(payloads: list) -> list:
    """Event payloads as the integration API hands them to events_ingest (validated, or ItemRejected)."""
    return _validated(EventBatchSerializer, payloads)


def place_order(product, *, paid_at: datetime, **overrides):
    """Ingest one order through the service; returns the Order."""
    from commitments.models import Order

    payload = order_payload(product, paid_at=paid_at, **overrides)
    with committed():
        result = orders_ingest(items=order_items([payload]))
    assert result.items[0].status == "accepted", result.items[0]
    return Order.objects.get(external_id=payload["external_id"])


def send_event(order, kind: str, occurred_at: datetime, **data):
    with committed():
        result = events_ingest(
            items=event_items([event_payload(order.external_id, kind, occurred_at, **data)])
        )
    assert result.items[0].status == "accepted", result.items[0]
    return result


def fund(merchant, amount="50000"):
    from merchants.services import deposit_post_entry

    deposit_post_entry(merchant_id=merchant.pk, kind="top_up", amount=Decimal(amount))
