"""Ratings ranked at ingestion (commitments.services.metrics.dsr_ranks_update): on random, late and
out-of-order `rated` events, every order's stored rank equals the shared definition (dsr_ranked over
everything), and the days whose ratings changed are marked for the rating rollup."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from commitments.indicators import dsr_ranked
from commitments.models import Order, RatingsDirtyDay
from core.periods import local_date
from tests.commitments.factories import place_order, send_event
from tests.factories import MerchantFactory, ProductFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 2, 20, 4, 0, tzinfo=UTC)


def _definition() -> dict[int, int]:
    ranked = dsr_ranked(
        start=datetime(2026, 1, 1, tzinfo=UTC) - timedelta(hours=8), end=T0 + timedelta(days=90)
    )
    return dict(ranked.values_list("pk", "nth"))


def _dsr(rng) -> dict:
    if rng.random() < 0.15:
        return {"product": rng.randint(1, 5)}  # a product rating only: no DSR item, no rank
    return {k: rng.randint(1, 5) for k in ("product", "item_as_described", "service_attitude", "logistics")}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_stored_ranks_equal_the_definition_after_late_and_out_of_order_ratings(seed):
    rng = random.Random(seed)
    products = [ProductFactory(merchant=MerchantFactory()) for _ in range(2)]
    shoppers = [f"shopper-{seed}-{i}" for i in range(3)]
    orders = []
    for i in range(36):
        paid = T0 + timedelta(hours=13 * i)
        orders.append(place_order(rng.choice(products), paid_at=paid, shopper_ref=rng.choice(shoppers)))
    for step in range(40):
        order = rng.choice(orders)
        # Ratings 1-20 days after payment, across the February / March / April month ends; a second
        # event for the same order may be earlier (it wins) or later (ignored).
        when = order.paid_at + timedelta(days=rng.randint(1, 20), minutes=step)
        send_event(order, "rated", when, **_dsr(rng))
    expected = _definition()
    stored = dict(Order.objects.filter(pk__in=[o.pk for o in orders]).values_list("pk", "dsr_rank"))
    assert {pk: rank for pk, rank in stored.items() if rank is not None} == expected
    assert len(expected) > 10
    assert max(expected.values()) >= 2  # shoppers rate a merchant several times a month
    marked = set(RatingsDirtyDay.objects.values_list("merchant_id", "day"))
    rated_days = {
        (m, local_date(at))
        for m, at in Order.objects.filter(dsr_rank__isnull=False).values_list("merchant_id", "rated_at")
    }
    assert rated_days <= marked


def test_an_earlier_rating_arriving_late_moves_the_later_ones_down():
    product = ProductFactory(merchant=MerchantFactory())
    a, b, c = (place_order(product, paid_at=T0 + timedelta(hours=h), shopper_ref="s-1") for h in (1, 2, 3))
    full = {"item_as_described": 5, "service_attitude": 5, "logistics": 4}
    send_event(a, "rated", datetime(2026, 3, 5, 2, tzinfo=UTC), **full)
    send_event(b, "rated", datetime(2026, 3, 6, 2, tzinfo=UTC), **full)
    assert list(
        Order.objects.filter(pk__in=[a.pk, b.pk]).order_by("pk").values_list("dsr_rank", flat=True)
    ) == [1, 2]
    RatingsDirtyDay.objects.all().delete()
    send_event(c, "rated", datetime(2026, 3, 1, 2, tzinfo=UTC), **full)  # earliest of the month
    assert list(
        Order.objects.filter(pk__in=[a.pk, b.pk, c.pk]).order_by("pk").values_list("dsr_rank", flat=True)
    ) == [
        2,
        3,
        1,
    ]
    assert sorted(RatingsDirtyDay.objects.values_list("day", flat=True)) == [
        local_date(datetime(2026, 3, 1, 2, tzinfo=UTC)),
        local_date(datetime(2026, 3, 5, 2, tzinfo=UTC)),
        local_date(datetime(2026, 3, 6, 2, tzinfo=UTC)),
    ]
    # February 28 23:00 local is another month: ranked on its own.
    d = place_order(product, paid_at=T0, shopper_ref="s-1")
    send_event(d, "rated", datetime(2026, 2, 28, 15, tzinfo=UTC), **full)
    assert Order.objects.get(pk=d.pk).dsr_rank == 1
