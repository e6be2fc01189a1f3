"""The figures of one evaluated month, for many holdings at once, and how they are judged (SPEC §8).

Figures come from the shared indicators of the apps that own the facts; this module only groups
them per merchant × category × tag and decides pass / fail. ONE statement whatever the number of
merchants (``month_results_sql``), built from the indicators' own queries:

1. the evaluated holdings (monitored tags held during the month, or in rectification for it);
2. orders paid in the month per merchant (the denominator of both rates), from the monthly rollup;
3. the month's fault complaints (a small share of orders), each counted for the merchant's holdings
   whose tag it names or whose category its order is in; complaints under appeal at the cut-off
   (their own appeal, or their breach's) are left out and counted apart;
4. refund disputes per merchant;
5. DSR ratings per merchant over the window ending with the month (≤ N per shopper per month), from
   the monthly rating rollup (and the daily one for the window's first, partial month);

and the judgement of each holding in SQL (``judgement_sql``: integer comparisons, exact on every
backend). The run inserts the statement's rows into the result table without reading them; the dry
run, a re-evaluation and the what-if read them. Breaches under appeal at the cut-off are listed
apart (``month_exclusions``): they feed no metric of the evaluation.

The rollups are brought up to date first (``evaluation_compute`` runs ``rollups_refresh``).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import product
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Q, QuerySet, Sum

from commitments.indicators import paid_orders_by_merchant
from commitments.models import BreachAppeal
from complaints.indicators import fault_complaints, refund_disputes_by_merchant
from complaints.models import Appeal
from core.bulk import filter_any_of, json_text
from core.periods import calendar_month
from tags.models import TagHolding

from ..models import EvaluationResult, EvaluationRules, MonthRollup, RatingDay, RatingMonth

# Plain strings (the choices' values), written into the judgement's SQL.
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


@dataclass(frozen=True)
class Exclusion:
    merchant_id: int
    kind: str  # "complaint" | "breach"
    object_id: int
    order_external_id: str


# --- the queries the statement is built from -------------------------------------------------------


def evaluated_holdings(*, period: date, merchant_ids=None) -> QuerySet:
    """Monitored tags held during the month (granted before its end), and those in rectification for it:
    rows (id, merchant_id, category_id, tag_id, state)."""
    _start, end = month_bounds(period)
    qs = TagHolding.objects.filter(tag__monitored=True).filter(
        Q(state=TagHolding.State.ACTIVE, granted_at__lt=end)
        | Q(state=TagHolding.State.RECTIFYING, rectification_month=period)
    )
    return (
        filter_any_of(qs, merchant_ids)
        .order_by()
        .values_list("pk", "merchant_id", "category_id", "tag_id", "state")
    )


def month_orders(*, period: date) -> QuerySet:
    """Rows (merchant_id, n): the orders paid in the month (the denominator of both rates), from the
    monthly rollup (``scoring.services.months``: the daily rollups' orders by local paid day, summed)."""
    qs = MonthRollup.objects.filter(month=period.replace(day=1))
    return qs.values("merchant_id").annotate(n=Sum("orders")).order_by().values_list("merchant_id", "n")


def dsr_by_merchant_sql(*, period: date, rules: EvaluationRules, merchant_ids=None) -> tuple[str, list]:
    """A SELECT of rows (merchant_id, p, i, n): the sum of the item scores, the number of item scores and
    the ratings counted over the `dsr_window_days` local days ending with the month, at most
    `dsr_max_per_shopper_month` ratings per shopper per calendar month
    (``commitments.indicators.dsr_ranked``): the window's whole months from the monthly rating rollup,
    the days of its first, partial month from the daily one."""
    month = calendar_month(period.year, period.month)
    first_day = month.last_day - timedelta(days=rules.dsr_window_days - 1)
    whole_from = first_day if first_day.day == 1 else add_months(first_day, 1)
    cap = rules.dsr_max_per_shopper_month
    parts = []
    if whole_from <= period:
        parts.append(RatingMonth.objects.filter(month__gte=whole_from, month__lte=period, rank__lte=cap))
    if first_day < whole_from:
        last_day = min(whole_from - timedelta(days=1), month.last_day)
        parts.append(RatingDay.objects.filter(day__gte=first_day, day__lte=last_day, rank__lte=cap))
    grouped = [
        filter_any_of(qs, merchant_ids)
        .values("merchant_id")
        .annotate(p=Sum("points"), i=Sum("items"), n=Sum("ratings"))
        .order_by()
        .values_list("merchant_id", "p", "i", "n")
        for qs in parts
    ]
    union = grouped[0].union(*grouped[1:], all=True) if len(grouped) > 1 else grouped[0]
    sql, params = union.query.sql_with_params()
    return (
        f"SELECT u.merchant_id, SUM(u.p) AS p, SUM(u.i) AS i, SUM(u.n) AS n FROM ({sql}) u GROUP BY u.merchant_id",
        list(params),
    )


def dsr_by_merchant(*, period: date, rules: EvaluationRules, merchant_ids=None) -> list[tuple]:
    """The rows of ``dsr_by_merchant_sql``."""
    sql, params = dsr_by_merchant_sql(period=period, rules=rules, merchant_ids=merchant_ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _month_faults(*, start: datetime, end: datetime, merchant_ids) -> QuerySet:
    """Rows (merchant_id, order_id, tag_id, category_id, complaint appeal state, breach appeal state)."""
    return (
        fault_complaints(start=start, end=end, merchant_ids=merchant_ids)
        .order_by()
        .values_list(
            "merchant_id",
            "order_id",
            "tag_id",
            "order__category_id",
            "appeal__state",
            "breach__appeal__state",
        )
    )


def month_exclusions(*, period: date, merchant_ids=None) -> list[Exclusion]:
    """The month's fault complaints and the breaches under appeal at the cut-off: left out and listed."""
    start, end = month_bounds(period)
    complaints = fault_complaints(start=start, end=end, merchant_ids=merchant_ids).filter(
        Q(appeal__state=Appeal.State.FILED) | Q(breach__appeal__state=BreachAppeal.State.SUBMITTED)
    )
    breaches = filter_any_of(
        BreachAppeal.objects.filter(
            state=BreachAppeal.State.SUBMITTED, breach__detected_at__lt=end, breach__counts_in_metrics=True
        ),
        merchant_ids,
    )
    return [
        Exclusion(merchant_id, "complaint", pk, external_id)
        for pk, merchant_id, external_id in complaints.order_by("pk").values_list(
            "pk", "merchant_id", "order__external_id"
        )
    ] + [
        Exclusion(merchant_id, "breach", breach_id, external_id)
        for breach_id, merchant_id, external_id in breaches.order_by("breach_id").values_list(
            "breach_id", "merchant_id", "breach__commitment__order__external_id"
        )
    ]


# --- the judgement ------------------------------------------------------------------------------------


def _scaled(value: Decimal) -> tuple[int, int]:
    """`value` as (n, 10**places): value = n / 10**places exactly (a rule has a few decimal places)."""
    places = max(0, -int(value.as_tuple().exponent))
    scale = 10**places
    return int(value * scale), scale


def _big(sql: str) -> str:
    return f"CAST({sql} AS BIGINT)"


def judgement_sql(
    rules: EvaluationRules, *, orders: str, fault: str, disputes: str, points: str, items: str, ratings: str
) -> dict[str, str]:
    """How figures are judged, as SQL over the given column expressions: on_counts, fault_result,
    dsr_result, dispute_result (each 'pass' / 'fail' / 'not_judged'). Exact: the rules' decimals become
    integer ratios and every comparison is between integers (no rounding decides an outcome). The
    rules' numbers are written into the SQL as integers (validated settings, never text)."""
    small, small_fail = int(rules.small_sample_orders), int(rules.small_sample_fail_complaints)
    fault_n, fault_scale = _scaled(rules.fault_rate_fail_percent)
    dispute_n, dispute_scale = _scaled(rules.dispute_rate_fail_percent)
    dsr_n, dsr_scale = _scaled(rules.dsr_fail_below)
    return {
        "on_counts": f"({orders} < {small})",
        # rate ≥ p %  ⇔  fault × 100 ≥ p × orders
        "fault_result": (
            f"CASE WHEN {orders} < {small} THEN "
            f"CASE WHEN {fault} >= {small_fail} THEN '{FAILED}' ELSE '{PASSED}' END "
            f"WHEN {_big(fault)} * {100 * fault_scale} >= {_big(orders)} * {fault_n} THEN '{FAILED}' "
            f"ELSE '{PASSED}' END"
        ),
        # mean < m  ⇔  points < m × items
        "dsr_result": (
            f"CASE WHEN {ratings} >= {int(rules.dsr_min_ratings)} AND {items} > 0 THEN "
            f"CASE WHEN {_big(points)} * {dsr_scale} < {_big(items)} * {dsr_n} THEN '{FAILED}' "
            f"ELSE '{PASSED}' END ELSE '{NOT_JUDGED}' END"
        ),
        # rate > p %  ⇔  disputes × 100 > p × orders; not judged on counts
        "dispute_result": (
            f"CASE WHEN {orders} < {small} THEN '{NOT_JUDGED}' "
            f"WHEN {_big(disputes)} * {100 * dispute_scale} > {_big(orders)} * {dispute_n} THEN '{FAILED}' "
            f"ELSE '{PASSED}' END"
        ),
    }


def _failed_codes(fault: bool, dsr: bool, dispute: bool) -> list[str]:
    return [code for code, failed in ((FAULT, fault), (DSR, dsr), (DISPUTE, dispute)) if failed]


def outcome_sql(*, fault_result: str, dsr_result: str, dispute_result: str) -> dict[str, str]:
    """The outcome ('fail' when any metric fails) and the failed metrics (a JSON list of codes, in
    METRICS order), as SQL over the three results' columns."""
    tests = (fault_result, dsr_result, dispute_result)
    whens = " ".join(
        "WHEN "
        + " AND ".join(
            f"{column} {'=' if failed else '<>'} '{FAILED}'"
            for column, failed in zip(tests, flags, strict=True)
        )
        + f" THEN '{json_text(_failed_codes(*flags))}'"
        for flags in product((True, False), repeat=3)
    )
    any_failed = " OR ".join(f"{column} = '{FAILED}'" for column in tests)
    return {
        "outcome": f"CASE WHEN {any_failed} THEN '{FAILED}' ELSE '{PASSED}' END",
        "failed_metrics": f"CASE {whens} END",
    }


# --- the month's statement ------------------------------------------------------------------------------

# The columns of ``month_results_sql``, in order.
RESULT_COLUMNS = (
    "holding_id", "merchant_id", "category_id", "tag_id", "state", "orders", "fault", "excluded", "disputes",
    "dsr_points", "dsr_items", "dsr_ratings", "on_counts", "fault_result", "dsr_result", "dispute_result",
    "outcome", "failed_metrics",
)  # fmt: skip


def month_results_sql(*, period: date, rules: EvaluationRules, merchant_ids=None) -> tuple[str, list]:
    """One SELECT of every evaluated holding's figures and judgement for the month (RESULT_COLUMNS),
    with its parameters. `merchant_ids` None = all merchants, their orders from the rollups (brought up
    to date by the caller); otherwise (a re-evaluation, the what-if of a month in progress) the few
    merchants' orders are counted by their index."""
    start, end = month_bounds(period)
    if merchant_ids is None:
        orders = month_orders(period=period)
    else:
        orders = paid_orders_by_merchant(start=start, end=end, merchant_ids=merchant_ids)
    parts = (  # (name, columns, query): each a CTE, in this order
        ("h", "id, merchant_id, category_id, tag_id, state", evaluated_holdings(period=period, merchant_ids=merchant_ids)),
        ("o", "merchant_id, n", orders),
        ("d", "merchant_id, n", refund_disputes_by_merchant(start=start, end=end, merchant_ids=merchant_ids)),
        ("r", "merchant_id, p, i, n", dsr_by_merchant_sql(period=period, rules=rules, merchant_ids=merchant_ids)),
        ("c", "merchant_id, order_id, tag_id, category_id, appeal, breach_appeal",
         _month_faults(start=start, end=end, merchant_ids=merchant_ids)),
    )  # fmt: skip
    ctes, params = [], []
    for name, columns, query in parts:
        sql, query_params = query if isinstance(query, tuple) else query.query.sql_with_params()
        ctes.append(f"{name} ({columns}) AS ({sql})")
        params.extend(query_params)
    # Left out: under appeal at the cut-off (the complaint's own appeal, or its breach's).
    excluded = (
        f"(COALESCE(c.appeal, '') = '{Appeal.State.FILED.value}' "
        f"OR COALESCE(c.breach_appeal, '') = '{BreachAppeal.State.SUBMITTED.value}')"
    )
    # Most merchants have no fault complaint in a month: only their holdings are matched.
    faults = (
        f"SELECT h.id, COUNT(DISTINCT CASE WHEN NOT {excluded} THEN c.order_id END) AS n, "
        f"SUM(CASE WHEN {excluded} THEN 1 ELSE 0 END) AS excluded "
        "FROM h JOIN c ON c.merchant_id = h.merchant_id AND (c.tag_id = h.tag_id OR c.category_id = h.category_id) "
        "GROUP BY h.id"
    )
    figures = (
        "SELECT h.id AS holding_id, h.merchant_id, h.category_id, h.tag_id, h.state, "
        "COALESCE(o.n, 0) AS orders, COALESCE(f.n, 0) AS fault, COALESCE(f.excluded, 0) AS excluded, "
        "COALESCE(d.n, 0) AS disputes, COALESCE(r.p, 0) AS dsr_points, COALESCE(r.i, 0) AS dsr_items, "
        "COALESCE(r.n, 0) AS dsr_ratings "
        "FROM h LEFT JOIN o ON o.merchant_id = h.merchant_id LEFT JOIN d ON d.merchant_id = h.merchant_id "
        f"LEFT JOIN r ON r.merchant_id = h.merchant_id LEFT JOIN ({faults}) f ON f.id = h.id"
    )
    judged = judgement_sql(
        rules, orders="x.orders", fault="x.fault", disputes="x.disputes", points="x.dsr_points",
        items="x.dsr_items", ratings="x.dsr_ratings",
    )  # fmt: skip
    decided = outcome_sql(
        fault_result="y.fault_result", dsr_result="y.dsr_result", dispute_result="y.dispute_result"
    )
    sql = (
        f"WITH {', '.join(ctes)} "
        f"SELECT y.*, {decided['outcome']} AS outcome, {decided['failed_metrics']} AS failed_metrics FROM ("
        f"SELECT x.*, {', '.join(f'{sql} AS {name}' for name, sql in judged.items())} FROM ({figures}) x) y"
    )
    return sql, params


def month_results(*, period: date, rules: EvaluationRules, merchant_ids=None) -> list[tuple]:
    """The rows of ``month_results_sql`` (RESULT_COLUMNS), in no particular order."""
    sql, params = month_results_sql(period=period, rules=rules, merchant_ids=merchant_ids)
    with transaction.atomic(), connection.cursor() as cursor:
        plan_settings(cursor)
        cursor.execute(sql, params)
        return cursor.fetchall()


def plan_settings(cursor) -> None:
    """For the month's statement, inside its transaction: no JIT compilation on PostgreSQL (compiling
    it takes ~1 s, far more than it saves on 50,000 rows)."""
    if connection.vendor == "postgresql":
        cursor.execute("SET LOCAL jit = off")
