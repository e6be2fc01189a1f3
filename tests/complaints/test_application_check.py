"""The fault-complaint-rate check the desk registers with tag applications."""

from datetime import UTC, datetime, timedelta

import pytest

from complaints.services import complaint_decide
from tags.checks import run_checks
from tags.models import Tag

from .factories import ComplaintFactory, OrderFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2024, 3, 31, 4, 0, tzinfo=UTC)


def _result(merchant):
    tag = Tag.objects.get(code="home_delivery")
    [result] = [
        r
        for r in run_checks(merchant=merchant, category=merchant.main_category, tag=tag, now=NOW)
        if r.code == "fault_complaint_rate"
    ]
    return result


def _upheld(order, when):
    complaint = ComplaintFactory(order=order, state="under_review")
    complaint_decide(
        complaint_id=complaint.pk,
        outcome="upheld",
        responsibility="merchant",
        reason="成立",
        compensation_amount="10",
        now=when,
    )


def test_small_shop_passes_with_one_fault_and_fails_with_two(merchant_a):
    orders = [OrderFactory(merchant=merchant_a, paid_at=NOW - timedelta(days=3)) for _ in range(10)]
    _upheld(orders[0], NOW - timedelta(days=2))
    _upheld(orders[0], NOW - timedelta(days=2))  # same order: still one
    assert _result(merchant_a).status == "passed"
    _upheld(orders[1], NOW - timedelta(days=1))
    result = _result(merchant_a)
    assert result.status == "failed"
    assert result.params == {"faults": 2, "orders": 10, "days": 30, "min": 30, "max": 1}


def test_rate_below_half_a_percent_on_enough_orders(merchant_a):
    orders = [OrderFactory(merchant=merchant_a, paid_at=NOW - timedelta(days=5)) for _ in range(250)]
    _upheld(orders[0], NOW - timedelta(days=1))
    assert _result(merchant_a).status == "passed"  # 1/250 = 0.4%
    _upheld(orders[1], NOW - timedelta(days=1))
    result = _result(merchant_a)
    assert result.status == "failed"  # 0.8%
    assert result.params["rate"] == "0.80"


def test_faults_older_than_30_days_do_not_count(merchant_a):
    orders = [OrderFactory(merchant=merchant_a, paid_at=NOW - timedelta(days=40)) for _ in range(3)]
    _upheld(orders[0], NOW - timedelta(days=35))
    _upheld(orders[1], NOW - timedelta(days=31))
    assert _result(merchant_a).status == "passed"
