"""Order facts folded in at ingestion as columns: first-wins times, rating and reason from the first
event, sticky staff intervention, the logistics-exception kind, the dirty-day marks, the backfill."""

import importlib
from datetime import UTC, date, datetime, timedelta

import pytest
from django.apps import apps

from commitments.models import FulfilmentEvent, MetricsDirtyDay, Order
from commitments.services import events_ingest

from .factories import committed, event_items, event_payload, place_order, send_event

pytestmark = pytest.mark.django_db

PAID = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)  # 2026-03-02 07:30 in Shanghai


def _dirty(merchant):
    return sorted(MetricsDirtyDay.objects.filter(merchant=merchant).values_list("day", flat=True))


def test_rating_is_the_first_rated_event_whatever_the_arrival_order(product):
    order = place_order(product, paid_at=PAID)
    send_event(
        order,
        "rated",
        PAID + timedelta(days=9),
        product=1,
        item_as_described=1,
        service_attitude=1,
        logistics=1,
    )
    send_event(
        order,
        "rated",
        PAID + timedelta(days=5),
        product=5,
        item_as_described=4,
        service_attitude=3,
        logistics=2,
    )
    order.refresh_from_db()
    assert (order.rated_at, order.rating_product, order.rating_described, order.rating_attitude) == (
        PAID + timedelta(days=5),
        5,
        4,
        3,
    )
    assert order.rating_logistics == 2


def test_refund_facts_first_wins_and_staff_intervention_sticks(product):
    order = place_order(product, paid_at=PAID)
    send_event(order, "refund_requested", PAID + timedelta(days=3))
    send_event(order, "refunded", PAID + timedelta(days=6), reason="changed_mind", staff_intervened=True)
    send_event(order, "refunded", PAID + timedelta(days=4), reason="Quality", staff_intervened=False)
    send_event(order, "refund_requested", PAID + timedelta(days=2))
    order.refresh_from_db()
    assert order.refund_requested_at == PAID + timedelta(days=2)
    assert order.refunded_at == PAID + timedelta(days=4)
    assert order.refund_reason == "quality"
    assert order.refund_staff_intervened is True


def test_unknown_refund_reason_is_other(product):
    order = place_order(product, paid_at=PAID)
    send_event(order, "refunded", PAID + timedelta(days=4), reason="didn't like the colour")
    order.refresh_from_db()
    assert (order.refund_reason, order.refund_staff_intervened) == ("other", False)


def test_logistics_exception_is_an_event_kind_folded_first_wins(product):
    order = place_order(product, paid_at=PAID)
    send_event(order, "logistics_exception", PAID + timedelta(days=3), what="parcel damaged")
    send_event(order, "logistics_exception", PAID + timedelta(days=2), what="stalled at hub")
    send_event(order, "delivered", PAID + timedelta(days=4))
    order.refresh_from_db()
    assert order.logistics_exception_at == PAID + timedelta(days=2)
    assert order.delivered_at == PAID + timedelta(days=4)


def test_a_rejected_event_writes_no_fact_and_no_mark(product):
    order = place_order(product, paid_at=PAID)
    MetricsDirtyDay.objects.all().delete()
    with committed():
        result = events_ingest(
            items=event_items(
                [event_payload(order.external_id, "rated", PAID + timedelta(days=1), product=9)]
            )
        )
    assert result.items[0].status == "rejected"
    order.refresh_from_db()
    assert (order.rated_at, order.rating_product) == (None, None)
    assert _dirty(order.merchant) == []


def test_ingestion_marks_the_local_paid_day(product):
    order = place_order(product, paid_at=PAID)
    assert _dirty(order.merchant) == [date(2026, 3, 2)]
    MetricsDirtyDay.objects.all().delete()
    send_event(order, "rated", PAID + timedelta(days=20), product=4)
    assert _dirty(order.merchant) == [date(2026, 3, 2)]


def test_backfill_folds_event_json_into_columns(product):
    order = place_order(product, paid_at=PAID)
    for i, (kind, days, data) in enumerate(
        [
            ("rated", 6, {"product": 2, "logistics": 1}),
            ("rated", 5, {"product": 4, "logistics": 5, "item_as_described": 5, "service_attitude": 5}),
            ("refunded", 7, {"reason": "not_as_described", "staff_intervened": True}),
            ("refund_requested", 6, {}),
        ]
    ):
        FulfilmentEvent.objects.create(
            external_id=f"B{i}", order=order, kind=kind, occurred_at=PAID + timedelta(days=days), data=data
        )
    migration = importlib.import_module("commitments.migrations.0006_backfill_order_facts")
    migration.backfill(apps, None)
    order = Order.objects.get(pk=order.pk)
    assert (order.rating_product, order.rating_logistics, order.rated_at) == (4, 5, PAID + timedelta(days=5))
    assert (order.refund_reason, order.refund_staff_intervened) == ("not_as_described", True)
    assert (order.refund_requested_at, order.refunded_at) == (
        PAID + timedelta(days=6),
        PAID + timedelta(days=7),
    )
