"""Rollups and the daily job end to end: local paid day, incremental == full rebuild on randomized
late and out-of-order data, reruns change nothing, a crash half-way is repaired by the next run."""

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from commitments.models import MetricsDirtyDay
from complaints.services import HelpRequestItem, help_requests_ingest
from scoring.models import DailyRollup, MerchantScore, ScoreFigure, ScoreRun
from scoring.services import scores as scores_service
from scoring.services.rollups import rollups_rebuild, rollups_refresh
from scoring.services.scores import score_day
from tests.commitments.factories import place_order, send_event
from tests.factories import MerchantFactory, ProductFactory

pytestmark = pytest.mark.django_db

DAY0 = date(2026, 3, 1)


def _rollups():
    fields = ["merchant_id", "category_id", "day", *DailyRollup.COUNTERS]
    return sorted(DailyRollup.objects.values_list(*fields))


def _scores(day):
    rows = sorted(
        MerchantScore.objects.filter(day=day).values_list(
            "merchant_id", "category_id", "orders", "total", "product", "dispatch", "logistics", "basic_service",
            "change_7d", "warning",
        )
    )  # fmt: skip
    figures = sorted(
        ScoreFigure.objects.filter(day=day).values_list(
            "score_row__merchant_id", "code", "numerator", "denominator", "value", "adjusted", "score", "status",
            "peer_count", "peer_percentile",
        )
    )  # fmt: skip
    return rows, figures


def test_an_order_paid_2330_utc_counts_on_the_next_local_day():
    product = ProductFactory(merchant=MerchantFactory())
    place_order(product, paid_at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
    place_order(product, paid_at=datetime(2026, 3, 1, 15, 59, tzinfo=UTC))  # 23:59 local, 03-01
    rollups_refresh()
    assert sorted(DailyRollup.objects.values_list("day", "orders")) == [
        (date(2026, 3, 1), 1),
        (date(2026, 3, 2), 1),
    ]


def _events_for(rng, order, paid):
    events = []
    if rng.random() < 0.9:
        events.append(("pickup_scanned", paid + timedelta(hours=rng.randint(1, 80)), {"carrier": "SF"}))
    if rng.random() < 0.8:
        events.append(("delivered", paid + timedelta(hours=rng.randint(30, 150)), {}))
    if rng.random() < 0.5:
        events.append(
            (
                "rated",
                paid + timedelta(days=rng.randint(3, 20)),
                {
                    k: rng.randint(1, 5)
                    for k in ("product", "item_as_described", "service_attitude", "logistics")
                },
            )
        )
    if rng.random() < 0.2:
        events.append(("refund_requested", paid + timedelta(days=rng.randint(1, 5)), {}))
        events.append(
            (
                "refunded",
                paid + timedelta(days=rng.randint(6, 12)),
                {
                    "reason": rng.choice(["quality", "changed_mind", "x"]),
                    "staff_intervened": rng.random() < 0.3,
                },
            )
        )
    if rng.random() < 0.1:
        events.append(("logistics_exception", paid + timedelta(days=2), {}))
    rng.shuffle(events)
    return events


@pytest.mark.parametrize("seed", [1, 2])
def test_incremental_equals_full_rebuild(seed):
    rng = random.Random(seed)
    products = [ProductFactory(merchant=MerchantFactory()) for _ in range(3)]
    orders = []
    help_seq = 0
    # Day by day: that day's orders arrive, plus late events for earlier orders; the job runs each day.
    for d in range(12):
        today = DAY0 + timedelta(days=d)
        for product in products:
            for _ in range(rng.randint(1, 4)):
                paid = datetime.combine(today, datetime.min.time(), tzinfo=UTC) + timedelta(
                    minutes=rng.randint(0, 24 * 60 - 1)
                )
                order = place_order(product, paid_at=paid)
                orders.append((order, paid, _events_for(rng, order, paid)))
        for order, _paid, pending in orders:
            for _ in range(rng.randint(0, len(pending))):
                kind, at, data = pending.pop()
                send_event(order, kind, at, **data)
            if rng.random() < 0.05:
                help_seq += 1
                help_requests_ingest(
                    items=[
                        HelpRequestItem(
                            f"H{seed}-{help_seq}", order.external_id, rng.choice(["urge_logistics", "refund"]),
                            _paid + timedelta(days=1),
                        )
                    ]
                )  # fmt: skip
        score_day(day=today + timedelta(days=1))
    last = DAY0 + timedelta(days=12)
    incremental = _rollups()
    incremental_scores = _scores(last)
    assert incremental  # something was aggregated
    assert ScoreRun.objects.filter(state="done").count() == 12

    DailyRollup.objects.all().delete()
    rollups_rebuild(last_day=last)
    assert _rollups() == incremental
    score_day(day=last)
    assert _scores(last) == incremental_scores


def _shop_with_orders(n: int, paid: datetime, *, rated: int = 0):
    product = ProductFactory(merchant=MerchantFactory())
    for i in range(n):
        order = place_order(product, paid_at=paid + timedelta(minutes=i))
        send_event(order, "pickup_scanned", paid + timedelta(hours=5), carrier="SF")
        send_event(order, "delivered", paid + timedelta(hours=40))
        if i < rated:
            send_event(order, "rated", paid + timedelta(days=5), product=5, logistics=5)
    return product.merchant


def test_rerun_changes_nothing_and_a_crash_half_way_is_repaired(monkeypatch):
    paid = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    shops = [_shop_with_orders(31, paid, rated=20) for _ in range(3)]
    today = date(2026, 2, 1)
    run = score_day(day=today)
    assert (run.state, run.merchants, run.attempts) == ("done", 3, 1)
    first = _scores(today)
    assert [row[3] for row in first[0]] == [Decimal("100.00")] * 3
    assert score_day(day=today).attempts == 2
    assert _scores(today) == first

    # Crash in the second batch (one merchant per batch): the run is failed and nothing of it is written
    # (the day is written in one transaction); the next run repairs it.
    MerchantScore.objects.filter(day=today).delete()
    real = scores_service._figures
    calls = []

    def crash_on_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker lost")
        return real(*args, **kwargs)

    monkeypatch.setattr(scores_service, "_figures", crash_on_second)
    with pytest.raises(RuntimeError):
        scores_service.score_day(day=today, batch_size=1)
    assert ScoreRun.objects.get(day=today).state == "failed"
    assert MerchantScore.objects.filter(day=today).count() == 0
    assert ScoreFigure.objects.filter(day=today).count() == 0
    monkeypatch.setattr(scores_service, "_figures", real)
    assert score_day(day=today).state == "done"
    assert _scores(today) == first
    assert {m.pk for m in shops} == set(
        MerchantScore.objects.filter(day=today).values_list("merchant_id", flat=True)
    )


def test_marks_are_spent_by_the_job_only_once_settled():
    product = ProductFactory(merchant=MerchantFactory())
    place_order(product, paid_at=datetime(2026, 3, 1, 2, 0, tzinfo=UTC))
    assert MetricsDirtyDay.objects.count() == 1
    rollups_refresh()  # the mark is younger than the settle time: processed, kept for the next run
    assert MetricsDirtyDay.objects.count() == 1
    rollups_refresh(now=datetime.now(UTC) + timedelta(minutes=11))
    assert MetricsDirtyDay.objects.count() == 0
    assert DailyRollup.objects.get().orders == 1
