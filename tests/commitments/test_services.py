from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from commitments.models import Breach, Commitment, Voucher
from commitments.services import (
    breach_compensate,
    breach_mark_compensated,
    commitment_breach_from_complaint,
    commitments_sweep,
    voucher_issue,
    voucher_redeem,
    vouchers_expire,
)
from core.errors import InvalidTransition
from merchants.models import DepositAccount, DepositEntry
from tags.models import Tag

from .factories import committed, event_items, event_payload, place_order, send_event

pytestmark = pytest.mark.django_db

PAID = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # 14:00 Asia/Shanghai


def _commitment(order, code):
    return Commitment.objects.get(order=order, tag__code=code)


def test_payment_snapshots_one_commitment_per_monitored_tag(product):
    order = place_order(product, paid_at=PAID)
    states = dict(order.commitments.values_list("tag__code", "state"))
    assert states == {"ship_24h": "pending", "free_shipping": "met", "delivery_install": "pending"}
    assert _commitment(order, "ship_24h").deadline == PAID + timedelta(hours=24)
    assert _commitment(order, "delivery_install").deadline is None  # the clock starts at delivery


def test_on_time_pickup_meets_and_late_pickup_breaches_at_once_and_pays(product, shop):
    on_time = place_order(product, paid_at=PAID)
    late = place_order(product, paid_at=PAID)
    send_event(on_time, "pickup_scanned", PAID + timedelta(hours=23), carrier="SF")
    with time_machine.travel(PAID + timedelta(hours=30), tick=False):
        send_event(late, "pickup_scanned", PAID + timedelta(hours=25), carrier="SF")
    assert _commitment(on_time, "ship_24h").state == "met"
    c = _commitment(late, "ship_24h")
    assert c.state == "compensated"
    assert c.breach.source == "event"
    voucher = Voucher.objects.get(breach=c.breach)
    assert voucher.amount == Decimal("50.00")  # 5% of 2999 = 149.95, capped at ¥50
    assert voucher.shopper_ref == "shopper-7f3a91"
    assert voucher.valid_until == PAID + timedelta(hours=30, days=30)
    entry = DepositEntry.objects.get(source_type="commitments.voucher", source_id=str(voucher.pk))
    assert entry.kind == "compensation_recovery"
    assert entry.amount == Decimal("-50.00")
    assert DepositAccount.objects.get(merchant=shop).balance == Decimal("49950.00")


def test_daily_cap_per_shopper_merchant_tag(product):
    orders = [place_order(product, paid_at=PAID) for _ in range(3)]
    with time_machine.travel(PAID + timedelta(hours=30), tick=False):
        for order in orders:
            send_event(order, "pickup_scanned", PAID + timedelta(hours=26), carrier="SF")
    amounts = sorted(Voucher.objects.values_list("amount", flat=True))
    assert amounts == [Decimal("50.00"), Decimal("50.00")]  # ¥100 a day; the third gets nothing
    assert Commitment.objects.filter(tag__code="ship_24h", state="compensated").count() == 3


def test_out_of_order_and_duplicate_events_are_harmless(product):
    order = place_order(product, paid_at=PAID)
    delivered = event_payload(order.external_id, "delivered", PAID + timedelta(hours=40), to_door=True)
    pickup = event_payload(order.external_id, "pickup_scanned", PAID + timedelta(hours=20), carrier="SF")
    from commitments.services import events_ingest

    with committed():
        first = events_ingest(items=event_items([delivered, pickup, delivered]))
    assert [i.status for i in first.items] == ["accepted", "accepted", "duplicate"]
    again = events_ingest(items=event_items([pickup]))
    assert [i.status for i in again.items] == ["duplicate"]
    order.refresh_from_db()
    assert order.first_pickup_at == PAID + timedelta(hours=20)
    assert order.carrier == "SF"
    assert _commitment(order, "ship_24h").state == "met"
    install = _commitment(order, "delivery_install")
    # Delivered 2026-03-04 02:00 Shanghai → install by 2026-03-09 23:59:59 Shanghai.
    assert install.deadline == datetime(2026, 3, 9, 15, 59, 59, tzinfo=UTC)


def test_sweep_breaches_overdue_once(product):
    order = place_order(product, paid_at=PAID)
    with time_machine.travel(PAID + timedelta(hours=24, minutes=10), tick=False):
        commitments_sweep()  # within the 15-minute grace period: nothing yet
    assert _commitment(order, "ship_24h").state == "pending"
    with time_machine.travel(PAID + timedelta(hours=26), tick=False):
        with committed():
            run = commitments_sweep()
        with committed():
            again = commitments_sweep()
    assert (run.breached, run.state) == (1, "done")
    assert again.breached == 0
    c = _commitment(order, "ship_24h")
    assert c.state == "compensated"
    assert Breach.objects.filter(commitment=c, source="sweep").count() == 1
    assert Voucher.objects.count() == 1


def test_complaint_contract(product, shop):
    order = place_order(product, paid_at=PAID)
    tag = Tag.objects.get(code="delivery_install")
    outcome = commitment_breach_from_complaint(
        order_id=order.pk, tag_id=tag.pk, complaint_ref="C1", detail="never installed"
    )
    assert outcome.breach is not None
    assert outcome.already_compensated is False
    assert outcome.breach.source == "complaint"
    voucher, created = voucher_issue(
        order=order,
        amount=Decimal("300"),
        source_type="complaints.complaint",
        source_id="1",
        funded_by="platform",
    )
    assert created
    again, created_again = voucher_issue(
        order=order,
        amount=Decimal("300"),
        source_type="complaints.complaint",
        source_id="1",
        funded_by="platform",
    )
    assert (again.pk, created_again) == (voucher.pk, False)
    breach_mark_compensated(breach_id=outcome.breach.pk, voucher_id=voucher.pk)
    assert _commitment(order, "delivery_install").state == "compensated"
    second = commitment_breach_from_complaint(
        order_id=order.pk, tag_id=tag.pk, complaint_ref="C2", detail="x"
    )
    assert second.already_compensated is True
    assert second.breach.pk == outcome.breach.pk
    assert breach_compensate(breach_id=outcome.breach.pk).pk == voucher.pk  # nothing paid twice
    assert Voucher.objects.count() == 1
    none = commitment_breach_from_complaint(
        order_id=order.pk, tag_id=Tag.objects.get(code="ship_48h").pk, complaint_ref="C3", detail="x"
    )
    assert none.breach is None


def test_mark_compensated_refuses_a_second_voucher(product):
    order = place_order(product, paid_at=PAID)
    tag = Tag.objects.get(code="delivery_install")
    breach = commitment_breach_from_complaint(
        order_id=order.pk, tag_id=tag.pk, complaint_ref="C1", detail="x"
    ).breach
    v1, _ = voucher_issue(
        order=order, amount=Decimal("5"), source_type="t", source_id="1", funded_by="merchant"
    )
    v2, _ = voucher_issue(
        order=order, amount=Decimal("5"), source_type="t", source_id="2", funded_by="merchant"
    )
    breach_mark_compensated(breach_id=breach.pk, voucher_id=v1.pk)
    with pytest.raises(InvalidTransition):
        breach_mark_compensated(breach_id=breach.pk, voucher_id=v2.pk)
    assert Voucher.objects.get(pk=v2.pk).breach_id is None


def test_redeem_is_idempotent_and_expiry_job(product):
    order = place_order(product, paid_at=PAID)
    with time_machine.travel(PAID, tick=False):
        v1, _ = voucher_issue(
            order=order, amount=Decimal("5"), source_type="t", source_id="1", funded_by="merchant"
        )
        v2, _ = voucher_issue(
            order=order, amount=Decimal("5"), source_type="t", source_id="2", funded_by="merchant"
        )
        redeemed, changed = voucher_redeem(code=v1.code)
        again, changed_again = voucher_redeem(code=v1.code)
    assert (redeemed.state, changed, changed_again) == ("redeemed", True, False)
    assert again.redeemed_at == PAID
    with time_machine.travel(PAID + timedelta(days=31), tick=False):
        assert vouchers_expire() == 1
        assert vouchers_expire() == 0
        with pytest.raises(InvalidTransition):
            voucher_redeem(code=v2.code)
    assert Voucher.objects.get(pk=v2.pk).state == "expired"
    assert Voucher.objects.get(pk=v1.pk).state == "redeemed"
