"""The rules of SPEC §8 at their boundaries: counts below 30 orders, DSR with ≥ 50 ratings and ≤ 3 per
shopper per month, refund disputes, appeals left out then re-evaluated, dry run, what-if."""

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db import connection

from complaints.models import Appeal
from merchants.models import Notice
from scoring.evaluation.metrics import RESULT_COLUMNS, judgement_sql, month_results, outcome_sql
from scoring.evaluation.selectors import evaluation_settings, what_if
from scoring.evaluation.services import (
    evaluation_appeals_reconcile,
    evaluation_compute,
    evaluation_run,
)
from scoring.models import EvaluationExclusion, EvaluationResult, EvaluationRun
from tags.models import HoldingEvent, TagHolding
from tests.factories import MerchantFactory
from tests.tags.factories import tag

from .evaluation_factories import at, dispute, fault, holding_set, orders, rate

pytestmark = pytest.mark.django_db


@pytest.fixture
def merchant_c(db):
    """A second large-appliance shop (merchant_b sells 3C: other categories' complaints do not count)."""
    return MerchantFactory(shop_code="C0000001")


SEP = date(2026, 9, 1)
EVALUATION_DAY = at(date(2026, 10, 8), 3)


def _drafts(merchant):
    with time_machine.travel(EVALUATION_DAY, tick=False):
        return [d for d in evaluation_compute(period=SEP).drafts if d.key.merchant_id == merchant.pk]


def _one(merchant):
    drafts = _drafts(merchant)
    assert len(drafts) == 3  # the three badge tags judge alike here
    return drafts[0]


def test_fewer_than_30_orders_are_judged_on_counts(merchant_a, merchant_c):
    holding_set(merchant_a)
    holding_set(merchant_c)
    few = orders(merchant_a, 29, SEP)
    fault(few[0], date(2026, 9, 10))  # 1 of 29 = 3.4%, but only one complaint
    dispute(few[1], at(date(2026, 9, 11)))
    two = orders(merchant_c, 29, SEP)
    fault(two[0], date(2026, 9, 10))
    fault(two[1], date(2026, 9, 12))
    a, b = _one(merchant_a), _one(merchant_c)
    assert (a.on_counts, a.fault, a.fault_result, a.dispute_result, a.outcome) == (
        True,
        1,
        "pass",
        "not_judged",
        "pass",
    )
    assert (b.on_counts, b.fault, b.fault_result, b.outcome) == (True, 2, "fail", "fail")


def test_fault_rate_fails_at_exactly_half_a_percent(merchant_a, merchant_c):
    holding_set(merchant_a)
    holding_set(merchant_c)
    fault(orders(merchant_a, 200, SEP)[0], date(2026, 9, 10))  # 1 / 200 = 0.5%: fails (≥)
    fault(orders(merchant_c, 201, SEP)[0], date(2026, 9, 10))  # 1 / 201 < 0.5%: passes
    assert (_one(merchant_a).fault_result, _one(merchant_c).fault_result) == ("fail", "pass")


def test_refund_dispute_rate_fails_above_a_tenth_of_a_percent(merchant_a, merchant_c):
    holding_set(merchant_a)
    holding_set(merchant_c)
    dispute(orders(merchant_a, 1000, SEP)[0], at(date(2026, 9, 5)))  # 0.1%: passes (fails only above)
    two = orders(merchant_c, 1000, SEP)
    dispute(two[0], at(date(2026, 9, 5)))
    dispute(two[1], at(date(2026, 9, 6)))  # 0.2%: fails
    a, b = _one(merchant_a), _one(merchant_c)
    assert (a.disputes, a.orders, a.dispute_result) == (1, 1000, "pass")
    assert (b.disputes, b.dispute_result, b.failed_metrics) == (2, "fail", ["refund_dispute_rate"])


def test_dsr_below_50_ratings_is_not_judged(merchant_a, merchant_c):
    holding_set(merchant_a)
    holding_set(merchant_c)
    rate(orders(merchant_a, 49, SEP), at(date(2026, 9, 20)), score=3)
    rate(orders(merchant_c, 50, SEP), at(date(2026, 9, 20)), score=3)
    a, b = _one(merchant_a), _one(merchant_c)
    assert (a.dsr_ratings, a.dsr_result) == (49, "not_judged")
    assert (b.dsr_ratings, b.dsr_points, b.dsr_items, b.dsr_result) == (50, 450, 150, "fail")


def test_dsr_counts_at_most_3_ratings_per_shopper_per_month(merchant_a):
    holding_set(merchant_a)
    # One shopper rates 10 orders 1★ in September; 100 shoppers rate 5★.
    rate(orders(merchant_a, 10, SEP, shopper="angry-shopper"), at(date(2026, 9, 20)), score=1)
    rate(orders(merchant_a, 100, SEP), at(date(2026, 9, 21)), score=5)
    # The same shopper's August ratings count again (another month), up to 3.
    rate(orders(merchant_a, 5, date(2026, 8, 1), shopper="angry-shopper"), at(date(2026, 8, 20)), score=1)
    # The 180 days ending 30 September start on 4 April (local): the 3rd is outside.
    rate(orders(merchant_a, 5, date(2026, 3, 1)), at(date(2026, 4, 3), 23), score=1)
    rate(orders(merchant_a, 1, date(2026, 3, 1)), at(date(2026, 4, 4), 0), score=5)
    d = _one(merchant_a)
    assert (d.dsr_ratings, d.dsr_items, d.dsr_points) == (107, 321, 6 * 3 + 101 * 15)
    # 1533 / 321 = 4.78 passes; counting all 15 angry ratings (1560 / 348 = 4.48) would fail.
    assert d.dsr_result == "pass"


def test_an_appealed_complaint_is_left_out_then_the_month_is_reevaluated_when_the_appeal_fails(
    merchant_a, django_capture_on_commit_callbacks
):
    holding_set(merchant_a)
    month = orders(merchant_a, 100, SEP)
    appealed = fault(month[0], date(2026, 9, 25), appeal=Appeal.State.FILED)
    with time_machine.travel(EVALUATION_DAY, tick=False):
        run = evaluation_run(period=SEP)
    result = EvaluationResult.objects.filter(merchant=merchant_a).first()
    assert (result.fault_numerator, result.excluded_complaints, result.outcome, result.action) == (
        0,
        1,
        "pass",
        "kept",
    )
    exclusion = EvaluationExclusion.objects.get()
    assert (exclusion.kind, exclusion.complaint_id, exclusion.order_external_id) == (
        "complaint",
        appealed.pk,
        month[0].external_id,
    )
    assert run.excluded == 1

    with time_machine.travel(at(date(2026, 10, 15)), tick=False):
        assert evaluation_appeals_reconcile() == 0  # still open: nothing to do
    Appeal.objects.filter(complaint=appealed).update(state=Appeal.State.REJECTED)
    with (
        time_machine.travel(at(date(2026, 10, 20)), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert evaluation_appeals_reconcile() == 1
        assert evaluation_appeals_reconcile() == 0  # once
    result.refresh_from_db()
    assert (result.fault_numerator, result.excluded_complaints, result.outcome) == (1, 0, "fail")
    assert (result.revision, result.action, result.action_until) == (2, "revoked", date(2026, 10, 1))
    assert set(TagHolding.objects.filter(merchant=merchant_a).values_list("state", flat=True)) == {
        "rectifying"
    }
    assert Notice.objects.filter(code="evaluation.revoked").count() == 3
    exclusion.refresh_from_db()
    assert exclusion.against_merchant is True
    assert exclusion.reevaluated_at is not None


def test_an_appeal_upheld_changes_nothing(merchant_a):
    holding_set(merchant_a)
    complaint = fault(orders(merchant_a, 100, SEP)[0], date(2026, 9, 25), appeal=Appeal.State.FILED)
    with time_machine.travel(EVALUATION_DAY, tick=False):
        evaluation_run(period=SEP)
    Appeal.objects.filter(complaint=complaint).update(state=Appeal.State.UPHELD)
    with time_machine.travel(at(date(2026, 10, 20)), tick=False):
        assert evaluation_appeals_reconcile() == 0
    assert EvaluationResult.objects.filter(revision=2).count() == 0
    assert not HoldingEvent.objects.filter(kind="revoked").exists()
    assert EvaluationExclusion.objects.get().against_merchant is False


def test_the_dry_run_writes_nothing(merchant_a):
    holding_set(merchant_a)
    fault(orders(merchant_a, 100, SEP)[0], date(2026, 9, 10))
    events = HoldingEvent.objects.count()
    drafts = _drafts(merchant_a)
    assert [d.outcome for d in drafts] == ["fail", "fail", "fail"]
    assert EvaluationRun.objects.count() == 0
    assert EvaluationResult.objects.count() == 0
    assert HoldingEvent.objects.count() == events
    assert Notice.objects.count() == 0


@pytest.mark.parametrize(
    ("paid", "upheld", "more", "on_counts"),
    [
        (200, 0, 1, False),  # 1 / 200 = 0.5% fails
        (201, 0, 2, False),  # 1 / 201 < 0.5%; 2 / 201 fails
        (400, 1, 1, False),  # 2 / 400 = 0.5% fails
        (400, 2, 0, False),  # already failing
        (29, 0, 2, True),  # counts: fails with 2
        (29, 1, 1, True),
    ],
)
def test_what_if_is_exact_at_the_boundary(merchant_a, paid, upheld, more, on_counts):
    holding_set(merchant_a, granted=date(2026, 10, 2))
    month = orders(merchant_a, paid, date(2026, 10, 1))
    for i in range(upheld):
        fault(month[i], date(2026, 10, 10))
    with time_machine.travel(at(date(2026, 10, 20)), tick=False):
        answers = what_if(merchant_id=merchant_a.pk)
    assert len(answers) == 3
    assert {(a.orders, a.upheld, a.more_to_fail, a.on_counts) for a in answers} == {
        (paid, upheld, more, on_counts)
    }
    # Adding one fewer than `more` complaints leaves the month passing; exactly `more` makes it fail, as
    # the evaluation judges it (the month's statement, for this merchant).
    for i in range(upheld, upheld + more):
        if i == upheld + more - 1:
            assert _fault_results(merchant_a) == {"pass"}
        fault(month[i], date(2026, 10, 10))
    assert _fault_results(merchant_a) == {"fail"}


def _fault_results(merchant) -> set[str]:
    """The fault-complaint judgement of each of the merchant's holdings for October, as evaluated."""
    rows = month_results(period=date(2026, 10, 1), rules=evaluation_settings(), merchant_ids=[merchant.pk])
    return {row[RESULT_COLUMNS.index("fault_result")] for row in rows}


def test_complaints_count_when_tag_linked_or_in_the_holdings_category(merchant_b):
    """merchant_b sells 3C; its holdings are in large appliances (holding_set)."""
    holding_set(merchant_b)
    month = orders(merchant_b, 100, SEP)  # digital_3c orders
    fault(month[0], date(2026, 9, 10))  # other category, no tag: counts for no holding
    fault(month[1], date(2026, 9, 11), tag=tag("home_delivery"))  # tag-linked: counts for that tag only
    with time_machine.travel(EVALUATION_DAY, tick=False):
        drafts = {d.key.tag_id: d for d in evaluation_compute(period=SEP).drafts}
    assert {t: (d.fault, d.outcome) for t, d in drafts.items()} == {
        tag("home_delivery").pk: (1, "fail"),
        tag("worry_free_returns").pk: (0, "pass"),
        tag("nationwide_warranty").pk: (0, "pass"),
    }


# (orders, fault, disputes, dsr points, dsr items, ratings) → (fault, dsr, dispute, outcome, failed metrics),
# under rules with more decimal places than the defaults: fault ≥ 0.35 %, DSR < 4.65 with ≥ 50 ratings,
# disputes > 0.125 %; counts below 30 orders (fails with 2 complaints).
JUDGED = [
    ((2000, 7, 0, 0, 0, 0), ("fail", "not_judged", "pass", "fail", ["fault_complaint_rate"])),  # 0.35 %
    ((2000, 6, 0, 0, 0, 0), ("pass", "not_judged", "pass", "pass", [])),
    ((8000, 0, 10, 0, 0, 0), ("pass", "not_judged", "pass", "pass", [])),  # 0.125 %: not above
    ((8000, 0, 11, 0, 0, 0), ("pass", "not_judged", "fail", "fail", ["refund_dispute_rate"])),
    ((100, 0, 0, 1395, 300, 100), ("pass", "pass", "pass", "pass", [])),  # 4.65 exactly
    ((100, 0, 0, 1394, 300, 100), ("pass", "fail", "pass", "fail", ["dsr_mean"])),
    ((100, 0, 0, 1000, 300, 49), ("pass", "not_judged", "pass", "pass", [])),  # too few ratings
    ((29, 2, 5, 0, 0, 0), ("fail", "not_judged", "not_judged", "fail", ["fault_complaint_rate"])),  # counts
    ((29, 1, 5, 0, 0, 0), ("pass", "not_judged", "not_judged", "pass", [])),
    (
        (3_000_000, 10_500, 3_751, 2_092_500_000, 450_000_000, 150_000_000),  # past 32-bit products
        ("fail", "pass", "fail", "fail", ["fault_complaint_rate", "refund_dispute_rate"]),
    ),
    (
        (1000, 4, 2, 10, 3, 60),
        ("fail", "fail", "fail", "fail", ["fault_complaint_rate", "dsr_mean", "refund_dispute_rate"]),
    ),
]


@pytest.mark.parametrize(("figures", "expected"), JUDGED)
def test_the_judgement_is_exact_on_integers(figures, expected):
    rules = replace(
        evaluation_settings(),
        fault_rate_fail_percent=Decimal("0.35"),
        dsr_fail_below=Decimal("4.65"),
        dispute_rate_fail_percent=Decimal("0.125"),
    )
    judged = judgement_sql(
        rules, orders="x.o", fault="x.f", disputes="x.d", points="x.p", items="x.i", ratings="x.n"
    )
    decided = outcome_sql(fault_result="y.fr", dsr_result="y.dr", dispute_result="y.sr")
    sql = (
        f"SELECT y.fr, y.dr, y.sr, {decided['outcome']}, {decided['failed_metrics']} FROM ("
        f"SELECT {judged['fault_result']} AS fr, {judged['dsr_result']} AS dr, "
        f"{judged['dispute_result']} AS sr FROM (SELECT %s AS o, %s AS f, %s AS d, %s AS p, %s AS i, %s AS n) x) y"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(figures))
        fault_result, dsr_result, dispute_result, outcome, failed = cursor.fetchone()
    assert (fault_result, dsr_result, dispute_result, outcome, json.loads(failed)) == expected
