"""The desk's demo data: every state, overdue, urgent, third parties, help requests; money consistent."""

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.db.models import Sum

from complaints import demo
from complaints.models import Complaint, HelpRequest, Notification, RecoveryClaim
from core import roles
from core.models import AuditEvent
from merchants.models import DepositAccount, DepositEntry
from tests.factories import MembershipFactory, MerchantFactory, UserFactory

from .factories import OrderFactory, commitment_for

pytestmark = pytest.mark.django_db

NOW = datetime(2024, 6, 20, 4, 0, tzinfo=UTC)


def test_demo_covers_every_state_and_keeps_the_ledger_consistent():
    UserFactory(username="adjudicator", roles=[roles.STAFF_ADJUDICATOR])
    merchants = MerchantFactory.create_batch(4)
    for merchant in merchants[:3]:
        MembershipFactory(merchant=merchant)
    for i, merchant in enumerate(merchants):
        for k in range(120 if i == 3 else 16):
            order = OrderFactory(merchant=merchant, paid_at=NOW - timedelta(days=30, hours=k))
            if k % 3 == 0:
                commitment_for(order, "home_delivery")
    figures = demo.generate(
        rng=random.Random(7), merchant_ids=[m.pk for m in merchants], now=NOW, stdout=StringIO(), scale={}
    )
    states = set(Complaint.objects.values_list("state", flat=True))
    assert states == set(Complaint.State.values)
    assert figures["complaints"] == Complaint.objects.count()
    assert figures["overdue_escalated"] >= 3  # one scripted overdue per showcase merchant
    assert Notification.objects.filter(kind="overdue").count() >= 3
    assert Complaint.objects.filter(urgent=True, state__in=Complaint.OPEN_STATES).count() >= 3
    assert RecoveryClaim.objects.count() >= 6
    assert Complaint.objects.filter(appeal__state="upheld").count() == 3
    assert HelpRequest.objects.values("scenario").distinct().count() >= 3
    for account in DepositAccount.objects.all():
        total = DepositEntry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"] or Decimal("0")
        assert account.balance == total
    # The desk's timeline (the audit trail) at the times the complaint records, not at seeding.
    trail = AuditEvent.objects.filter(target_type="complaints.complaint")
    for pk, filed_at, decided_at in Complaint.objects.values_list("pk", "filed_at", "decided_at"):
        assert trail.get(target_id=str(pk), verb="complaint.filed").created_at == filed_at
        for at in trail.filter(
            target_id=str(pk), verb__in=["complaint.upheld", "complaint.rejected"]
        ).values_list("created_at", flat=True):
            assert at == decided_at
    assert not trail.filter(data__has_key="demo").exists()


def test_demo_complaints_fit_their_order_and_decisions_answer_them():
    UserFactory(username="adjudicator", roles=[roles.STAFF_ADJUDICATOR])
    merchants = MerchantFactory.create_batch(3)
    for merchant in merchants:
        MembershipFactory(merchant=merchant)
        for k in range(40):
            order = OrderFactory(merchant=merchant, paid_at=NOW - timedelta(days=30, hours=k))
            if k % 3 == 0:
                commitment_for(order, "home_delivery")
    demo.generate(
        rng=random.Random(11), merchant_ids=[m.pk for m in merchants], now=NOW, stdout=StringIO(), scale={}
    )
    complaints = list(Complaint.objects.select_related("standard", "order__category"))
    assert complaints
    for complaint in complaints:
        cases = demo.CASES[complaint.standard.code][complaint.order.category.code]
        [case] = [c for c in cases if c[0] == complaint.text]
        if complaint.response_text:
            assert complaint.response_text == case[1]
        if complaint.state == Complaint.State.UPHELD:
            assert complaint.decision_reason == case[2]
        if complaint.state == Complaint.State.REJECTED:
            assert complaint.decision_reason == case[3]
    assert {c.state for c in complaints} >= {Complaint.State.UPHELD, Complaint.State.REJECTED}


def test_every_complaint_type_has_texts_for_every_category():
    categories = {"large_appliances", "small_appliances", "digital_3c", "accessories_3c"}
    assert set(demo.CASES) == {
        "logistics", "appearance_consistency", "installation", "quality",
        "return_exchange", "repair", "personal_injury", "invoice",
    }  # fmt: skip
    for by_category in demo.CASES.values():
        assert set(by_category) == categories
        assert all(len(case) == 4 and all(case) for cases in by_category.values() for case in cases)
