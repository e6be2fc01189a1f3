"""Reads of the monthly evaluation: the rules snapshot, runs, results, one merchant's history, what-if."""

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import F, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from core.calendar import local_date
from core.singletons import settings_forget, settings_snapshot
from tags.models import TagHolding

from ..models import EvaluationExclusion, EvaluationResult, EvaluationRules, EvaluationRun, EvaluationSettings
from .metrics import RESULT_COLUMNS, judgement_sql, month_results, outcome_sql


def evaluation_settings() -> EvaluationRules:
    """The current EvaluationSettings as a snapshot: one cache read, the database only on a miss."""
    return settings_snapshot(EvaluationSettings)


def evaluation_settings_forget() -> None:
    settings_forget(EvaluationSettings)


# --- runs and results ----------------------------------------------------------------------------


def run_list() -> QuerySet[EvaluationRun]:
    return EvaluationRun.objects.order_by("-period")


def run_get(period: date) -> EvaluationRun | None:
    return EvaluationRun.objects.filter(period=period).first()


def last_completed_run() -> EvaluationRun | None:
    return EvaluationRun.objects.filter(state=EvaluationRun.State.COMPLETED).order_by("-period").first()


def result_list(
    *, run: EvaluationRun, outcome: str = "", tag: str = "", category: str = "", action: str = ""
) -> QuerySet[EvaluationResult]:
    qs = run.results.select_related("merchant", "tag", "category").order_by(
        "merchant__shop_code", "category_id", "tag_id"
    )
    if outcome:
        qs = qs.filter(outcome=outcome)
    if tag:
        qs = qs.filter(tag__code=tag)
    if category:
        qs = qs.filter(category__code=category)
    if action:
        qs = qs.filter(action=action)
    return qs


def merchant_history(*, merchant_id: int) -> QuerySet[EvaluationResult]:
    return (
        EvaluationResult.objects.filter(merchant_id=merchant_id)
        .select_related("tag", "category")
        .order_by("-period", "category_id", "tag_id")
    )


def exclusions_for(*, run: EvaluationRun, merchant_id: int | None = None) -> QuerySet[EvaluationExclusion]:
    qs = run.exclusions.select_related("merchant").order_by("merchant__shop_code", "id")
    if merchant_id is not None:
        qs = qs.filter(merchant_id=merchant_id)
    return qs


def merchant_exclusions(*, merchant_id: int) -> QuerySet[EvaluationExclusion]:
    return EvaluationExclusion.objects.filter(merchant_id=merchant_id).order_by("-period", "id")


# --- threshold impact ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImpactRow:
    result: EvaluationResult
    before: str
    after: str


@dataclass(frozen=True)
class Impact:
    run: EvaluationRun | None
    pass_to_fail: list[ImpactRow]
    fail_to_pass: list[ImpactRow]

    @property
    def merchants_pass_to_fail(self) -> int:
        return len({row.result.merchant_id for row in self.pass_to_fail})

    @property
    def merchants_fail_to_pass(self) -> int:
        return len({row.result.merchant_id for row in self.fail_to_pass})


def threshold_impact(*, rules: EvaluationRules, run: EvaluationRun | None = None) -> Impact:
    """How the last evaluated month's outcomes would change under `rules`, from the stored figures.

    Judged again from each result's numerators and denominators, so no order is read: exact, and
    one query whatever the month's size.
    """
    run = run or last_completed_run()
    if run is None:
        return Impact(None, [], [])
    to_fail, to_pass = [], []
    changed = (
        run.results.annotate(after=RawSQL(outcome_under(rules), []))
        .exclude(after=F("outcome"))
        .select_related("merchant", "tag", "category")
        .order_by("merchant__shop_code", "tag_id")
    )
    for result in changed:
        row = ImpactRow(result, result.outcome, result.after)
        (to_fail if result.after == EvaluationResult.Outcome.FAILED else to_pass).append(row)
    return Impact(run, to_fail, to_pass)


def outcome_under(rules: EvaluationRules) -> str:
    """SQL: a stored result's outcome judged again under `rules` (``judgement_sql``) from its figures."""
    table = connection.ops.quote_name(EvaluationResult._meta.db_table)

    def column(name: str) -> str:
        return f"{table}.{connection.ops.quote_name(name)}"

    judged = judgement_sql(
        rules,
        orders=column("orders"),
        fault=column("fault_numerator"),
        disputes=column("dispute_numerator"),
        points=column("dsr_numerator"),
        items=column("dsr_denominator"),
        ratings=column("dsr_ratings"),
    )
    return outcome_sql(
        fault_result=f"({judged['fault_result']})",
        dsr_result=f"({judged['dsr_result']})",
        dispute_result=f"({judged['dispute_result']})",
    )["outcome"]


# --- what-if (SPEC §7) ------------------------------------------------------------------------------


@dataclass(frozen=True)
class WhatIf:
    holding: TagHolding
    orders: int
    upheld: int
    on_counts: bool
    more_to_fail: int  # 0: the month already fails on complaints


def what_if(*, merchant_id: int, now=None, rules: EvaluationRules | None = None) -> list[WhatIf]:
    """For each tag the merchant holds: how many more upheld merchant-at-fault complaints this month
    (Asia/Shanghai) would make it fail, given the month's orders so far."""
    rules = rules or evaluation_settings()
    today = local_date(now or timezone.now())
    period = today.replace(day=1)
    holdings = list(
        TagHolding.objects.filter(merchant_id=merchant_id, state=TagHolding.State.ACTIVE, tag__monitored=True)
        .select_related("tag", "category")
        .order_by("category__sort_order", "tag__sort_order")
    )
    if not holdings:
        return []
    # The month's figures so far (the statement of the evaluation, for this merchant): holding → (orders, fault).
    at_holding, at_orders, at_fault = (RESULT_COLUMNS.index(c) for c in ("holding_id", "orders", "fault"))
    figures = {
        row[at_holding]: (row[at_orders], row[at_fault])
        for row in month_results(period=period, rules=rules, merchant_ids=[merchant_id])
    }
    answers = []
    for holding in holdings:
        orders, upheld = figures.get(holding.pk, (0, 0))
        on_counts = orders < rules.small_sample_orders
        if on_counts:
            needed = rules.small_sample_fail_complaints
        else:
            needed = math.ceil(rules.fault_rate_fail_percent * orders / Decimal(100))
        answers.append(WhatIf(holding, orders, upheld, on_counts, max(0, needed - upheld)))
    return answers
