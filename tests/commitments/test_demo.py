import io
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from commitments import demo
from commitments.models import Breach, Commitment, FulfilmentEvent, Order, Voucher
from merchants.models import DepositAccount, DepositEntry

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)


def _world(n_merchants=6):
    from merchants import demo as merchants_demo
    from tags import demo as tags_demo

    out = io.StringIO()
    ids = merchants_demo.generate(
        rng=random.Random("m"), merchant_ids=[], now=NOW, stdout=out, scale={"merchants": n_merchants}
    )["merchant_ids"]
    tags_demo.generate(
        rng=random.Random("t"), merchant_ids=ids, now=NOW, stdout=out, scale={"merchants": n_merchants}
    )
    return ids


def test_demo_orders_events_breaches_and_vouchers(monkeypatch):
    ids = _world()
    monkeypatch.setattr(demo, "CHUNK", 200)  # several chunks, as --orders 1000000 would be planned
    figures = demo.generate(
        rng=random.Random(1), merchant_ids=ids, now=NOW, stdout=io.StringIO(), scale={"orders": 600}
    )
    assert figures["orders"] == Order.objects.count() == 600
    assert FulfilmentEvent.objects.count() == figures["events"]
    assert figures["duplicates_sent"] > 0
    assert (
        Commitment.objects.filter(state="met").count()
        > Commitment.objects.filter(state="compensated").count()
        > 0
    )
    # Every breach is paid once, and each payment recovered once from the deposit.
    assert (
        Voucher.objects.filter(breach__isnull=False).count()
        == Breach.objects.filter(commitment__state="compensated", voucher__isnull=False).count()
    )
    recovered = DepositEntry.objects.filter(kind="compensation_recovery", source_type="commitments.voucher")
    assert recovered.count() == Voucher.objects.filter(breach__isnull=False).count()
    assert not Commitment.objects.filter(state="breached", breach__voucher__isnull=False).exists()
    assert all(o.paid_at <= NOW for o in Order.objects.all()[:50])
    # Each recovery is dated with its voucher (not at seeding), and the ledger reads in time order.
    issued = dict(Voucher.objects.filter(breach__isnull=False).values_list("pk", "created_at"))
    for source_id, created_at in recovered.values_list("source_id", "created_at"):
        assert created_at == issued[int(source_id)] + timedelta(seconds=5)
    for account in DepositAccount.objects.all():
        running = Decimal("0.00")
        for amount, balance_after in account.entries.order_by("created_at", "id").values_list(
            "amount", "balance_after"
        ):
            running += amount
            assert balance_after == running
        assert running == account.balance
