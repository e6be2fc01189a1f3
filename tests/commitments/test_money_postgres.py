"""The money path on PostgreSQL + Redis: the daily cap under concurrent workers, severity paid once
under racing payers, and the transactional outbox across a broker outage (a real Celery worker)."""

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.utils import timezone

from commitments.models import Breach, CompensationDay, OutboxMessage, Voucher
from commitments.services import breach_compensate, breaches_compensate, commitments_sweep, outbox_relay
from commitments.services.outbox import compensation_deferred
from config.celery import app as celery_app
from merchants.models import DepositAccount, DepositEntry
from tests.concurrency import run_threads
from tests.conftest import api_as

from .factories import event_items, event_payload, fund, hold, order_items, order_payload, product_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PAID = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # 14:00 Asia/Shanghai; ship_24h due 03-03 14:00


def _ledger_consistent(merchant):
    account = DepositAccount.objects.get(merchant=merchant)
    entries = list(DepositEntry.objects.filter(account=account).order_by("pk"))
    running = Decimal("0")
    for e in entries:
        running += e.amount
        assert e.balance_after == running
    assert account.balance == running
    return account.balance


@pytest.fixture
def late_breaches(merchant_a):
    """Eight ¥50 ship_24h breaches of one shopper on one breach day, not yet paid."""
    from commitments.services import orders_ingest

    hold(merchant_a, "ship_24h")
    fund(merchant_a)
    product = product_of(merchant_a)
    orders_ingest(
        items=order_items([order_payload(product, paid_at=PAID, shopper_ref="s-cap") for _ in range(8)])
    )
    with compensation_deferred(), time_machine.travel(PAID + timedelta(hours=30), tick=False):
        commitments_sweep()
    ids = list(Breach.objects.order_by("pk").values_list("pk", flat=True))
    assert len(ids) == 8
    return merchant_a, ids


def test_daily_cap_holds_under_eight_concurrent_workers(late_breaches):
    merchant, ids = late_breaches
    run_threads(8, lambda i: breach_compensate(breach_id=ids[i]))
    assert sorted(Voucher.objects.values_list("amount", flat=True)) == [Decimal("50.00"), Decimal("50.00")]
    day = CompensationDay.objects.get()
    assert (str(day.day), day.paid) == ("2026-03-03", Decimal("100.00"))
    assert Breach.objects.filter(paid_level="late").count() == 8  # every breach settled, six at ¥0
    assert _ledger_consistent(merchant) == Decimal("49900.00")


def test_overlapping_batches_on_two_workers_pay_each_breach_once_within_the_cap(late_breaches):
    merchant, ids = late_breaches
    run_threads(4, lambda i: breaches_compensate(breach_ids=ids if i % 2 else list(reversed(ids))))
    assert Voucher.objects.count() == 2
    assert sum(Voucher.objects.values_list("amount", flat=True)) == Decimal("100.00")
    assert _ledger_consistent(merchant) == Decimal("49900.00")


def test_escalation_top_up_paid_once_by_racing_payers(merchant_a):
    from commitments.services import events_ingest, orders_ingest

    hold(merchant_a, "delivery_install")
    fund(merchant_a)
    item = order_payload(product_of(merchant_a), paid_at=PAID, agreed_install_date="2026-03-05")
    orders_ingest(items=order_items([item]))
    deadline = datetime(2026, 3, 5, 15, 59, 59, tzinfo=UTC)
    with time_machine.travel(deadline + timedelta(hours=1), tick=False):
        commitments_sweep()  # late: ¥50 (eager here, or paid just below)
    breach = Breach.objects.get()
    breach_compensate(breach_id=breach.pk)
    with compensation_deferred(), time_machine.travel(deadline + timedelta(days=20), tick=False):
        events_ingest(
            items=event_items(
                [event_payload(item["external_id"], "installed", deadline + timedelta(days=20))]
            )
        )
    breach.refresh_from_db()
    assert breach.severity == "severe"
    run_threads(6, lambda i: breach_compensate(breach_id=breach.pk))
    levels = list(Voucher.objects.order_by("pk").values_list("level", "amount"))
    assert levels == [("late", Decimal("50.00")), ("severe", Decimal("250.00"))]
    assert _ledger_consistent(merchant_a) == Decimal("49700.00")


# --- the outbox across a broker outage -------------------------------------------------------------

DEAD_BROKER = "redis://127.0.0.1:1/0"


def _use_broker(url: str) -> None:
    celery_app.conf.broker_url = url
    celery_app.conf.task_always_eager = False
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker():
    """Celery pointed at a broker we can take down and bring back; restored afterwards."""
    real = settings.CELERY_BROKER_URL
    eager = celery_app.conf.task_always_eager
    if not real:
        pytest.skip("needs REDIS_URL (a real broker)")
    yield real
    _use_broker(real)
    celery_app.conf.task_always_eager = eager


def test_broker_down_during_ingest_answers_2xx_then_exactly_one_voucher_after_it_returns(
    broker, merchant_a, integration_user
):
    hold(merchant_a, "ship_24h")
    fund(merchant_a)
    product = product_of(merchant_a)
    client = api_as(integration_user)
    item = order_payload(product, paid_at=PAID)
    late_pickup = event_payload(
        item["external_id"], "pickup_scanned", PAID + timedelta(hours=30), carrier="SF"
    )

    _use_broker(DEAD_BROKER)
    with time_machine.travel(PAID + timedelta(hours=31), tick=False):
        assert client.post("/api/v1/integration/orders", {"items": [item]}, format="json").status_code == 200
        started = time.monotonic()
        response = client.post("/api/v1/integration/events", {"items": [late_pickup]}, format="json")
        elapsed = time.monotonic() - started
    assert response.status_code == 200, response.content
    assert response.json()["accepted"] == 1
    assert elapsed < 3  # the request did not wait on the broker
    breach = Breach.objects.get()
    assert breach.commitment.state == "breached"
    assert not Voucher.objects.exists()
    message = OutboxMessage.objects.get()
    assert (message.payload, message.published_at, message.done_at) == (
        {"breach_ids": [breach.pk]},
        None,
        None,
    )
    assert outbox_relay() == 0  # still down: the relay leaves it waiting
    assert OutboxMessage.objects.get().published_at is None

    _use_broker(broker)  # the broker is back
    with celery_app.connection_for_write() as conn:
        conn.default_channel.client.delete("celery")  # no stale messages of other runs
    assert outbox_relay() == 1
    assert outbox_relay() == 0  # published once; a second relay pass sends nothing
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and OutboxMessage.objects.filter(done_at__isnull=True).exists():
            time.sleep(0.2)
    message = OutboxMessage.objects.get()
    assert message.done_at is not None
    voucher = Voucher.objects.get()
    assert (voucher.breach_id, voucher.amount, voucher.level) == (breach.pk, Decimal("50.00"), "late")
    # Delivered again (a lost ack, a relay after REPUBLISH_AFTER): still one voucher.
    OutboxMessage.objects.update(done_at=None)
    with time_machine.travel(timezone.now() + timedelta(minutes=11), tick=False):
        assert outbox_relay() == 1
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and OutboxMessage.objects.filter(done_at__isnull=True).exists():
            time.sleep(0.2)
    assert Voucher.objects.count() == 1
    assert DepositEntry.objects.filter(kind="compensation_recovery").count() == 1
    assert _ledger_consistent(merchant_a) == Decimal("49950.00")
