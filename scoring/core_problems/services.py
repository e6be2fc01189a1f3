"""The daily core-problems job: every merchant's negative events of the window, classified into
sub-problems, counted and stored in one set-based pass (a fixed number of queries, whatever the
number of merchants).

Events (each counted once; a (source, value) pair belongs to at most one sub-problem):
- help requests by scenario, at `requested_at`;
- refunds by reason category, at the refund request (or the refund when no request was seen);
- refunds with platform staff intervention (退款纠纷), at the refund;
- complaints by service standard, at filing, except withdrawn and rejected ones;
- ratings: each rating item at or below the low-rating cut (1–2★), at `rated_at`.

The window is the score's: `window_days` local days ending yesterday (Asia/Shanghai); "recent" is
its last `recent_days` days. The day's rows and its run record are replaced in one transaction, so
a rerun gives the same rows and a crash leaves the previous state.
"""

from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from commitments.indicators import paid_orders
from commitments.models import Order
from complaints.models import Complaint, HelpRequest
from core.metrics import Rate
from core.periods import local_midnight, local_today, rolling_window

from ..models import (
    SHARE_PLACES,
    CoreProblemResult,
    CoreProblemRun,
    EventSource,
    SubProblemRule,
)
from .selectors import core_problem_settings


def _classified(qs: QuerySet, *, key, mapping: dict[str, int], order_field: str, at) -> QuerySet | None:
    """`qs` as rows (merchant_id, order_id, at, subproblem_id) for the keys in `mapping`."""
    if not mapping:
        return None
    sp = Case(
        *[When(**{key: value}, then=Value(sp_id)) for value, sp_id in mapping.items()],
        output_field=IntegerField(),
    )
    return (
        qs.filter(**{f"{key}__in": list(mapping)})
        .annotate(ev_order=F(order_field), ev_at=at, ev_sp=sp)
        .order_by()
        .values_list("merchant_id", "ev_order", "ev_at", "ev_sp")
    )


def _event_querysets(*, start, end, rules, low_rating_max: int) -> list[QuerySet]:
    by_source: dict[str, dict[str, int]] = {}
    for rule in rules:
        by_source.setdefault(rule.source, {})[rule.value] = rule.subproblem_id
    parts = [
        _classified(
            HelpRequest.objects.filter(requested_at__gte=start, requested_at__lt=end),
            key="scenario",
            mapping=by_source.get(EventSource.HELP_REQUEST, {}),
            order_field="order_id",
            at=F("requested_at"),
        ),
        _classified(
            Complaint.objects.filter(filed_at__gte=start, filed_at__lt=end).exclude(
                state__in=[Complaint.State.WITHDRAWN, Complaint.State.REJECTED]
            ),
            key="standard__code",
            mapping=by_source.get(EventSource.COMPLAINT, {}),
            order_field="order_id",
            at=F("filed_at"),
        ),
    ]
    refund_at = Coalesce("refund_requested_at", "refunded_at")
    refunds = Order.objects.annotate(refund_at=refund_at).filter(refund_at__gte=start, refund_at__lt=end)
    parts.append(
        _classified(
            refunds,
            key="refund_reason",
            mapping=by_source.get(EventSource.REFUND_REASON, {}),
            order_field="id",
            at=F("refund_at"),
        )
    )
    dispute = by_source.get(EventSource.REFUND_DISPUTE, {}).get("staff_intervened")
    if dispute is not None:
        parts.append(
            Order.objects.filter(refund_staff_intervened=True, refunded_at__gte=start, refunded_at__lt=end)
            .annotate(
                ev_order=F("id"), ev_at=F("refunded_at"), ev_sp=Value(dispute, output_field=IntegerField())
            )
            .order_by()
            .values_list("merchant_id", "ev_order", "ev_at", "ev_sp")
        )
    rated = Order.objects.filter(rated_at__gte=start, rated_at__lt=end)
    for item, sp_id in by_source.get(EventSource.LOW_RATING, {}).items():
        field = f"rating_{item}"
        parts.append(
            rated.filter(**{f"{field}__isnull": False, f"{field}__lte": low_rating_max})
            .annotate(ev_order=F("id"), ev_at=F("rated_at"), ev_sp=Value(sp_id, output_field=IntegerField()))
            .order_by()
            .values_list("merchant_id", "ev_order", "ev_at", "ev_sp")
        )
    return [p for p in parts if p is not None]


def _union_sql(querysets: list[QuerySet]) -> tuple[str, list]:
    sqls, params = [], []
    for qs in querysets:
        sql, p = qs.query.sql_with_params()
        sqls.append(f"SELECT * FROM ({sql}) AS part{len(sqls)}")
        params.extend(p)
    return " UNION ALL ".join(sqls), params


def _aggregate(union_sql: str, params: list, *, recent_start, samples: int) -> tuple[list, list]:
    cte = f"WITH ev(merchant_id, order_id, at, sp) AS ({union_sql})"
    recent = connection.ops.adapt_datetimefield_value(recent_start)
    counts_sql = (
        f"{cte} SELECT merchant_id, sp, COUNT(*), COUNT(DISTINCT order_id), "
        "SUM(CASE WHEN at >= %s THEN 1 ELSE 0 END) FROM ev GROUP BY merchant_id, sp"
    )
    samples_sql = (
        f"{cte}, per_order AS (SELECT merchant_id, sp, order_id, MAX(at) AS last_at FROM ev "
        "GROUP BY merchant_id, sp, order_id), ranked AS (SELECT merchant_id, sp, order_id, "
        "ROW_NUMBER() OVER (PARTITION BY merchant_id, sp ORDER BY last_at DESC, order_id DESC) AS rn "
        f"FROM per_order) SELECT r.merchant_id, r.sp, o.external_id FROM ranked r "
        f"JOIN {Order._meta.db_table} o ON o.id = r.order_id WHERE r.rn <= %s "
        "ORDER BY r.merchant_id, r.sp, r.rn"
    )
    with connection.cursor() as cursor:
        cursor.execute(counts_sql, [*params, recent])
        counts = cursor.fetchall()
        cursor.execute(samples_sql, [*params, samples])
        sample_rows = cursor.fetchall()
    return counts, sample_rows


def core_problems_compute(*, day: date | None = None) -> CoreProblemRun:
    """Compute and store every merchant's core problems for `day` (default: today, local), over the
    window ending the day before. Idempotent: the day's rows are replaced."""
    day = day or local_today()
    rules_snapshot = core_problem_settings()
    window = rolling_window(rules_snapshot.window_days, today=day)
    recent_first = max(window.first_day, window.last_day - timedelta(days=rules_snapshot.recent_days - 1))
    rules = list(SubProblemRule.objects.filter(subproblem__active=True))
    querysets = _event_querysets(
        start=window.start, end=window.end, rules=rules, low_rating_max=rules_snapshot.low_rating_max
    )
    counts, sample_rows = [], []
    if querysets:
        union_sql, params = _union_sql(querysets)
        counts, sample_rows = _aggregate(
            union_sql, params, recent_start=local_midnight(recent_first), samples=rules_snapshot.sample_orders
        )
    samples: dict[tuple[int, int], list[str]] = {}
    for merchant_id, sp, external_id in sample_rows:
        samples.setdefault((merchant_id, sp), []).append(external_id)
    merchant_ids = {row[0] for row in counts}
    orders = paid_orders(**window.bounds, merchant_ids=merchant_ids) if merchant_ids else {}
    results = []
    for merchant_id, sp, events, order_count, recent in counts:
        rate = Rate(order_count, orders.get(merchant_id, 0))
        results.append(
            CoreProblemResult(
                merchant_id=merchant_id,
                day=day,
                subproblem_id=sp,
                event_count=events,
                order_count=order_count,
                orders_in_window=rate.denominator,
                share=rate.value.quantize(SHARE_PLACES) if rate.value is not None else None,
                recent_count=recent or 0,
                sample_orders=samples.get((merchant_id, sp), []),
            )
        )
    with transaction.atomic():
        CoreProblemResult.objects.filter(day=day).delete()
        CoreProblemResult.objects.bulk_create(results, batch_size=2000)
        run, _ = CoreProblemRun.objects.update_or_create(
            day=day,
            defaults={
                "window_first_day": window.first_day,
                "window_last_day": window.last_day,
                "recent_days": rules_snapshot.recent_days,
                "merchants": len(merchant_ids),
                "rows": len(results),
                "finished_at": timezone.now(),
            },
        )
    return run
