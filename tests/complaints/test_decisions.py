"""Decisions: platform pays first, recovery per responsibility, one compensation per fact, appeals, races."""

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection

from commitments.models import Breach, Voucher
from complaints.models import Appeal, Complaint, RecoveryClaim, RefundInstruction
from complaints.services import (
    compensation_default,
    complaint_appeal_decide,
    complaint_appeal_file,
    complaint_decide,
    recovery_claim_advance,
)
from core.errors import ApplicationError, Conflict, InvalidTransition
from merchants.models import DepositAccount, DepositEntry

from .factories import ComplaintFactory, OrderFactory, commitment_for, standard

pytestmark = pytest.mark.django_db


def _under_review(merchant, **kwargs) -> Complaint:
    return ComplaintFactory(order__merchant=merchant, state="under_review", **kwargs)


def _balance(merchant) -> Decimal:
    return DepositAccount.objects.get(merchant=merchant).balance


def _decide(complaint, **kwargs):
    args = {"outcome": "upheld", "responsibility": "merchant", "reason": "未按约定送货上门"}
    args.update(kwargs)
    return complaint_decide(complaint_id=complaint.pk, **args)


def test_merchant_at_fault_platform_pays_first_then_deposit_recovery(merchant_a, staff_adjudicator):
    complaint = _under_review(merchant_a)  # logistics, ¥2,999 paid: 5% → ¥149.95, capped at ¥50
    _decide(complaint, actor=staff_adjudicator)
    complaint.refresh_from_db()
    assert complaint.state == "upheld"
    assert complaint.compensation_amount == Decimal("50.00")
    voucher = complaint.voucher
    assert (voucher.amount, voucher.funded_by, voucher.shopper_ref) == (
        Decimal("50.00"),
        "merchant",  # the merchant bears it: recovered from the deposit below
        complaint.shopper_ref,
    )
    assert (voucher.source_type, voucher.source_id) == ("complaints.complaint", str(complaint.pk))
    entry = complaint.recovery_entry
    assert (entry.kind, entry.amount, entry.source_id) == (
        "complaint_recovery",
        Decimal("-50.00"),
        str(complaint.pk),
    )
    assert _balance(merchant_a) == Decimal("-50.00")
    assert complaint.recovery == "deposit"
    assert complaint.counts_in_metrics is True
    assert complaint.decided_by == staff_adjudicator


def test_third_party_gets_a_recovery_claim_and_the_deposit_is_untouched(merchant_a):
    complaint = _under_review(merchant_a)
    _decide(
        complaint,
        responsibility="third_party",
        third_party_name="某某快递 上海分拨中心",
        compensation_amount="30",
    )
    complaint.refresh_from_db()
    claim = RecoveryClaim.objects.get(complaint=complaint)
    assert (claim.party_name, claim.amount, claim.state) == (
        "某某快递 上海分拨中心",
        Decimal("30.00"),
        "open",
    )
    assert complaint.voucher.amount == Decimal("30.00")
    assert complaint.recovery == "third_party_claim"
    assert complaint.counts_in_metrics is False
    assert DepositEntry.objects.count() == 0
    assert _balance(merchant_a) == Decimal("0.00")
    recovery_claim_advance(claim_id=claim.pk, target="sent")
    recovery_claim_advance(claim_id=claim.pk, target="recovered", note="已从运费结算中扣回")
    claim.refresh_from_db()
    assert (claim.state, claim.note) == ("recovered", "已从运费结算中扣回")
    with pytest.raises(InvalidTransition):
        recovery_claim_advance(claim_id=claim.pk, target="open")


def test_platform_at_fault_is_absorbed_and_recorded(merchant_a):
    complaint = _under_review(merchant_a)
    _decide(complaint, responsibility="platform", payout="refund_instruction", compensation_amount="20")
    complaint.refresh_from_db()
    refund = RefundInstruction.objects.get(complaint=complaint)
    assert (refund.amount, refund.state, refund.shopper_ref) == (
        Decimal("20.00"),
        "pending",
        complaint.shopper_ref,
    )
    assert complaint.voucher is None
    assert complaint.recovery == "platform_absorbed"
    assert DepositEntry.objects.count() == 0
    assert RecoveryClaim.objects.count() == 0


def test_rejected_pays_nothing(merchant_a):
    complaint = _under_review(merchant_a)
    _decide(complaint, outcome="rejected", responsibility="shopper", reason="签收时未验货，照片显示完好")
    complaint.refresh_from_db()
    assert complaint.state == "rejected"
    assert (complaint.payout, complaint.recovery, complaint.compensation_amount) == ("none", "none", None)
    assert Voucher.objects.count() == DepositEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"compensation_amount": "500.01"}, "compensation_amount"),  # logistics: at most ¥500
        ({"compensation_amount": "0"}, "compensation_amount"),
        ({"responsibility": "shopper"}, "responsibility"),
        ({"responsibility": "third_party"}, "third_party_name"),
        ({"reason": " "}, "reason"),
    ],
)
def test_bad_decisions_are_400_and_write_nothing(merchant_a, kwargs, field):
    complaint = _under_review(merchant_a)
    with pytest.raises(ApplicationError) as info:
        _decide(complaint, **kwargs)
    assert info.value.status_code == 400
    assert field in info.value.fields
    complaint.refresh_from_db()
    assert complaint.state == "under_review"
    assert Voucher.objects.count() == DepositEntry.objects.count() == 0


def test_amount_is_capped_at_the_paid_amount(merchant_a):
    complaint = _under_review(merchant_a, order__paid_amount=Decimal("39.90"))
    with pytest.raises(ApplicationError):
        _decide(complaint, compensation_amount="40.00")
    _decide(complaint, compensation_amount="39.90")
    complaint.refresh_from_db()
    assert complaint.compensation_amount == Decimal("39.90")


def test_default_compensation_from_the_tag_formula_else_the_standard(merchant_a):
    order = OrderFactory(merchant=merchant_a, paid_amount=Decimal("1999.00"))
    install = commitment_for(order, "delivery_install")  # tiered: late ¥50
    invoice = commitment_for(order, "genuine_invoice")  # 5% of paid, ¥5–50
    tagged = _under_review(merchant_a, order=order, tag=install.tag, standard=standard("installation"))
    assert compensation_default(tagged) == Decimal("50.00")
    tagged_invoice = _under_review(merchant_a, order=order, tag=invoice.tag, standard=standard("invoice"))
    assert compensation_default(tagged_invoice) == Decimal("50.00")  # 99.95 capped at 50
    quality = _under_review(merchant_a, order=order, standard=standard("quality"))
    assert compensation_default(quality) == Decimal("199.90")  # 10% of 1999, ¥10–300
    small = _under_review(merchant_a, order=OrderFactory(merchant=merchant_a, paid_amount=Decimal("60.00")))
    assert compensation_default(small) == Decimal("5.00")  # logistics 5% = 3.00, at least ¥5


def test_tag_linked_complaint_breaches_and_compensates_the_commitment(merchant_a):
    order = OrderFactory(merchant=merchant_a)
    commitment = commitment_for(order, "home_delivery")
    complaint = _under_review(merchant_a, order=order, tag=commitment.tag)
    _decide(complaint)
    complaint.refresh_from_db()
    commitment.refresh_from_db()
    breach = Breach.objects.get(commitment=commitment)
    assert commitment.state == "compensated"
    assert breach.source == "complaint"
    assert complaint.breach == breach
    assert complaint.voucher.breach == breach
    assert complaint.voucher.amount == Decimal("50.00")  # home_delivery: 5% of ¥2,999, max ¥50
    assert _balance(merchant_a) == Decimal("-50.00")


def test_one_compensation_per_fact_when_the_breach_was_already_paid(merchant_a):
    order = OrderFactory(merchant=merchant_a)
    commitment = commitment_for(order, "home_delivery", state="compensated")
    breach = Breach.objects.create(
        commitment=commitment, merchant=merchant_a, detected_at=order.paid_at, source="event"
    )
    from commitments.services import voucher_issue

    earlier, _ = voucher_issue(
        order=order,
        amount=Decimal("50"),
        source_type="commitments.breach",
        source_id=str(breach.pk),
        funded_by="merchant",
        breach=breach,
    )
    complaint = _under_review(merchant_a, order=order, tag=commitment.tag)
    _decide(complaint)
    complaint.refresh_from_db()
    assert complaint.state == "upheld"
    assert complaint.already_compensated is True
    assert (complaint.compensation_amount, complaint.payout, complaint.recovery) == (
        Decimal("0.00"),
        "none",
        "none",
    )
    assert complaint.voucher is None
    assert list(Voucher.objects.values_list("pk", flat=True)) == [earlier.pk]
    assert DepositEntry.objects.filter(kind="complaint_recovery").count() == 0


def test_decision_twice_is_409_and_pays_once(merchant_a):
    complaint = _under_review(merchant_a)
    _decide(complaint)
    with pytest.raises(InvalidTransition):
        _decide(complaint, responsibility="platform")
    assert Voucher.objects.count() == 1
    assert DepositEntry.objects.count() == 1
    complaint.refresh_from_db()
    assert complaint.responsibility == "merchant"


# --- appeals -----------------------------------------------------------------------------------


def _upheld_against(merchant) -> Complaint:
    complaint = _under_review(merchant)
    _decide(complaint, now=datetime(2024, 3, 8, 2, 0, tzinfo=UTC))
    complaint.refresh_from_db()
    return complaint


def test_upheld_appeal_reverses_recovery_and_metric_but_not_the_voucher(
    merchant_a, owner_a, staff_adjudicator
):
    complaint = _upheld_against(merchant_a)
    assert _balance(merchant_a) == Decimal("-50.00")
    appeal = complaint_appeal_file(
        complaint_id=complaint.pk,
        merchant_id=merchant_a.pk,
        reason="签收单显示已送货入户",
        actor=owner_a,
        now=complaint.decided_at + timedelta(days=6),
    )
    complaint_appeal_decide(
        appeal_id=appeal.pk, outcome="upheld", reason="签收单属实", actor=staff_adjudicator
    )
    appeal.refresh_from_db()
    complaint.refresh_from_db()
    assert appeal.state == "upheld"
    assert (appeal.reversal_entry.kind, appeal.reversal_entry.amount) == ("reversal", Decimal("50.00"))
    assert appeal.reversal_entry.source_type == "complaints.complaint_appeal"
    assert _balance(merchant_a) == Decimal("0.00")
    assert complaint.counts_in_metrics is False
    assert complaint.state == "upheld"
    assert Voucher.objects.get(pk=complaint.voucher_id).state == "issued"  # the shopper keeps it
    with pytest.raises(InvalidTransition):
        complaint_appeal_decide(appeal_id=appeal.pk, outcome="rejected", reason="again")
    assert DepositEntry.objects.filter(kind="reversal").count() == 1


def test_rejected_appeal_changes_nothing(merchant_a, owner_a):
    complaint = _upheld_against(merchant_a)
    appeal = complaint_appeal_file(
        complaint_id=complaint.pk,
        merchant_id=merchant_a.pk,
        reason="不服",
        actor=owner_a,
        now=complaint.decided_at + timedelta(days=1),
    )
    complaint_appeal_decide(appeal_id=appeal.pk, outcome="rejected", reason="证据不足")
    complaint.refresh_from_db()
    assert complaint.counts_in_metrics is True
    assert _balance(merchant_a) == Decimal("-50.00")


def test_appeal_after_7_days_or_twice_or_by_another_shop_is_refused(merchant_a, merchant_b, owner_a):
    complaint = _upheld_against(merchant_a)
    with pytest.raises(InvalidTransition):
        complaint_appeal_file(
            complaint_id=complaint.pk,
            merchant_id=merchant_a.pk,
            reason="晚了",
            now=complaint.decided_at + timedelta(days=7, seconds=1),
        )
    from django.http import Http404

    from core.errors import NotFound

    with pytest.raises((NotFound, Http404)):
        complaint_appeal_file(complaint_id=complaint.pk, merchant_id=merchant_b.pk, reason="我也要")
    complaint_appeal_file(
        complaint_id=complaint.pk, merchant_id=merchant_a.pk, reason="第一次", now=complaint.decided_at
    )
    with pytest.raises(Conflict):
        complaint_appeal_file(
            complaint_id=complaint.pk, merchant_id=merchant_a.pk, reason="第二次", now=complaint.decided_at
        )
    assert Appeal.objects.count() == 1


# --- concurrency -------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_adjudication_yields_exactly_one_decision(merchant_a):
    from core import roles
    from tests.factories import UserFactory

    judges = [UserFactory(username=f"judge{n}", roles=[roles.STAFF_ADJUDICATOR]) for n in range(6)]
    complaint = _under_review(merchant_a)
    barrier = threading.Barrier(len(judges))
    outcomes: list[str] = []

    def worker(judge, n):
        try:
            barrier.wait()
            complaint_decide(
                complaint_id=complaint.pk,
                outcome="upheld",
                responsibility="merchant" if n % 2 else "platform",
                reason=f"judge {n}",
                actor=judge,
            )
            outcomes.append("decided")
        except InvalidTransition:
            outcomes.append("409")
        except Exception as exc:  # collected and asserted below
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(judge, n)) for n, judge in enumerate(judges)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["409"] * 5 + ["decided"]
    complaint.refresh_from_db()
    assert Voucher.objects.filter(source_type="complaints.complaint").count() == 1
    expected_entries = 1 if complaint.responsibility == "merchant" else 0
    assert DepositEntry.objects.filter(kind="complaint_recovery").count() == expected_entries
    assert DepositAccount.objects.get(merchant=merchant_a).balance == Decimal("-50.00") * expected_entries
