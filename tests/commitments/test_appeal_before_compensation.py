"""An appeal upheld before the breach's voucher was paid (delayed task, backlog job)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from commitments.models import Breach, Commitment, Voucher
from commitments.services import (
    breach_appeal_decide,
    breach_appeal_submit,
    breach_compensate,
    breaches_uncompensated_ids,
    commitments_breach_many,
)
from commitments.texts import BREACH_DEADLINE_PASSED
from merchants.models import DepositAccount, DepositEntry

from .factories import place_order

pytestmark = pytest.mark.django_db

PAID = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def test_voucher_paid_after_an_upheld_appeal_is_platform_funded_and_not_recovered(product, staff_ops):
    order = place_order(product, paid_at=PAID)
    commitment = Commitment.objects.get(order=order, tag__code="ship_24h")
    with time_machine.travel(PAID + timedelta(hours=30), tick=False):
        commitments_breach_many(
            items=[(commitment.pk, BREACH_DEADLINE_PASSED, "late", PAID + timedelta(hours=30))],
            source="sweep",
        )
    breach = Breach.objects.get(commitment=commitment)
    assert breaches_uncompensated_ids() == [breach.pk]  # the compensation task never ran
    balance = DepositAccount.objects.get(merchant=product.merchant).balance
    with time_machine.travel(PAID + timedelta(days=2), tick=False):
        appeal = breach_appeal_submit(
            breach_id=breach.pk, merchant=breach.merchant, text="scanned in time", files=[]
        )
        breach_appeal_decide(appeal_id=appeal.pk, uphold=True, note="carrier error", actor=staff_ops)
        voucher = breach_compensate(breach_id=breach.pk)  # the backlog job catches up

    assert voucher is not None
    assert voucher.amount == 50
    assert voucher.funded_by == Voucher.FundedBy.PLATFORM
    assert not DepositEntry.objects.filter(kind=DepositEntry.Kind.COMPENSATION_RECOVERY).exists()
    assert DepositAccount.objects.get(merchant=product.merchant).balance == balance
    assert Commitment.objects.get(pk=commitment.pk).state == "compensated"
    assert Breach.objects.get(pk=breach.pk).counts_in_metrics is False
