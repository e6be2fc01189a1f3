"""The monthly rollups (scoring.services.months) equal a fresh sum of the daily rows of their month after
random re-aggregations across month ends, and after a rebuild of the daily rollups."""

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db.models import Q

from merchants.models import Category
from scoring.models import DailyRollup, MonthRollup, RatingDay, RatingMonth
from scoring.services.months import months_move, rating_months_move
from scoring.services.rollups import rollups_rebuild, rollups_refresh
from tests.commitments.factories import place_order
from tests.factories import MerchantFactory, ProductFactory
from tests.scoring.factories import rollup

pytestmark = pytest.mark.django_db

DAY0 = date(2026, 1, 20)


def _fresh_orders() -> dict:
    sums: Counter = Counter()
    for merchant_id, category_id, day, orders in DailyRollup.objects.values_list(
        "merchant_id", "category_id", "day", "orders"
    ):
        sums[(merchant_id, category_id, day.replace(day=1))] += orders
    return dict(sums)


def _kept_orders() -> dict:
    return {
        (m, c, month): orders
        for m, c, month, orders in MonthRollup.objects.values_list(
            "merchant_id", "category_id", "month", "orders"
        )
        if orders  # a month whose daily rows all went keeps a row of zeros
    }


def _fresh_ratings() -> dict:
    sums: dict = {}
    for merchant_id, day, rank, points, items, ratings in RatingDay.objects.values_list(
        "merchant_id", "day", "rank", "points", "items", "ratings"
    ):
        key = (merchant_id, day.replace(day=1), rank)
        p, i, n = sums.get(key, (0, 0, 0))
        sums[key] = (p + points, i + items, n + ratings)
    return sums


def _kept_ratings() -> dict:
    return {
        (m, month, rank): (p, i, n)
        for m, month, rank, p, i, n in RatingMonth.objects.values_list(
            "merchant_id", "month", "rank", "points", "items", "ratings"
        )
        if n
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_moved_rows_keep_each_month_equal_to_the_sum_of_its_days(seed):
    rng = random.Random(seed)
    categories = list(Category.objects.order_by("pk")[:2])
    merchants = [MerchantFactory() for _ in range(3)]
    for _ in range(40):  # what rollups._replace and ratings._replace do to one merchant-day
        merchant, day = rng.choice(merchants), DAY0 + timedelta(days=rng.randint(0, 70))
        scope = Q(merchant_id=merchant.pk, day=day)
        months_move(-1, scope)
        rating_months_move(-1, scope)
        DailyRollup.objects.filter(scope).delete()
        RatingDay.objects.filter(scope).delete()
        if rng.random() < 0.8:  # re-aggregated to new rows, or to none (every order moved away)
            for category in rng.sample(categories, rng.randint(1, 2)):
                rollup(merchant, day=day, category=category, orders=rng.randint(1, 9))
            RatingDay.objects.bulk_create(
                [
                    RatingDay(
                        merchant=merchant, day=day, rank=rank, points=rng.randint(1, 15), items=3, ratings=1
                    )
                    for rank in range(1, rng.randint(2, 5))
                ]
            )
        months_move(1, scope)
        rating_months_move(1, scope)
        assert _kept_orders() == _fresh_orders()
        assert _kept_ratings() == _fresh_ratings()
    assert {month for _m, _c, month in _fresh_orders()} == {
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
    }


def test_the_daily_job_and_a_rebuild_keep_the_months_of_local_paid_days():
    product = ProductFactory(merchant=MerchantFactory())
    place_order(product, paid_at=datetime(2026, 3, 31, 15, 59, tzinfo=UTC))  # 23:59 local: March
    place_order(product, paid_at=datetime(2026, 3, 31, 16, 0, tzinfo=UTC))  # 00:00 local: April
    rollups_refresh()
    place_order(product, paid_at=datetime(2026, 4, 2, 1, 0, tzinfo=UTC))  # a later day, refreshed alone
    rollups_refresh()
    expected = [(date(2026, 3, 1), 1), (date(2026, 4, 1), 2)]
    assert sorted(MonthRollup.objects.values_list("month", "orders")) == expected
    MonthRollup.objects.update(orders=999)  # the rebuild does not read them
    rollups_rebuild(first_day=date(2026, 3, 1), last_day=date(2026, 4, 30))
    assert sorted(MonthRollup.objects.values_list("month", "orders")) == expected
