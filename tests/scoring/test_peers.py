"""Peer level (同行业水平): mid-rank percentile with ties, deciles, mean, p90; hidden under 10 peers."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from scoring.models import MerchantScore, ScoreFigure
from scoring.services.scores import peers_update
from tests.factories import MerchantFactory, category

pytestmark = pytest.mark.django_db
DAY = date(2026, 3, 10)


def _row(cat, total):
    merchant = MerchantFactory(main_category=cat)
    row = MerchantScore.objects.create(
        merchant=merchant, day=DAY, category=cat, orders=100, total=total, computed_at=datetime.now(UTC)
    )
    ScoreFigure.objects.create(
        score_row=row, day=DAY, category=cat, in_peers=total is not None, code="total", score=total
    )
    return merchant


def _figure(merchant):
    f = ScoreFigure.objects.get(score_row__merchant=merchant, code="total")
    return f.peer_count, f.peer_percentile, f.peer_decile, f.peer_mean, f.peer_p90


def test_percentile_ties_deciles_mean_p90_and_hidden_under_ten(django_assert_max_num_queries):
    big, small = category("large_appliances"), category("digital_3c")
    totals = [10, 20, 20, 30, 40, 50, 60, 70, 80, 90, 95, 100]
    shops = {t: _row(big, Decimal(t)) for t in totals}
    no_total = _row(big, None)
    few = [_row(small, Decimal(50 + i)) for i in range(9)]
    with django_assert_max_num_queries(4):
        peers_update(day=DAY)
    mean, p90 = Decimal("55.42"), Decimal("95.00")
    # 20: one below, two equal (itself included) of 12: (1 + 2/2) / 12.
    assert _figure(shops[20]) == (12, Decimal("16.67"), 2, mean, p90)
    assert _figure(shops[10]) == (12, Decimal("4.17"), 1, mean, p90)
    assert _figure(shops[100]) == (12, Decimal("95.83"), 10, mean, p90)
    assert _figure(shops[50]) == (12, Decimal("45.83"), 5, mean, p90)
    assert _figure(no_total) == (None, None, None, None, None)
    assert _figure(few[0]) == (9, None, None, None, None)


def test_all_equal_is_the_middle():
    shops = [_row(category(), Decimal("80")) for _ in range(10)]
    peers_update(day=DAY)
    assert _figure(shops[0]) == (10, Decimal("50.00"), 6, Decimal("80.00"), Decimal("80.00"))
