"""The one compensation quote, severity escalation, the exemption decision and the daily cap (SQLite)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction

from commitments.compensation import QuoteInputs, compensation_quote, quote_for_commitment
from commitments.models import Breach, Commitment, CompensationDay, ForceMajeure, OutboxMessage, Voucher
from commitments.services import breach_compensate, breaches_compensate, commitments_sweep
from commitments.services.outbox import compensation_deferred
from complaints.services import compensation_proposal, complaint_decide
from merchants.models import DepositAccount, DepositEntry
from tags.models import Tag
from tests.complaints.factories import ComplaintFactory, OrderFactory, commitment_for, standard

from .factories import committed, hold, place_order, product_of, send_event

pytestmark = pytest.mark.django_db

PAID = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # 14:00 Asia/Shanghai


def _terms(code):
    return Tag.objects.get(code=code).current_terms


def _quote(code, severity="late", **inputs):
    v = _terms(code)
    inputs.setdefault("paid_amount", Decimal("2999.00"))
    return compensation_quote(
        terms=v.terms, compensation=v.compensation, daily_cap=v.daily_cap, inputs=QuoteInputs(**inputs),
        severity=severity,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("code", "inputs", "severity", "amount", "fee_input"),
    [
        ("ship_24h", {}, "late", "50.00", None),  # 5% of 2999 = 149.95 → max ¥50
        ("ship_24h", {"paid_amount": Decimal("100.00")}, "late", "5.00", None),
        ("ship_24h", {"paid_amount": Decimal("20.00")}, "late", "3.00", None),  # 1.00 → min ¥3
        ("genuine_invoice", {"paid_amount": Decimal("20.00")}, "late", "5.00", None),  # min ¥5
        ("free_shipping", {"shipping_fee": Decimal("12.00")}, "late", "17.00", "shipping_fee"),
        ("return_shipping_paid", {"shipping_fee": Decimal("8"), "return_freight": Decimal("15")}, "late", "20.00",
         "return_freight"),
        ("installments", {"shipping_fee": Decimal("8"), "instalment_fees": Decimal("36.50")}, "late", "41.50",
         "instalment_fees"),
        ("fast_refund", {}, "late", "3.00", None),
        ("late_free_order", {"paid_amount": Decimal("6999.00")}, "late", "5000.00", None),
        ("late_free_order", {"paid_amount": Decimal("199.00")}, "late", "199.00", None),
        ("delivery_install", {}, "late", "50.00", None),
        ("delivery_install", {}, "severe", "300.00", None),
        ("ship_24h", {}, "severe", "50.00", None),  # no levels: severity does not change the amount
    ],
)  # fmt: skip
def test_quote_exact_amount_per_formula(code, inputs, severity, amount, fee_input):
    quote = _quote(code, severity=severity, **inputs)
    assert quote.amount == Decimal(amount)
    assert quote.fee_input == fee_input


def test_quote_reads_return_freight_from_the_return_signed_event(merchant_a):
    hold(merchant_a, "return_shipping_paid")
    order = place_order(product_of(merchant_a), paid_at=PAID, shipping_fee="8.00")
    send_event(order, "return_signed", PAID + timedelta(days=5), freight="15.00")
    commitment = Commitment.objects.select_related("order", "terms_version").get(order=order)
    quote = quote_for_commitment(commitment)
    assert (quote.amount, quote.fee, quote.inputs.return_freight) == (
        Decimal("20.00"),
        Decimal("15.00"),
        Decimal("15.00"),
    )


# --- every path through the one quote -----------------------------------------------------------


@pytest.fixture
def install_shop(merchant_a):
    """merchant_a holding delivery_install only, deposit funded."""
    from .factories import fund

    hold(merchant_a, "delivery_install")
    fund(merchant_a)
    return merchant_a


def _install_order(product, *, paid_at=PAID):
    return place_order(product, paid_at=paid_at, agreed_install_date="2026-03-05")  # due 03-05 23:59:59 local


INSTALL_DEADLINE = datetime(2026, 3, 5, 15, 59, 59, tzinfo=UTC)


def _vouchers(order):
    return list(
        Voucher.objects.filter(order=order).order_by("pk").values_list("level", "amount", "funded_by")
    )


def _ledger_matches(merchant):
    account = DepositAccount.objects.get(merchant=merchant)
    entries = list(DepositEntry.objects.filter(account=account).order_by("pk"))
    assert account.balance == sum((e.amount for e in entries), Decimal("0"))
    running = Decimal("0")
    for e in entries:
        running += e.amount
        assert e.balance_after == running
    return account.balance


def test_escalation_paid_once_when_installation_comes_after_the_sweep(install_shop):
    shop = install_shop
    order = _install_order(product_of(shop))
    with committed(), time_machine.travel(INSTALL_DEADLINE + timedelta(hours=1), tick=False):
        commitments_sweep()
    assert _vouchers(order) == [("late", Decimal("50.00"), "merchant")]
    breach = Breach.objects.get(commitment__order=order)
    assert breach.escalate_at == INSTALL_DEADLINE + timedelta(days=15)
    with time_machine.travel(INSTALL_DEADLINE + timedelta(days=20), tick=False):
        send_event(order, "installed", INSTALL_DEADLINE + timedelta(days=20))
        send_event(order, "installed", INSTALL_DEADLINE + timedelta(days=20, hours=1))  # a duplicate fact
        with committed():
            commitments_sweep()
    assert _vouchers(order) == [
        ("late", Decimal("50.00"), "merchant"),
        ("severe", Decimal("250.00"), "merchant"),
    ]
    breach.refresh_from_db()
    assert (breach.severity, breach.paid_level, breach.escalate_at) == ("severe", "severe", None)
    assert breaches_compensate(breach_ids=[breach.pk]) == {"paid": 0, "skipped": 0, "failed": 0}
    assert _ledger_matches(shop) == Decimal("49700.00")


def test_escalation_when_the_late_fact_arrives_before_the_sweep_pays_once_at_the_higher_level(install_shop):
    shop = install_shop
    order = _install_order(product_of(shop))
    with time_machine.travel(INSTALL_DEADLINE + timedelta(days=20), tick=False):
        send_event(order, "installed", INSTALL_DEADLINE + timedelta(days=20))
        with committed():
            commitments_sweep()
    assert _vouchers(order) == [("severe", Decimal("300.00"), "merchant")]
    assert _ledger_matches(shop) == Decimal("49700.00")


def test_installation_within_the_grace_keeps_the_late_level(install_shop):
    shop = install_shop
    order = _install_order(product_of(shop))
    with committed(), time_machine.travel(INSTALL_DEADLINE + timedelta(hours=1), tick=False):
        commitments_sweep()
    with time_machine.travel(INSTALL_DEADLINE + timedelta(days=30), tick=False):
        send_event(order, "installed", INSTALL_DEADLINE + timedelta(days=10))
        with committed():
            commitments_sweep()
    assert _vouchers(order) == [("late", Decimal("50.00"), "merchant")]
    assert Breach.objects.get(commitment__order=order).escalate_at is None


def test_never_installed_is_escalated_by_the_sweep_at_the_escalation_deadline(install_shop):
    shop = install_shop
    order = _install_order(product_of(shop))
    with committed(), time_machine.travel(INSTALL_DEADLINE + timedelta(hours=1), tick=False):
        commitments_sweep()
    with committed(), time_machine.travel(INSTALL_DEADLINE + timedelta(days=14), tick=False):
        commitments_sweep()  # not yet
    assert _vouchers(order) == [("late", Decimal("50.00"), "merchant")]
    for _ in range(2):  # twice: the second run changes nothing
        with committed(), time_machine.travel(INSTALL_DEADLINE + timedelta(days=16), tick=False):
            commitments_sweep()
    assert _vouchers(order) == [
        ("late", Decimal("50.00"), "merchant"),
        ("severe", Decimal("250.00"), "merchant"),
    ]


def test_one_voucher_per_breach_and_level_is_a_database_constraint(install_shop):
    shop = install_shop
    order = _install_order(product_of(shop))
    with committed(), time_machine.travel(INSTALL_DEADLINE + timedelta(hours=1), tick=False):
        commitments_sweep()
    breach = Breach.objects.get(commitment__order=order)
    base = Voucher.objects.get(breach=breach)
    with pytest.raises(IntegrityError), transaction.atomic():
        Voucher.objects.create(
            code="VDUPLICATELEVEL1", shopper_ref=base.shopper_ref, merchant=shop, order=order, amount=1,
            valid_until=base.valid_until, top_up_of=breach, level="late", source_type="test", source_id="1",
        )  # fmt: skip
    assert Voucher.objects.filter(order=order).count() == 1


def test_complaint_establishing_a_severe_install_breach_pays_the_severe_amount(merchant_a):
    order = OrderFactory(merchant=merchant_a)
    commitment = commitment_for(order, "delivery_install")
    Commitment.objects.filter(pk=commitment.pk).update(deadline=datetime(2024, 3, 8, 15, 59, 59, tzinfo=UTC))
    complaint = ComplaintFactory(
        order=order, merchant=merchant_a, tag=commitment.tag, standard=standard("installation"),
        state="under_review",
    )  # fmt: skip
    with time_machine.travel(datetime(2024, 4, 1, tzinfo=UTC), tick=False):  # never installed, 24 days on
        proposal = compensation_proposal(complaint)
        assert (proposal.amount, proposal.quote.severity) == (Decimal("300.00"), "severe")
        complaint_decide(
            complaint_id=complaint.pk, outcome="upheld", responsibility="merchant", reason="没有安装"
        )
    complaint.refresh_from_db()
    assert (complaint.compensation_amount, complaint.voucher.level, complaint.voucher.funded_by) == (
        Decimal("300.00"),
        "severe",
        "merchant",
    )
    breach = Breach.objects.get(commitment=commitment)
    assert (breach.severity, breach.paid_level) == ("severe", "severe")
    assert DepositAccount.objects.get(merchant=merchant_a).balance == Decimal("-300.00")


def test_complaint_on_instalments_pays_the_fees_not_the_shipping_fee(merchant_a):
    order = OrderFactory(merchant=merchant_a, shipping_fee=Decimal("12.00"))
    commitment = commitment_for(order, "installments")
    complaint = ComplaintFactory(
        order=order,
        merchant=merchant_a,
        tag=commitment.tag,
        standard=standard("quality"),
        state="under_review",
    )
    complaint_decide(
        complaint_id=complaint.pk, outcome="upheld", responsibility="platform", reason="分期未提供",
        fees={"instalment_fees": Decimal("36.00")},
    )  # fmt: skip
    complaint.refresh_from_db()
    assert complaint.compensation_amount == Decimal("41.00")
    assert (complaint.voucher.funded_by, complaint.recovery_entry) == ("platform", None)
    assert not DepositEntry.objects.filter(kind="complaint_recovery").exists()


def test_complaint_and_event_paths_share_the_daily_cap(product, shop):
    late = [place_order(product, paid_at=PAID) for _ in range(2)]
    with time_machine.travel(PAID + timedelta(hours=30), tick=False):
        send_event(late[0], "pickup_scanned", PAID + timedelta(hours=26), carrier="SF")  # ¥50 on 03-03
    commitment = Commitment.objects.get(order=late[1], tag__code="ship_24h")
    complaint = ComplaintFactory(
        order=late[1], merchant=shop, tag=commitment.tag, standard=standard("logistics"), state="under_review"
    )
    with time_machine.travel(PAID + timedelta(hours=40), tick=False):
        proposal = compensation_proposal(complaint)
        assert (proposal.amount, proposal.cap_room) == (Decimal("50.00"), Decimal("50.00"))
        complaint_decide(
            complaint_id=complaint.pk, outcome="upheld", responsibility="merchant", reason="迟发"
        )
    day = CompensationDay.objects.get(merchant=shop, tag=commitment.tag)
    assert (str(day.day), day.paid) == ("2026-03-03", Decimal("100.00"))


# --- the exemption decision on every path ----------------------------------------------------------


def _declare(tag_codes, *, province="310000"):
    fm = ForceMajeure.objects.create(
        provinces=[province],
        starts_at=PAID - timedelta(days=1),
        ends_at=PAID + timedelta(days=3),
        reason="台风",
    )
    fm.tags.set(Tag.objects.filter(code__in=tag_codes))
    return fm


def test_force_majeure_exempts_a_free_shipping_breach_at_payment_time(product, shop):
    fm = _declare(["free_shipping"])
    order = place_order(product, paid_at=PAID, shipping_fee="12.00")
    c = Commitment.objects.get(order=order, tag__code="free_shipping")
    assert (c.state, c.force_majeure_id, c.exemption_reason) == (
        "exempted",
        fm.pk,
        f"force majeure #{fm.pk}: 台风",
    )
    assert not Breach.objects.filter(commitment=c).exists()
    assert not Voucher.objects.exists()


def test_without_force_majeure_a_fee_at_payment_breaches_and_pays_fee_plus_five(product, shop):
    order = place_order(product, paid_at=PAID, shipping_fee="12.00")
    c = Commitment.objects.get(order=order, tag__code="free_shipping")
    assert c.state == "compensated"
    assert Voucher.objects.get(breach__commitment=c).amount == Decimal("17.00")


def test_force_majeure_and_cancellation_stop_a_complaint_from_breaching(merchant_a):
    order = OrderFactory(merchant=merchant_a, paid_at=PAID)
    c = commitment_for(order, "home_delivery")
    fm = _declare(["home_delivery"])
    complaint = ComplaintFactory(order=order, merchant=merchant_a, tag=c.tag, state="under_review")
    complaint_decide(complaint_id=complaint.pk, outcome="upheld", responsibility="merchant", reason="台风天")
    c.refresh_from_db()
    assert (c.state, c.force_majeure_id) == ("exempted", fm.pk)
    assert not Breach.objects.filter(commitment=c).exists()
    complaint.refresh_from_db()
    assert complaint.voucher.breach is None  # the complaint itself is still paid from the standard's table


def test_sweep_exempts_an_order_cancelled_before_the_deadline(product, shop):
    order = place_order(product, paid_at=PAID)
    Commitment.objects.filter(order=order).update(state="pending")
    order.__class__.objects.filter(pk=order.pk).update(cancelled_at=PAID + timedelta(hours=2))
    with committed(), time_machine.travel(PAID + timedelta(hours=30), tick=False):
        commitments_sweep()
    c = Commitment.objects.get(order=order, tag__code="ship_24h")
    assert (c.state, c.exemption_reason) == ("exempted", "order cancelled before the deadline")


# --- the daily cap on the breach day ---------------------------------------------------------------


def test_daily_cap_counts_the_local_breach_day_across_midnight(product, shop):
    # Paid 23:30 local on 03-02 → due 23:30 local on 03-03; the sweep runs after midnight (03-04).
    evening = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)
    day_one = [place_order(product, paid_at=evening) for _ in range(3)]
    next_day = place_order(product, paid_at=evening + timedelta(hours=1))  # due 00:30 on 03-04
    with committed(), time_machine.travel(datetime(2026, 3, 3, 17, 0, tzinfo=UTC), tick=False):  # 01:00 local
        commitments_sweep()
    amounts = {
        o.pk: Voucher.objects.filter(order=o).values_list("amount", flat=True).first()
        for o in [*day_one, next_day]
    }
    assert sorted(amounts[o.pk] or Decimal("0") for o in day_one) == [
        Decimal("0"),
        Decimal("50.00"),
        Decimal("50.00"),
    ]
    assert amounts[next_day.pk] == Decimal("50.00")  # a new breach day, its own cap
    days = dict(CompensationDay.objects.values_list("day", "paid"))
    assert {str(k): v for k, v in days.items()} == {
        "2026-03-03": Decimal("100.00"),
        "2026-03-04": Decimal("50.00"),
    }


def test_batch_compensation_equals_one_at_a_time(merchant_a, merchant_b):
    for m in (merchant_a, merchant_b):
        hold(m, "ship_24h")
        product = product_of(m, category=m.main_category)
        # 5% of 900 = 45 each; ¥100 a day per shopper × merchant → 45, 45, 10 (partial), 0 per shopper
        for i in range(8):
            place_order(product, paid_at=PAID, shopper_ref=f"s{i % 2}", paid_amount="900.00")
    with compensation_deferred(), time_machine.travel(PAID + timedelta(hours=30), tick=False):
        commitments_sweep()
    ids = list(Breach.objects.order_by("pk").values_list("pk", flat=True))
    assert len(ids) == 16

    sid = transaction.savepoint()
    for pk in ids:
        breach_compensate(breach_id=pk)
    one_by_one = list(
        Voucher.objects.order_by("top_up_of", "breach").values_list("breach", "level", "amount", "funded_by")
    )
    balances = dict(DepositAccount.objects.values_list("merchant_id", "balance"))
    transaction.savepoint_rollback(sid)
    assert not Voucher.objects.exists()

    assert breaches_compensate(breach_ids=ids) == {"paid": 12, "skipped": 4, "failed": 0}
    batch = list(
        Voucher.objects.order_by("top_up_of", "breach").values_list("breach", "level", "amount", "funded_by")
    )
    assert batch == one_by_one
    assert dict(DepositAccount.objects.values_list("merchant_id", "balance")) == balances
    for m in (merchant_a, merchant_b):
        _ledger_matches(m)
    assert not OutboxMessage.objects.exists()


def test_outbox_worker_pays_the_message_and_a_second_delivery_does_nothing(product, shop):
    from commitments.services import outbox_process

    orders = [place_order(product, paid_at=PAID, shopper_ref=f"s{i}") for i in range(3)]
    with compensation_deferred(), time_machine.travel(PAID + timedelta(hours=30), tick=False):
        commitments_sweep()
    ids = list(Breach.objects.order_by("pk").values_list("pk", flat=True))
    message = OutboxMessage.objects.create(topic="compensate", payload={"breach_ids": ids})
    assert outbox_process(message_id=message.pk) == {"paid": 3, "skipped": 0, "failed": 0}
    assert Voucher.objects.filter(order__in=orders).count() == 3
    assert outbox_process(message_id=message.pk) is None  # done: a second delivery does nothing
    assert breaches_compensate(breach_ids=ids) == {"paid": 0, "skipped": 0, "failed": 0}
