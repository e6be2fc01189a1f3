"""Debits a staff member enters never take the deposit below zero; recoveries still may."""

from decimal import Decimal

import pytest

from core.errors import ApplicationError
from merchants.models import DepositAccount, DepositEntry
from merchants.services import deposit_post_entry, deposit_post_recoveries
from tests.conftest import api_as

pytestmark = pytest.mark.django_db


def _state(merchant):
    account = DepositAccount.objects.get(merchant=merchant)
    return account.balance, list(DepositEntry.objects.filter(account=account).values_list("kind", "amount"))


def test_staff_refund_beyond_the_balance_is_a_400_and_writes_nothing(merchant_a, staff_ops):
    deposit_post_entry(merchant_id=merchant_a.pk, kind="top_up", amount=Decimal("300"))
    before = _state(merchant_a)
    response = api_as(staff_ops).post(
        f"/api/v1/staff/merchants/{merchant_a.pk}/deposit/entries",
        {"kind": "refund", "amount": "300.01"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "insufficient_deposit"
    assert body["fields"] == {"amount": ["at most 300.00"]}
    assert _state(merchant_a) == before


def test_staff_refund_of_the_whole_balance_is_allowed(merchant_a, staff_ops):
    deposit_post_entry(merchant_id=merchant_a.pk, kind="top_up", amount=Decimal("300"))
    response = api_as(staff_ops).post(
        f"/api/v1/staff/merchants/{merchant_a.pk}/deposit/entries",
        {"kind": "refund", "amount": "300.00"},
        format="json",
    )
    assert response.status_code == 201
    assert _state(merchant_a)[0] == Decimal("0.00")


def test_staff_page_refund_beyond_the_balance_is_refused(merchant_a, staff_ops, client):
    deposit_post_entry(merchant_id=merchant_a.pk, kind="top_up", amount=Decimal("100"))
    before = _state(merchant_a)
    client.force_login(staff_ops)
    response = client.post(f"/staff/merchants/{merchant_a.pk}/deposit/", {"kind": "refund", "amount": "150"})
    assert response.status_code == 302
    assert _state(merchant_a) == before


def test_floor_applies_to_any_debit_flagged_as_entered_by_staff(merchant_a):
    with pytest.raises(ApplicationError):
        deposit_post_entry(
            merchant_id=merchant_a.pk, kind="complaint_recovery", amount=Decimal("1"), floor_at_zero=True
        )
    assert _state(merchant_a) == (Decimal("0.00"), [])


def test_recoveries_may_go_below_zero_and_raise_the_topup_flag(merchant_a, merchant_b):
    deposit_post_entry(merchant_id=merchant_a.pk, kind="compensation_recovery", amount=Decimal("50"))
    deposit_post_entry(merchant_id=merchant_b.pk, kind="top_up", amount=Decimal("1000000"))
    a, b = merchant_a.pk, merchant_b.pk
    entries = deposit_post_recoveries(
        kind="compensation_recovery",
        items=[
            (a, Decimal("20"), "a", "t", "1"),
            (b, Decimal("5"), "c", "t", "1"),
            (a, Decimal("30"), "b", "t", "2"),
            (a, Decimal("30"), "b", "t", "2"),  # the same source twice: once
        ],
    )
    assert [(e.account.merchant_id, e.amount, e.balance_after) for e in entries] == [
        (a, Decimal("-20.00"), Decimal("-70.00")),
        (b, Decimal("-5.00"), Decimal("999995.00")),
        (a, Decimal("-30.00"), Decimal("-100.00")),
    ]
    account = DepositAccount.objects.get(merchant=merchant_a)
    assert account.balance == Decimal("-100.00")
    assert account.topup_required_since is not None
    assert DepositAccount.objects.get(merchant=merchant_b).balance == Decimal("999995.00")
    # posting the same sources again writes nothing
    assert (
        deposit_post_recoveries(kind="compensation_recovery", items=[(a, Decimal("20"), "a", "t", "1")]) == []
    )
    assert DepositAccount.objects.get(merchant=merchant_a).balance == Decimal("-100.00")
