from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from commitments.checks import check_on_time_dispatch
from commitments.indicators import breach_counts, commitments_met_rate, on_time_dispatch_rate
from commitments.models import Breach
from commitments.services import breach_appeal_decide, breach_appeal_submit
from core.metrics import Rate
from tags.checks import run_checks
from tags.models import Tag

from .factories import committed, place_order, send_event

pytestmark = pytest.mark.django_db

PAID = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
WINDOW = {"start": PAID - timedelta(days=1), "end": PAID + timedelta(days=1)}


def _orders(product, on_time: int, late: int):
    for i in range(on_time + late):
        order = place_order(product, paid_at=PAID, shopper_ref=f"s{i}")
        hours = 30 if i >= on_time else 5
        with time_machine.travel(PAID + timedelta(hours=31), tick=False):
            send_event(order, "pickup_scanned", PAID + timedelta(hours=hours), carrier="SF")


def test_rates_and_counts_exclude_upheld_appeals(product, shop, django_assert_max_num_queries):
    _orders(product, on_time=8, late=2)
    ship_24h = Tag.objects.get(code="ship_24h")
    with django_assert_max_num_queries(1):
        dispatch = on_time_dispatch_rate(**WINDOW)
    assert dispatch == {shop.pk: Rate(8, 10)}
    assert dispatch[shop.pk].value == Decimal("0.8000")
    with django_assert_max_num_queries(1):
        met = commitments_met_rate(**WINDOW, merchant_ids=[shop.pk])
    assert met[(shop.pk, ship_24h.pk)] == Rate(8, 10)
    counts_window = {"start": PAID, "end": PAID + timedelta(days=2)}
    with django_assert_max_num_queries(1):
        assert breach_counts(**counts_window) == {(shop.pk, ship_24h.pk): 2}

    breach = Breach.objects.order_by("pk").first()
    with time_machine.travel(PAID + timedelta(days=2), tick=False), committed():
        appeal = breach_appeal_submit(breach_id=breach.pk, merchant=shop, text="outage", files=[])
        breach_appeal_decide(appeal_id=appeal.pk, uphold=True)
    assert on_time_dispatch_rate(**WINDOW) == {shop.pk: Rate(9, 10)}
    assert breach_counts(**counts_window) == {(shop.pk, ship_24h.pk): 1}
    assert breach_counts(start=PAID + timedelta(days=3), end=PAID + timedelta(days=4)) == {}


def test_on_time_dispatch_check(product, shop):
    tag = Tag.objects.get(code="ship_48h")
    now = PAID + timedelta(days=3)
    few = check_on_time_dispatch(merchant=shop, category=shop.main_category, tag=tag, now=now)
    assert (few.passed, few.detail) == (
        True,
        "0 dispatch-tracked orders in the last 30 days (fewer than 30): passes on counts",
    )
    _orders(product, on_time=28, late=2)
    # 30 orders, 93.3% on time: fails.
    outcome = check_on_time_dispatch(merchant=shop, category=shop.main_category, tag=tag, now=now)
    assert (outcome.passed, outcome.detail) == (
        False,
        "on-time dispatch 93.3% over 30 orders in the last 30 days is below 95%",
    )
    results = {r.code: r for r in run_checks(merchant=shop, category=shop.main_category, tag=tag, now=now)}
    assert results["on_time_dispatch"].status == "failed"
