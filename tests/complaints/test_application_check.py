"""The fault-complaint-rate check the desk registers with tag applications."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from complaints.models import DeskSettings
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


def test_label_names_the_check_and_the_detail_states_the_current_thresholds(merchant_a):
    """The label is registered once at start-up: it must not carry numbers staff can change."""
    config = DeskSettings.current()
    orders = [OrderFactory(merchant=merchant_a, paid_at=NOW - timedelta(days=5)) for _ in range(250)]
    _upheld(orders[0], NOW - timedelta(days=1))
    result = _result(merchant_a)
    assert (result.label_en, result.label_zh) == ("Fault complaint rate", "过失投诉率")
    assert (result.status, result.detail) == (
        "passed",
        "fault complaint rate 0.40% (1 of 250 orders in 30 days); must be below 0.5%",
    )

    config.fault_rate_max = Decimal("0.0025")
    config.check_window_days = 7
    config.save()
    result = _result(merchant_a)
    assert (result.label_en, result.label_zh) == ("Fault complaint rate", "过失投诉率")
    assert (result.status, result.detail) == (
        "failed",
        "fault complaint rate 0.40% (1 of 250 orders in 7 days); must be below 0.25%",
    )
    assert result.params["max"] == "0.25"


def test_small_sample_detail_states_the_current_limits(merchant_a):
    config = DeskSettings.current()
    config.small_sample_orders, config.small_sample_max_upheld, config.check_window_days = 50, 0, 14
    config.save()
    orders = [OrderFactory(merchant=merchant_a, paid_at=NOW - timedelta(days=3)) for _ in range(10)]
    _upheld(orders[0], NOW - timedelta(days=2))
    result = _result(merchant_a)
    assert (result.status, result.detail) == (
        "failed",
        "1 upheld complaints with the shop at fault on 10 orders in 14 days "
        "(fewer than 50 orders: at most 0 allowed)",
    )
