"""The daily core-problems job on PostgreSQL: run twice → the same rows; a crash half-way (while
writing the day's rows) leaves the previous day's state untouched, and the next run completes."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from complaints.models import HelpRequest
from scoring.core_problems import services
from scoring.models import CoreProblemResult, CoreProblemRun

from ..complaints.factories import OrderFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DAY = date(2026, 3, 31)
AT = datetime(2026, 3, 10, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _rows():
    return sorted(
        CoreProblemResult.objects.values_list(
            "merchant_id",
            "day",
            "subproblem__code",
            "event_count",
            "order_count",
            "recent_count",
            "sample_orders",
        )
    )


def _data(merchant):
    for n in range(3):
        order = OrderFactory(merchant=merchant, paid_at=AT)
        HelpRequest.objects.create(
            external_id=f"H{merchant.pk}-{n}",
            order=order,
            merchant=merchant,
            scenario="invoice",
            requested_at=AT,
        )


def test_twice_run_gives_the_same_rows(merchant_a, merchant_b):
    _data(merchant_a)
    _data(merchant_b)
    services.core_problems_compute(day=DAY)
    first = _rows()
    services.core_problems_compute(day=DAY)
    assert _rows() == first
    assert len(first) == 2
    assert CoreProblemRun.objects.filter(day=DAY).count() == 1


def test_crash_while_writing_leaves_the_previous_state_and_a_rerun_completes(merchant_a, monkeypatch):
    _data(merchant_a)
    services.core_problems_compute(day=DAY)
    before = _rows()
    order = OrderFactory(merchant=merchant_a, paid_at=AT)
    HelpRequest.objects.create(
        external_id="H-late", order=order, merchant=merchant_a, scenario="refund", requested_at=AT
    )

    class WorkerKilled(Exception):
        pass

    original = CoreProblemResult.objects.bulk_create

    def crash(*args, **kwargs):
        original(*args, **kwargs)  # the rows are written, then the worker dies before the commit
        raise WorkerKilled

    monkeypatch.setattr(CoreProblemResult.objects, "bulk_create", crash)
    with pytest.raises(WorkerKilled):
        services.core_problems_compute(day=DAY)
    assert _rows() == before  # rolled back: neither half of the new day
    monkeypatch.undo()

    run = services.core_problems_compute(day=DAY)
    assert run.rows == 2
    assert {(r[2], r[3]) for r in _rows()} == {("invoice", 3), ("refund_handling", 1)}
