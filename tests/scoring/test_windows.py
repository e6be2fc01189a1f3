"""The score windows' running sums (scoring.services.windows) equal a fresh sum of the rollups after
random re-aggregations and moves of the day, forward by one or several days, back, and far."""

import random
from datetime import date, timedelta

import pytest
from django.db.models import Q

from merchants.models import Category
from scoring.models import DailyRollup, WindowState, WindowSum
from scoring.services.windows import windows_for, windows_replace_delta, windows_reset
from tests.factories import MerchantFactory

pytestmark = pytest.mark.django_db

DAY0 = date(2026, 1, 1)
COUNTERS = DailyRollup.COUNTERS


def _fresh(day: date) -> dict[int, dict]:
    """The windows of `day` summed in Python from every rollup row (the definition)."""
    recent = (day - timedelta(days=90), day - timedelta(days=1))
    lagged = (day - timedelta(days=97), day - timedelta(days=8))
    out: dict[int, dict] = {}
    for row in DailyRollup.objects.values("merchant_id", "category_id", "day", *COUNTERS):
        for span, (first, last) in (("recent", recent), ("lagged", lagged)):
            if not first <= row["day"] <= last:
                continue
            m = out.setdefault(
                row["merchant_id"],
                {
                    "recent": dict.fromkeys(COUNTERS, 0),
                    "lagged": dict.fromkeys(COUNTERS, 0),
                    "by_category": {},
                },
            )
            for c in COUNTERS:
                m[span][c] += row[c]
            r, g = m["by_category"].get(row["category_id"], (0, 0))
            m["by_category"][row["category_id"]] = (
                (r + row["orders"], g) if span == "recent" else (r, g + row["orders"])
            )
    return out


def _rollup(rng, merchant, category, day):
    values = {c: rng.randint(0, 9) for c in COUNTERS}
    values["orders"] = rng.randint(1, 9)  # a rollup row exists because an order was paid that day
    return DailyRollup(merchant=merchant, category=category, day=day, **values)


def _reaggregate(rng, merchants, categories, day):
    """What rollups._replace does to one merchant-day: old rows out, new rows (or none) in."""
    merchant = rng.choice(merchants)
    scope = Q(merchant_id=merchant.pk, day=day)
    windows_replace_delta(-1, scope)
    DailyRollup.objects.filter(scope).delete()
    if rng.random() < 0.8:
        DailyRollup.objects.bulk_create(
            [_rollup(rng, merchant, c, day) for c in rng.sample(categories, rng.randint(1, 2))]
        )
    windows_replace_delta(1, scope)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_running_sums_equal_a_fresh_sum_of_the_rollups(seed):
    rng = random.Random(seed)
    categories = list(Category.objects.order_by("pk")[:3])
    merchants = [MerchantFactory() for _ in range(4)]
    DailyRollup.objects.bulk_create(
        [
            _rollup(rng, m, rng.choice(categories), DAY0 + timedelta(days=d))
            for m in merchants
            for d in range(200)
            if rng.random() < 0.4
        ]
    )
    day = DAY0 + timedelta(days=100)
    assert windows_for(day) == _fresh(day)
    for step in [1, 1, 3, 7, 14, 1, -5, 30, 1, 2, -60, 1, 9]:
        for _ in range(6):  # late facts re-aggregate days inside, at the edges of and outside the windows
            _reaggregate(rng, merchants, categories, day - timedelta(days=rng.randint(0, 110)))
        day += timedelta(days=step)
        assert windows_for(day) == _fresh(day), (step, day)
        assert WindowState.objects.get().day == day
    assert not WindowSum.objects.filter(orders=0).exists()  # sums whose days all left are gone


def test_a_rerun_of_the_same_day_changes_nothing_and_a_reset_sums_afresh():
    rng = random.Random(7)
    category, merchant = Category.objects.order_by("pk").first(), MerchantFactory()
    DailyRollup.objects.bulk_create(
        [_rollup(rng, merchant, category, DAY0 + timedelta(days=d)) for d in range(100)]
    )
    day = DAY0 + timedelta(days=95)
    first = windows_for(day)
    assert windows_for(day) == first
    assert first[merchant.pk]["recent"]["orders"] == sum(
        DailyRollup.objects.filter(
            day__range=(day - timedelta(days=90), day - timedelta(days=1))
        ).values_list("orders", flat=True)
    )
    windows_reset()
    assert (WindowState.objects.get().day, WindowSum.objects.count()) == (None, 0)
    last = DailyRollup.objects.get(day=day - timedelta(days=1))
    DailyRollup.objects.filter(pk=last.pk).update(orders=last.orders + 50)  # unseen by the old sums
    again = windows_for(day)
    assert again == _fresh(day)
    assert again[merchant.pk]["recent"]["orders"] == first[merchant.pk]["recent"]["orders"] + 50
