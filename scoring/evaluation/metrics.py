"""The figures of one evaluated month, for many holdings at once, and how they are judged (SPEC §8).

Figures come from the shared indicators of the apps that own the facts; this module only groups
them per merchant × category × tag and decides pass / fail. A fixed number of queries whatever the
number of merchants:

1. orders paid in the month per merchant (the denominator of both rates), from the daily rollups;
2. the month's fault complaints (one row per complaint: they are a small share of orders), each
   counted for the merchant's holdings whose tag it names or whose category its order is in;
   complaints under appeal at the cut-off (their own appeal, or their breach's) are left out;
3. refund disputes per merchant;
4. DSR ratings per merchant over the window ending with the month (≤ N per shopper per month), from
   the rating rollup;
5. breaches under appeal at the cut-off (listed, they feed no metric of the evaluation).

The rollups are brought up to date first (``evaluation_compute`` runs ``rollups_refresh``).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Sum

from commitments.indicators import paid_orders
from commitments.models import BreachAppeal
from complaints.indicators import fault_complaints, refund_disputes
from complaints.models import Appeal
from core.periods import calendar_month

from ..models import DailyRollup, EvaluationResult, EvaluationRules, RatingDay

# Plain strings (the choices' values): written 50,000 times a month, and the keys of `_FAILED`.
PASSED = str(EvaluationResult.Judgement.PASSED)
FAILED = str(EvaluationResult.Judgement.FAILED)
NOT_JUDGED = str(EvaluationResult.Judgement.NOT_JUDGED)

# The metric codes notices, courses (scoring.hooks.course_for) and pages use.
FAULT = "fault_complaint_rate"
DSR = "dsr_mean"
DISPUTE = "refund_dispute_rate"
METRICS = (FAULT, DSR, DISPUTE)


def month_bounds(period: date) -> tuple[datetime, datetime]:
    """[start, end) of the Asia/Shanghai calendar month starting at `period`, as aware datetimes."""
    month = calendar_month(period.year, period.month)
    return month.start, month.end


def parse_month(text: str) -> date | None:
    """'2026-09' → date(2026, 9, 1); None for anything else."""
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        return date(year, month, 1) if 2000 <= year <= 2100 and 1 <= month <= 12 else None
    except ValueError:
        return None


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


class HoldingKey(NamedTuple):
    """An evaluated holding (a plain tuple: 50,000 a month are read at once)."""

    holding_id: int
    merchant_id: int
    category_id: int
    tag_id: int
    state: str


@dataclass
class Figures:
    orders: int = 0
    fault: int = 0
    excluded_complaints: int = 0
    dsr_points: int = 0
    dsr_items: int = 0
    dsr_ratings: int = 0
    disputes: int = 0


@dataclass(frozen=True)
class Exclusion:
    merchant_id: int
    kind: str  # "complaint" | "breach"
    object_id: int
    order_external_id: str


@dataclass
class MonthFigures:
    per_holding: dict[int, Figures] = field(default_factory=dict)
    exclusions: list[Exclusion] = field(default_factory=list)


def month_figures(
    *,
    period: date,
    holdings: list[HoldingKey],
    rules: EvaluationRules,
    merchant_ids=None,
    with_dsr: bool = True,
) -> MonthFigures:
    """Every holding's figures for the month starting at `period`. `merchant_ids` None = all merchants."""
    start, end = month_bounds(period)
    if merchant_ids is None:  # every merchant: from the rollups (brought up to date by the caller)
        orders = month_orders(period=period)
    else:  # a few merchants (a re-evaluation, the what-if of a month in progress): by their index
        orders = paid_orders(start=start, end=end, merchant_ids=merchant_ids)
    disputes = refund_disputes(start=start, end=end, merchant_ids=merchant_ids)

    faults_by_merchant: dict[int, list[tuple[int, int | None, int]]] = defaultdict(list)
    excluded_by_merchant: dict[int, list[tuple[int | None, int]]] = defaultdict(list)
    result = MonthFigures()
    rows = fault_complaints(start=start, end=end, merchant_ids=merchant_ids).values_list(
        "pk", "merchant_id", "order_id", "order__external_id", "tag_id", "order__category_id",
        "appeal__state", "breach__appeal__state",
    )  # fmt: skip
    for pk, merchant_id, order_id, external_id, tag_id, category_id, appeal, breach_appeal in rows:
        if appeal == Appeal.State.FILED or breach_appeal == BreachAppeal.State.SUBMITTED:
            excluded_by_merchant[merchant_id].append((tag_id, category_id))
            result.exclusions.append(Exclusion(merchant_id, "complaint", pk, external_id))
        else:
            faults_by_merchant[merchant_id].append((order_id, tag_id, category_id))

    breaches = BreachAppeal.objects.filter(
        state=BreachAppeal.State.SUBMITTED, breach__detected_at__lt=end, breach__counts_in_metrics=True
    )
    if merchant_ids is not None:
        breaches = breaches.filter(merchant_id__in=list(merchant_ids))
    for breach_id, merchant_id, external_id in breaches.values_list(
        "breach_id", "merchant_id", "breach__commitment__order__external_id"
    ):
        result.exclusions.append(Exclusion(merchant_id, "breach", breach_id, external_id))

    dsr = dsr_figures(period=period, rules=rules, merchant_ids=merchant_ids) if with_dsr else {}

    no_dsr = (0, 0, 0)
    for key in holdings:
        merchant_id = key.merchant_id
        points, items, ratings = dsr.get(merchant_id, no_dsr)
        faults = faults_by_merchant.get(merchant_id)
        excluded = excluded_by_merchant.get(merchant_id)
        result.per_holding[key.holding_id] = Figures(
            orders=orders.get(merchant_id, 0),
            # Most merchants have no fault complaint in a month: nothing to match then.
            fault=len({o for o, t, c in faults if t == key.tag_id or c == key.category_id}) if faults else 0,
            excluded_complaints=(
                sum(1 for t, c in excluded if t == key.tag_id or c == key.category_id) if excluded else 0
            ),
            dsr_points=points,
            dsr_items=items,
            dsr_ratings=ratings,
            disputes=disputes.get(merchant_id, 0),
        )
    return result


def dsr_figures(
    *, period: date, rules: EvaluationRules, merchant_ids=None
) -> dict[int, tuple[int, int, int]]:
    """Per merchant: (sum of the item scores, number of item scores, ratings counted) over the
    `dsr_window_days` local days ending with the month, at most `dsr_max_per_shopper_month` ratings
    per shopper per calendar month (``commitments.indicators.dsr_ranked``), from the rating rollup."""
    month = calendar_month(period.year, period.month)
    first_day = month.last_day - timedelta(days=rules.dsr_window_days - 1)
    qs = RatingDay.objects.filter(
        day__gte=first_day, day__lte=month.last_day, rank__lte=rules.dsr_max_per_shopper_month
    )
    if merchant_ids is not None:
        qs = qs.filter(merchant_id__in=list(merchant_ids))
    rows = qs.values("merchant_id").annotate(p=Sum("points"), i=Sum("items"), n=Sum("ratings")).order_by()
    return {r["merchant_id"]: (int(r["p"]), int(r["i"]), int(r["n"])) for r in rows}


def month_orders(*, period: date) -> dict[int, int]:
    """Per merchant: the orders paid in the month (the denominator of both rates), from the daily
    rollups (``scoring.services.rollups``: orders by local paid day)."""
    month = calendar_month(period.year, period.month)
    qs = DailyRollup.objects.filter(day__gte=month.first_day, day__lte=month.last_day)
    return dict(qs.values("merchant_id").annotate(n=Sum("orders")).order_by().values_list("merchant_id", "n"))


class Judgement(NamedTuple):
    """How one holding's month is judged (a plain tuple of plain strings: 50,000 a month)."""

    on_counts: bool
    fault: str
    dsr: str
    dispute: str
    failed_metrics: list[str]
    outcome: str


_OUTCOME = {True: str(EvaluationResult.Outcome.FAILED), False: str(EvaluationResult.Outcome.PASSED)}


def judge(
    *,
    orders: int,
    fault: int,
    disputes: int,
    dsr_points: int,
    dsr_items: int,
    dsr_ratings: int,
    rules: EvaluationRules,
) -> Judgement:
    """Exact comparisons on integers and Decimals: no rounding decides an outcome."""
    on_counts = orders < rules.small_sample_orders
    if on_counts:
        fault_result = FAILED if fault >= rules.small_sample_fail_complaints else PASSED
        dispute_result = NOT_JUDGED
    else:
        fault_result = FAILED if Decimal(fault) * 100 >= rules.fault_rate_fail_percent * orders else PASSED
        dispute_result = (
            FAILED if Decimal(disputes) * 100 > rules.dispute_rate_fail_percent * orders else PASSED
        )
    if dsr_ratings >= rules.dsr_min_ratings and dsr_items:
        dsr_result = FAILED if Decimal(dsr_points) < rules.dsr_fail_below * dsr_items else PASSED
    else:
        dsr_result = NOT_JUDGED
    failed, outcome = _FAILED[fault_result, dsr_result, dispute_result]
    return Judgement(on_counts, fault_result, dsr_result, dispute_result, failed, outcome)


def _failed(fault: str, dsr: str, dispute: str) -> tuple[list[str], str]:
    failed = [code for code, value in ((FAULT, fault), (DSR, dsr), (DISPUTE, dispute)) if value == FAILED]
    return failed, _OUTCOME[bool(failed)]


# The failed metrics and the outcome of each of the 27 combinations of the three results, made once (the
# lists are shared between judgements: read, never changed).
_FAILED = {
    (f, d, r): _failed(f, d, r)
    for f in (PASSED, FAILED, NOT_JUDGED)
    for d in (PASSED, FAILED, NOT_JUDGED)
    for r in (PASSED, FAILED, NOT_JUDGED)
}
