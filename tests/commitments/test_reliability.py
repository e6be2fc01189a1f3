"""Reliability on PostgreSQL: duplicates, races, re-runs and crashes never pay twice."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from commitments.models import Breach, Commitment, FulfilmentEvent, Order, SweepRun, Voucher
from commitments.services import breach_compensate, commitments_sweep, events_ingest, orders_ingest
from commitments.services import breaches as breaches_module
from merchants.models import DepositAccount, DepositEntry
from tests.concurrency import run_threads

from .factories import event_items, event_payload, fund, hold, order_items, order_payload, product_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PAID = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


@pytest.fixture
def late_shop(merchant_a):
    hold(merchant_a, "ship_24h")
    fund(merchant_a)
    return product_of(merchant_a)


def _order(product, n=1):
    items = [order_payload(product, paid_at=PAID, shopper_ref=f"s{i}") for i in range(n)]
    orders_ingest(items=order_items(items))
    return list(Order.objects.filter(external_id__in=[i["external_id"] for i in items]).order_by("pk"))


def test_same_late_event_ten_times_concurrently_pays_once(late_shop):
    (order,) = _order(late_shop)
    event = event_payload(order.external_id, "pickup_scanned", PAID + timedelta(hours=30), carrier="SF")
    with time_machine.travel(PAID + timedelta(hours=31)):
        items = event_items([event])
        run_threads(10, lambda i: events_ingest(items=items))
    assert FulfilmentEvent.objects.count() == 1
    assert Breach.objects.count() == 1
    assert Voucher.objects.count() == 1
    voucher = Voucher.objects.get()
    assert DepositEntry.objects.filter(kind="compensation_recovery").count() == 1
    assert DepositAccount.objects.get(merchant=order.merchant).balance == Decimal("50000") - voucher.amount
    assert Commitment.objects.get(order=order).state == "compensated"


def test_sweep_racing_late_event_yields_one_breach(late_shop):
    orders = _order(late_shop, n=20)
    events = [
        event_payload(o.external_id, "pickup_scanned", PAID + timedelta(hours=30), carrier="SF")
        for o in orders
    ]
    items = event_items(events)
    with time_machine.travel(PAID + timedelta(hours=31)):

        def work(i):
            if i % 2:
                commitments_sweep(batch_size=3)
            else:
                events_ingest(items=items)

        run_threads(6, work)
    assert Breach.objects.count() == 20
    assert Voucher.objects.count() == 20
    assert DepositEntry.objects.filter(kind="compensation_recovery").count() == 20
    assert set(Commitment.objects.values_list("state", flat=True)) == {"compensated"}


def test_sweep_twice_changes_nothing_the_second_time(late_shop):
    _order(late_shop, n=5)
    with time_machine.travel(PAID + timedelta(days=2)):
        first = commitments_sweep(batch_size=2)
        snapshot = sorted(Commitment.objects.values_list("pk", "state", "updated_at"))
        second = commitments_sweep(batch_size=2)
    assert (first.breached, first.batches) == (5, 3)
    assert (second.breached, second.batches) == (0, 0)
    assert sorted(Commitment.objects.values_list("pk", "state", "updated_at")) == snapshot
    assert Voucher.objects.count() == 5


def test_sweep_killed_half_way_resumes_without_duplicates(late_shop, monkeypatch):
    _order(late_shop, n=7)
    real = breaches_module._sweep_breach
    calls = {"n": 0}

    def dying(ids, *, now):
        calls["n"] += 1
        if calls["n"] == 3:
            raise SystemExit("worker killed")
        return real(ids, now=now)

    monkeypatch.setattr(breaches_module, "_sweep_breach", dying)
    with time_machine.travel(PAID + timedelta(days=2)), pytest.raises(SystemExit):
        commitments_sweep(batch_size=3)
    assert Breach.objects.count() == 6  # two whole batches committed, the third rolled back
    assert Commitment.objects.filter(state="pending").count() == 1
    killed = SweepRun.objects.get()
    assert (killed.state, killed.batches, killed.breached) == ("failed", 2, 6)
    monkeypatch.setattr(breaches_module, "_sweep_breach", real)
    with time_machine.travel(PAID + timedelta(days=2)):
        resumed = commitments_sweep(batch_size=3)
    assert resumed.breached == 1
    assert Breach.objects.count() == 7
    assert Voucher.objects.count() == 7
    assert DepositEntry.objects.filter(kind="compensation_recovery").count() == 7


def test_concurrent_compensation_of_one_breach_pays_once(late_shop, monkeypatch):
    (order,) = _order(late_shop)
    monkeypatch.setattr(breaches_module, "_queue_compensation", lambda ids: None)
    with time_machine.travel(PAID + timedelta(days=2)):
        commitments_sweep()
    breach = Breach.objects.get()
    assert not Voucher.objects.exists()
    run_threads(8, lambda i: breach_compensate(breach_id=breach.pk))
    assert Voucher.objects.filter(breach=breach).count() == 1
    assert DepositEntry.objects.filter(kind="compensation_recovery").count() == 1


def test_batch_with_one_malformed_item_keeps_the_others(late_shop):
    orders = _order(late_shop, n=3)
    items = [
        event_payload(o.external_id, "pickup_scanned", PAID + timedelta(hours=1), carrier="SF")
        for o in orders
    ]
    items[1]["occurred_at"] = "not-a-date"
    result = events_ingest(items=event_items(items))
    assert [i.status for i in result.items] == ["accepted", "rejected", "accepted"]
    assert FulfilmentEvent.objects.count() == 2
    assert not FulfilmentEvent.objects.filter(order=orders[1]).exists()
    assert Commitment.objects.get(order=orders[1]).state == "pending"
    assert Commitment.objects.get(order=orders[0]).state == "met"


def test_concurrent_duplicate_order_batches(late_shop):
    items = [order_payload(late_shop, paid_at=PAID, shopper_ref=f"s{i}") for i in range(50)]
    results = []
    validated = order_items(items)
    run_threads(5, lambda i: results.append(orders_ingest(items=validated)))
    assert Order.objects.count() == 50
    assert Commitment.objects.count() == 50
    accepted = sum(r.counts()["accepted"] for r in results)
    duplicate = sum(r.counts()["duplicate"] for r in results)
    assert (accepted, duplicate) == (50, 200)
