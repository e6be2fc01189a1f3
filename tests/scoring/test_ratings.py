"""The rating rollup (scoring.services.ratings): refreshed from the marked days as ratings arrive, it
equals a full rebuild, and the evaluation's DSR read from it equals the shared definition
(commitments.indicators.dsr_sums) for windows starting mid-month, for any per-shopper cap."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from commitments.indicators import dsr_sums
from commitments.models import RatingsDirtyDay
from core.periods import local_midnight
from scoring.evaluation.metrics import dsr_by_merchant
from scoring.evaluation.selectors import evaluation_settings
from scoring.models import EvaluationRules, RatingDay
from scoring.services.ratings import ratings_rebuild, ratings_refresh
from tests.commitments.factories import place_order, send_event
from tests.factories import MerchantFactory, ProductFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 1, 10, 4, 0, tzinfo=UTC)


def _settled():
    return timezone.now() + timedelta(minutes=11)  # every mark written so far is settled


def _rows():
    return sorted(RatingDay.objects.values_list("merchant_id", "day", "rank", "points", "items", "ratings"))


def _rules(window_days: int, cap: int) -> EvaluationRules:

    values = {
        **evaluation_settings().__dict__,
        "dsr_window_days": window_days,
        "dsr_max_per_shopper_month": cap,
    }
    return EvaluationRules(**values)


@pytest.mark.parametrize("seed", [1, 2])
def test_refreshed_from_marks_equals_a_rebuild_and_the_definition(seed):
    rng = random.Random(seed)
    products = [ProductFactory(merchant=MerchantFactory()) for _ in range(2)]
    shoppers = [f"s{seed}-{i}" for i in range(3)]
    orders = [
        place_order(
            rng.choice(products), paid_at=T0 + timedelta(hours=29 * i), shopper_ref=rng.choice(shoppers)
        )
        for i in range(50)
    ]
    for batch in range(5):  # ratings arrive in batches; the job runs after each
        for order in rng.sample(orders, 12):
            items = {k: rng.randint(1, 5) for k in ("item_as_described", "service_attitude", "logistics")}
            if rng.random() < 0.2:
                items.pop("service_attitude")  # an item not given
            send_event(
                order, "rated", order.paid_at + timedelta(days=rng.randint(1, 25), minutes=batch), **items
            )
        ratings_refresh(now=_settled())
    assert not RatingsDirtyDay.objects.exists()
    incremental = _rows()
    assert incremental
    ratings_rebuild(now=_settled())
    assert _rows() == incremental

    for window_days, cap in [(180, 3), (45, 1), (60, 2), (20, 100)]:
        for month in (date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)):
            rules = _rules(window_days, cap)
            last = (month + timedelta(days=31)).replace(day=1)
            first = last - timedelta(days=window_days)
            expected = dsr_sums(
                start=local_midnight(first),
                end=local_midnight(last),
                max_per_shopper_month=cap,
            )
            got = {m: (p, i, n) for m, p, i, n in dsr_by_merchant(period=month, rules=rules)}
            assert got == {m: (v.points, v.items, v.ratings) for m, v in expected.items()}, (
                window_days,
                cap,
                month,
            )
