"""Set-based metric selectors: one order counts once; appeals and responsibility matter; bounded queries."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from complaints.indicators import (
    complaint_counts_by_standard,
    fault_complaint_rate,
    fault_complaint_rate_by_tag,
    fault_complaint_rate_month,
    platform_help_rate,
    refund_dispute_rate,
)
from complaints.models import HelpRequest
from complaints.services import complaint_appeal_decide, complaint_appeal_file, complaint_decide
from core.metrics import Rate
from tests.commitments.factories import send_event

from .factories import ComplaintFactory, OrderFactory, commitment_for, standard

pytestmark = pytest.mark.django_db

MARCH = datetime(2024, 3, 10, 2, 0, tzinfo=UTC)


def _orders(merchant, n, when=MARCH):
    return [OrderFactory(merchant=merchant, paid_at=when) for _ in range(n)]


def _fault(order, *, responsibility="merchant", decided=MARCH, tag=None, std="logistics"):
    complaint = ComplaintFactory(order=order, state="under_review", tag=tag, standard=standard(std))
    complaint_decide(
        complaint_id=complaint.pk,
        outcome="upheld",
        responsibility=responsibility,
        third_party_name="顺丰速运" if responsibility == "third_party" else "",
        reason="成立",
        compensation_amount="10",
        now=decided,
    )
    return complaint


def test_fault_rate_counts_one_order_once_however_many_complaints(merchant_a, merchant_b):
    orders = _orders(merchant_a, 40)
    _fault(orders[0])
    _fault(orders[0], std="quality")  # same order again
    _fault(orders[0], std="installation")  # and again
    _fault(orders[1])
    _fault(orders[2], responsibility="third_party")  # not the merchant's fault
    _fault(orders[3], responsibility="platform")
    rejected = ComplaintFactory(order=orders[4], state="under_review")
    complaint_decide(
        complaint_id=rejected.pk, outcome="rejected", responsibility="shopper", reason="不成立", now=MARCH
    )
    _orders(merchant_b, 10)
    rates = fault_complaint_rate_month(year=2024, month=3)
    assert rates[merchant_a.pk] == Rate(2, 40)
    assert rates[merchant_a.pk].value == Decimal("0.05")
    assert rates[merchant_b.pk] == Rate(0, 10)


def test_fault_rate_month_boundaries_are_shanghai_time(merchant_a):
    [order] = _orders(merchant_a, 1, when=datetime(2024, 3, 31, 17, 0, tzinfo=UTC))  # 04-01 01:00 Shanghai
    _fault(order, decided=datetime(2024, 3, 31, 16, 30, tzinfo=UTC))  # 04-01 00:30 Shanghai
    assert fault_complaint_rate_month(year=2024, month=3).get(merchant_a.pk) is None
    assert fault_complaint_rate_month(year=2024, month=4)[merchant_a.pk] == Rate(1, 1)


def test_upheld_appeal_removes_the_complaint_from_the_rate(merchant_a, owner_a):
    orders = _orders(merchant_a, 5)
    complaint = _fault(orders[0])
    _fault(orders[1])
    appeal = complaint_appeal_file(
        complaint_id=complaint.pk, merchant_id=merchant_a.pk, reason="证据", actor=owner_a, now=MARCH
    )
    complaint_appeal_decide(appeal_id=appeal.pk, outcome="upheld", reason="属实")
    assert fault_complaint_rate_month(year=2024, month=3)[merchant_a.pk] == Rate(1, 5)


def test_fault_rate_by_tag(merchant_a):
    orders = _orders(merchant_a, 4)
    commitments = [commitment_for(order, "home_delivery") for order in orders[:3]]
    _fault(orders[0], tag=commitments[0].tag)
    _fault(orders[0], tag=commitments[0].tag, std="quality")
    _fault(orders[3])  # not tag-linked
    start, end = datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 4, 1, tzinfo=UTC)
    by_tag = fault_complaint_rate_by_tag(start=start, end=end)
    assert by_tag == {(merchant_a.pk, commitments[0].tag_id): Rate(1, 3)}


def test_refund_dispute_help_rate_and_counts_by_standard(merchant_a, django_assert_max_num_queries):
    orders = _orders(merchant_a, 20)
    # Through ingestion, which folds the refund into the Order columns the indicator reads.
    for i, order in enumerate(orders[:3]):
        send_event(order, "refunded", MARCH + timedelta(days=1), reason="quality", staff_intervened=i < 2)
    send_event(orders[0], "refunded", MARCH, staff_intervened=True)  # a second refund of the same order
    for i, order in enumerate([orders[0], orders[0], orders[5]]):
        HelpRequest.objects.create(
            external_id=f"H{i}",
            order=order,
            merchant=merchant_a,
            scenario="urge_dispatch",
            requested_at=MARCH,
        )
    ComplaintFactory(order=orders[7], standard=standard("quality"), filed_at=MARCH)
    ComplaintFactory(order=orders[8], standard=standard("quality"), filed_at=MARCH)
    ComplaintFactory(order=orders[9], standard=standard("invoice"), filed_at=MARCH)
    start, end = datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 4, 1, tzinfo=UTC)
    with django_assert_max_num_queries(6):
        disputes = refund_dispute_rate(start=start, end=end)
        help_rate = platform_help_rate(start=start, end=end)
        counts = complaint_counts_by_standard(start=start, end=end)
    assert disputes[merchant_a.pk] == Rate(2, 20)
    assert help_rate[merchant_a.pk] == Rate(2, 20)
    assert counts == {merchant_a.pk: {"quality": 2, "invoice": 1}}


def test_fault_rate_query_count_is_constant_in_merchants(django_assert_max_num_queries):
    from tests.factories import MerchantFactory

    for merchant in MerchantFactory.create_batch(8):
        _fault(_orders(merchant, 2)[0])
    with django_assert_max_num_queries(2):
        rates = fault_complaint_rate(
            start=datetime(2024, 3, 1, tzinfo=UTC), end=datetime(2024, 4, 1, tzinfo=UTC)
        )
    assert sorted({(r.numerator, r.denominator) for r in rates.values()}) == [(1, 2)]
    assert len(rates) == 8
