"""Scored merchants for page and API tests: rollup rows written directly, then the real daily job."""

from datetime import date, timedelta

from scoring.models import DailyRollup
from scoring.services.scores import score_day

TODAY = date(2026, 3, 20)


def rollup(merchant, *, day=None, category=None, orders=100, rating_sum=None, **counters) -> DailyRollup:
    """One day of good figures (every indicator sufficient); override any counter."""
    values = {
        "orders": orders, "orders_live": orders, "rating_n": 40, "rating_sum": 190, "dsr_n": 40, "dsr_sum": 570,
        "pickup_48h": orders, "signed_n": orders, "sign_seconds": orders * 50 * 3600, "handled_n": 30,
        "handling_seconds": 30 * 10 * 3600, "dispatch_decided": orders, "dispatch_kept": orders,
        "commitments_decided": orders, "commitments_kept": orders,
    }  # fmt: skip
    if rating_sum is not None:
        values["rating_sum"] = rating_sum
    values.update(counters)
    return DailyRollup.objects.create(
        merchant=merchant,
        category=category or merchant.main_category,
        day=day or TODAY - timedelta(days=20),
        **values,
    )


def scored(merchants, *, today=TODAY, **counters):
    for merchant in merchants:
        rollup(merchant, **counters)
    return score_day(day=today)
