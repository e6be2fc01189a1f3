"""Core problems: each event kind and reason classified into its sub-problem; counts, shares, the
last-2-days window and the order numbers exact; the daily job is idempotent and set-based."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints.models import Complaint, HelpRequest
from scoring.core_problems.selectors import core_problems_for_merchant
from scoring.core_problems.services import core_problems_compute
from scoring.models import CoreProblemResult, CoreProblemRun

from ..complaints.factories import ComplaintFactory, OrderFactory, standard

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
DAY = datetime(2026, 3, 31).date()  # window 2025-12-31 .. 2026-03-30 (local), recent 03-29 .. 03-30
IN_WINDOW = datetime(2026, 2, 10, 12, 0, tzinfo=SH)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def _order(merchant, **facts):
    return OrderFactory(
        merchant=merchant, paid_at=facts.pop("paid_at", IN_WINDOW - timedelta(days=3)), **facts
    )


_help_seq = iter(range(1, 10_000))


def _help(order, scenario, at=IN_WINDOW):
    return HelpRequest.objects.create(
        external_id=f"H{next(_help_seq):06d}",
        order=order,
        merchant=order.merchant,
        scenario=scenario,
        requested_at=at,
    )


def _results(merchant) -> dict[str, tuple]:
    return {
        r.subproblem.code: (r.event_count, r.order_count, r.recent_count)
        for r in CoreProblemResult.objects.filter(merchant=merchant, day=DAY).select_related("subproblem")
    }


@pytest.mark.parametrize(
    ("scenario", "subproblem"),
    [
        ("urge_dispatch", "slow_dispatch"),
        ("missing_items", "missing_items"),
        ("urge_logistics", "slow_delivery"),
        ("logistics_stalled", "logistics_stalled"),
        ("install_appointment", "installation"),
        ("invoice", "invoice"),
        ("refund", "refund_handling"),
        ("other", None),
    ],
)
def test_help_request_scenarios(merchant_a, scenario, subproblem):
    _help(_order(merchant_a), scenario)
    core_problems_compute(day=DAY)
    assert _results(merchant_a) == ({subproblem: (1, 1, 0)} if subproblem else {})


@pytest.mark.parametrize(
    ("reason", "subproblem"),
    [
        ("quality", "quality_problem"),
        ("not_as_described", "not_as_described"),
        ("logistics", "delivery_problem"),
        ("changed_mind", None),
        ("other", None),
    ],
)
def test_refund_reason_categories(merchant_a, reason, subproblem):
    _order(merchant_a, refund_requested_at=IN_WINDOW, refund_reason=reason)
    core_problems_compute(day=DAY)
    assert _results(merchant_a) == ({subproblem: (1, 1, 0)} if subproblem else {})


def test_refund_time_falls_back_to_the_refund_when_no_request_was_seen(merchant_a):
    _order(merchant_a, refunded_at=local(2026, 3, 30, 9, 0), refund_reason="quality")
    core_problems_compute(day=DAY)
    assert _results(merchant_a) == {"quality_problem": (1, 1, 1)}


def test_refund_with_staff_intervention_is_a_refund_dispute(merchant_a):
    _order(merchant_a, refunded_at=IN_WINDOW, refund_staff_intervened=True, refund_reason="changed_mind")
    core_problems_compute(day=DAY)
    assert _results(merchant_a) == {"refund_handling": (1, 1, 0)}


@pytest.mark.parametrize(
    ("code", "subproblem"),
    [
        ("logistics", "delivery_problem"),
        ("appearance_consistency", "not_as_described"),
        ("installation", "installation"),
        ("quality", "quality_problem"),
        ("return_exchange", "return_exchange"),
        ("repair", "repair"),
        ("personal_injury", "safety_hazard"),
        ("invoice", "invoice"),
    ],
)
def test_complaint_standards(merchant_a, code, subproblem):
    ComplaintFactory(order=_order(merchant_a), standard=standard(code), filed_at=IN_WINDOW)
    core_problems_compute(day=DAY)
    assert _results(merchant_a) == {subproblem: (1, 1, 0)}


@pytest.mark.parametrize("state", [Complaint.State.WITHDRAWN, Complaint.State.REJECTED])
def test_withdrawn_and_rejected_complaints_do_not_count(merchant_a, state):
    ComplaintFactory(order=_order(merchant_a), standard=standard("quality"), filed_at=IN_WINDOW, state=state)
    core_problems_compute(day=DAY)
    assert _results(merchant_a) == {}


@pytest.mark.parametrize(
    ("item", "subproblem"),
    [
        ("product", "quality_problem"),
        ("described", "not_as_described"),
        ("attitude", "service_attitude"),
        ("logistics", "delivery_problem"),
    ],
)
@pytest.mark.parametrize(("stars", "counted"), [(1, True), (2, True), (3, False), (5, False)])
def test_low_rating_items(merchant_a, item, subproblem, stars, counted):
    ratings = {f"rating_{name}": 5 for name in ("product", "described", "attitude", "logistics")}
    ratings[f"rating_{item}"] = stars
    _order(merchant_a, rated_at=IN_WINDOW, **ratings)
    core_problems_compute(day=DAY)
    assert _results(merchant_a) == ({subproblem: (1, 1, 0)} if counted else {})


def test_counts_share_recent_window_and_order_numbers_exact(merchant_a, merchant_b):
    orders = [
        _order(merchant_a, external_id=f"A{n:03d}", paid_at=IN_WINDOW - timedelta(hours=n)) for n in range(40)
    ]
    _order(merchant_a, paid_at=local(2025, 12, 30, 23, 0))  # paid before the window: not in the 40
    # urge dispatch: 8 help requests on 7 orders
    _help(orders[0], "urge_dispatch", local(2026, 3, 30, 23, 59))  # last minute of the window: recent
    _help(orders[0], "urge_dispatch", local(2026, 3, 29, 0, 0))  # first minute of the recent days
    _help(orders[1], "urge_dispatch", local(2026, 3, 28, 23, 59))  # just before: not recent
    for n, day in zip(range(2, 7), range(1, 6), strict=True):
        _help(orders[n], "urge_dispatch", local(2026, 1, day, 10, 0))
    _help(orders[7], "urge_dispatch", local(2025, 12, 31, 0, 0))  # first minute of the window
    # outside the window: the day before it starts, and today
    _help(orders[8], "urge_dispatch", local(2025, 12, 30, 23, 59))
    _help(orders[9], "urge_dispatch", local(2026, 3, 31, 0, 0))
    # the same order, another sub-problem, and another shop's events are kept apart
    ComplaintFactory(order=orders[0], standard=standard("logistics"), filed_at=local(2026, 3, 30, 8, 0))
    _help(_order(merchant_b), "urge_dispatch", IN_WINDOW)

    run = core_problems_compute(day=DAY)

    assert (run.window_first_day.isoformat(), run.window_last_day.isoformat()) == ("2025-12-31", "2026-03-30")
    row = CoreProblemResult.objects.get(merchant=merchant_a, day=DAY, subproblem__code="slow_dispatch")
    assert (row.event_count, row.order_count, row.orders_in_window, row.recent_count) == (9, 8, 40, 2)
    assert str(row.share) == "0.2000"  # 8 of 40 orders
    assert row.sample_orders == ["A000", "A001", "A006", "A005", "A004"]  # latest event first
    assert _results(merchant_a) == {"slow_dispatch": (9, 8, 2), "delivery_problem": (1, 1, 1)}
    assert _results(merchant_b) == {"slow_dispatch": (1, 1, 0)}
    assert (run.merchants, run.rows) == (2, 3)


def test_rerun_is_idempotent_and_replaces_the_day(merchant_a):
    order = _order(merchant_a)
    _help(order, "invoice")
    core_problems_compute(day=DAY)
    first = list(CoreProblemResult.objects.values_list("merchant_id", "subproblem__code", "event_count"))
    core_problems_compute(day=DAY)
    assert (
        list(CoreProblemResult.objects.values_list("merchant_id", "subproblem__code", "event_count")) == first
    )
    assert CoreProblemRun.objects.count() == 1
    _help(order, "invoice")
    core_problems_compute(day=DAY)
    assert _results(merchant_a) == {"invoice": (2, 1, 0)}
    assert CoreProblemResult.objects.count() == 1


def test_query_count_does_not_grow_with_merchants(merchant_a, merchant_b):
    def run_with(n):
        for _ in range(n):
            order = _order(OrderFactory().merchant)
            _help(order, "urge_dispatch")
            ComplaintFactory(order=order, filed_at=IN_WINDOW)
            _order(order.merchant, rated_at=IN_WINDOW, rating_attitude=1)
        with CaptureQueriesContext(connection) as queries:
            core_problems_compute(day=DAY)
        return len(queries)

    run_with(0)  # the settings row read and the run record created once
    assert run_with(2) == run_with(6)


def test_panel_reads_the_latest_day_of_the_merchant_only(merchant_a, merchant_b):
    _help(_order(merchant_a), "invoice")
    _help(_order(merchant_b), "refund")
    core_problems_compute(day=DAY - timedelta(days=1))
    _help(_order(merchant_a), "urge_dispatch", local(2026, 3, 30, 10, 0))
    core_problems_compute(day=DAY)
    panel = core_problems_for_merchant(merchant_a.pk)
    assert panel.run.day == DAY
    assert [(r.subproblem.code, r.event_count) for r in panel.rows] == [
        ("invoice", 1),
        ("slow_dispatch", 1),
    ] or [(r.subproblem.code, r.event_count) for r in panel.rows] == [("slow_dispatch", 1), ("invoice", 1)]
    assert {r.merchant_id for r in panel.rows} == {merchant_a.pk}
    assert panel.rows[0].course_link is None or panel.rows[0].course_link.code
