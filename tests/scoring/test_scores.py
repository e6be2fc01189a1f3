"""The score arithmetic (SPEC §7): piecewise-linear indicators, insufficient samples, the prior, the
part renormalisation, the total's thresholds, the 7-day change and the warning. Exact values."""

from collections import defaultdict
from decimal import Decimal

import pytest

from scoring.definitions import INDICATORS
from scoring.services.scores import piecewise, score_merchant, warning_for

D = Decimal
BOUNDS = {i.code: (i.floor, i.excellent) for i in INDICATORS}


@pytest.mark.parametrize(
    ("value", "floor", "excellent", "expected"),
    [
        (D("4.0"), D("4.0"), D("4.8"), D("0.00")),  # rating at floor
        (D("4.8"), D("4.0"), D("4.8"), D("100.00")),  # at excellent
        (D("4.4"), D("4.0"), D("4.8"), D("50.00")),  # between
        (D("4.6"), D("4.0"), D("4.8"), D("75.00")),
        (D("3.1"), D("4.0"), D("4.8"), D("0.00")),  # clamped below
        (D("5.0"), D("4.0"), D("4.8"), D("100.00")),  # clamped above
        (D("5"), D("5"), D("0.5"), D("0.00")),  # a rate where lower is better, at floor
        (D("0.5"), D("5"), D("0.5"), D("100.00")),
        (D("2.75"), D("5"), D("0.5"), D("50.00")),
        (D("9"), D("5"), D("0.5"), D("0.00")),
        (D("0"), D("5"), D("0.5"), D("100.00")),
        (D("84"), D("120"), D("48"), D("50.00")),  # hours to sign
    ],
)
def test_piecewise(value, floor, excellent, expected):
    assert piecewise(value, floor, excellent) == expected


def _sums(**values):
    out = defaultdict(int)
    out.update(values)
    return out


def test_insufficient_indicator_drops_out_and_its_part_renormalises():
    # Product: rating 4.4 over 25 ratings (50 points); quality refunds 29 orders in the lagged window:
    # insufficient. The part is the rating alone, not (0.5 × 50 + 0.5 × nothing).
    recent = _sums(orders=100, rating_n=25, rating_sum=110)
    lagged = _sums(orders=29, quality_refunds=0)
    result = score_merchant(recent=recent, lagged=lagged, bounds=BOUNDS, category_rates={}, prior=0)
    assert result.indicators["rating"].score == D("50.00")
    assert result.indicators["rating"].value == D("4.4000")
    assert result.indicators["quality_refund"].status == "insufficient"
    assert result.indicators["quality_refund"].score is None
    assert result.parts["product"] == D("50.00")
    # 20 ratings is enough, 19 is not.
    assert (
        score_merchant(
            recent=_sums(rating_n=19, rating_sum=80),
            lagged=_sums(),
            bounds=BOUNDS,
            category_rates={},
            prior=0,
        ).parts["product"]
        is None
    )
    assert score_merchant(
        recent=_sums(rating_n=20, rating_sum=80), lagged=_sums(), bounds=BOUNDS, category_rates={}, prior=0
    ).parts["product"] == D("0.00")


def test_part_weights_within_a_part():
    # Dispatch: on-time 99.5 % (100 pts, w 0.5), 48 h pickup 89.5 % (50 pts, w 0.3), violations 1 % (50, w 0.2).
    recent = _sums(orders=200, dispatch_decided=200, dispatch_kept=199, dispatch_violations=2)
    lagged = _sums(orders_live=200, pickup_48h=179)
    result = score_merchant(recent=recent, lagged=lagged, bounds=BOUNDS, category_rates={}, prior=0)
    assert [result.indicators[c].score for c in ("on_time_dispatch", "pickup_48h", "dispatch_violation")] == [
        D("100.00"),
        D("50.00"),
        D("50.00"),
    ]
    assert result.parts["dispatch"] == D("75.00")  # 0.5·100 + 0.3·50 + 0.2·50


def _quality_refund_score(orders: int, refunds: int, category_rate: Decimal) -> Decimal:
    result = score_merchant(
        recent=_sums(),
        lagged=_sums(orders=orders, quality_refunds=refunds),
        bounds=BOUNDS,
        category_rates={"quality_refund": category_rate},
        prior=30,
    )
    return result.indicators["quality_refund"]


def test_the_prior_pulls_a_small_shop_toward_its_category_more_than_a_big_one():
    # Both shops have a 5 % quality refund rate (0 points raw); the category's pooled rate is 1 %.
    small, big = _quality_refund_score(40, 2, D("0.01")), _quality_refund_score(5000, 250, D("0.01"))
    assert (small.value, big.value) == (D("5.0000"), D("5.0000"))
    # (2 + 30·0.01) / (40 + 30) = 3.2857 %;  (250 + 0.3) / 5030 = 4.9761 %
    assert (small.adjusted, big.adjusted) == (D("3.2857"), D("4.9761"))
    assert (small.score, big.score) == (D("38.10"), D("0.53"))
    # One more refund moves the small shop's rate by 1/(40 + 30) instead of 1/40.
    worse = _quality_refund_score(40, 3, D("0.01"))
    assert (worse.value - small.value, worse.adjusted - small.adjusted) == (D("2.5000"), D("1.4286"))
    assert worse.score == D("6.35")
    # Without a prior both small-shop figures would score 0 (5 % and 7.5 % are at or past the floor).
    assert _quality_refund_score(5000, 251, D("0.01")).adjusted == D("4.9960")


def _full(orders=100):
    """Every indicator sufficient and excellent."""
    recent = _sums(
        orders=orders, rating_n=50, rating_sum=250, dispatch_decided=100, dispatch_kept=100,
        commitments_decided=100, commitments_kept=100,
    )  # fmt: skip
    lagged = _sums(
        orders=orders, orders_live=100, pickup_48h=100, signed_n=100, sign_seconds=100 * 24 * 3600,
        handled_n=40, handling_seconds=40 * 3600,
    )  # fmt: skip
    return recent, lagged


def test_total_needs_three_parts_and_thirty_orders():
    recent, lagged = _full()
    result = score_merchant(recent=recent, lagged=lagged, bounds=BOUNDS, category_rates={}, prior=0)
    assert result.parts == {"product": D("100.00"), "dispatch": D("100.00"), "logistics": D("100.00"),
                            "basic_service": D("100.00")}  # fmt: skip
    assert result.total == D("100.00")
    # No ratings and 10 orders in the lagged window: product and logistics have no indicator left.
    recent_two = _sums(orders=100, commitments_decided=100, commitments_kept=100)
    two = score_merchant(
        recent=recent_two, lagged=_sums(orders=10), bounds=BOUNDS, category_rates={}, prior=0
    )
    assert [p for p, v in two.parts.items() if v is not None] == ["dispatch", "basic_service"]
    assert two.total is None
    # Four parts but 29 orders in the 90 days: no total.
    recent, lagged = _full(orders=29)
    assert (
        score_merchant(recent=recent, lagged=lagged, bounds=BOUNDS, category_rates={}, prior=0).total is None
    )


def test_total_is_the_mean_of_the_parts_present():
    recent, lagged = _full()
    recent["rating_sum"] = 220  # rating 4.4: 50 points; product = (50 + 100) / 2 = 75
    lagged["signed_n"] = 0  # logistics: exceptions and negative feedback only (both 100)
    result = score_merchant(recent=recent, lagged=lagged, bounds=BOUNDS, category_rates={}, prior=0)
    assert result.parts["product"] == D("75.00")
    assert result.total == D("93.75")


def test_seven_day_change_and_warning():
    parts = {"product": D("80"), "dispatch": D("80"), "logistics": D("80"), "basic_service": D("80")}
    assert warning_for(D("72.00"), D("80.00"), parts) == (D("-8.00"), True)  # exactly -10 %
    assert warning_for(D("72.01"), D("80.00"), parts) == (D("-7.99"), False)
    assert warning_for(D("85.00"), D("80.00"), parts) == (D("5.00"), False)
    assert warning_for(D("85.00"), None, parts) == (None, False)
    weak = {**parts, "logistics": D("39.99")}  # below 2.0 / 5
    assert warning_for(D("85.00"), D("80.00"), weak) == (D("5.00"), True)
    assert warning_for(None, None, {**parts, "logistics": D("40.00")}) == (None, False)
