"""Daily rollups per merchant × category × local paid day, and their incremental maintenance.

``_replace(parts)`` re-aggregates local days from the order facts (all merchants, or only those given)
with one INSERT … SELECT joining two grouped queries, and replaces the days' rows. The daily job
(``rollups_refresh``) calls it only for the days ingestion and decisions marked
(``commitments.MetricsDirtyDay``); the full rebuild (``rollups_rebuild``) for every day. Both go
through the same function, so they agree by construction; a property test checks it on randomized
data.

What each counter counts, for orders paid that day (the facts are Order columns, docs/order-facts.md):

- orders; orders_live: not cancelled before a pickup scan;
- rating_n / rating_sum: orders with a product rating, and the ratings' sum; dsr_n / dsr_sum: orders
  with all three DSR items, and their sum;
- quality_refunds: refunded with reason quality or not_as_described;
- pickup_48h: first pickup scan within 48 h of payment;
- signed_n / sign_seconds: delivered orders, and the seconds from payment to delivery summed;
- logistics_exceptions: orders with a logistics exception event;
- negative_logistics: a 1–2★ logistics rating or a logistics help request (urge logistics, stalled);
- handled_n / handling_seconds: refunds requested and completed, and the seconds between summed;
- refund_disputes: refunds the platform's staff intervened in;
- help_orders: orders with at least one help request;
- dispatch_decided / dispatch_kept / dispatch_violations: dispatch-speed commitments decided, kept
  (``commitments.indicators`` rules), and broken as established by an upheld complaint (false
  shipment / out of stock);
- commitments_decided / commitments_kept: every commitment, the same rules.
"""

import operator
from datetime import date, datetime, timedelta
from functools import reduce

from django.db import connection, transaction
from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from commitments.indicators import COMMITMENT_BROKEN, COMMITMENT_KEPT, PICKUP_KINDS
from commitments.models import Breach, Commitment, MetricsDirtyDay, Order, RefundReason
from complaints.models import HelpRequest
from core.calendar import business_tz
from core.periods import local_date, local_midnight

from ..models import DailyRollup, MonthRollup
from .marks import Part, marked_statements, marks_spend
from .months import months_move, months_reset
from .ratings import ratings_refresh
from .windows import windows_moved_sql, windows_replace_delta, windows_reset

LOGISTICS_HELP = (HelpRequest.Scenario.URGE_LOGISTICS, HelpRequest.Scenario.LOGISTICS_STALLED)
# The full rebuild aggregates this many days per statement (bounded memory; at 10M orders over 120
# days one statement was faster than four of a month: each repeats the commitment and help-request
# hashes).
REBUILD_CHUNK_DAYS = 121
WEEK = 6  # days after the first: a range this long is aggregated as a bulk rebuild

ORDER_COUNTERS = DailyRollup.COUNTERS[:16]
COMMITMENT_COUNTERS = DailyRollup.COUNTERS[16:]
SECONDS = ("sign_seconds", "handling_seconds")


def _orders_in(parts: list[Part], prefix: str = "") -> Q:
    scope = []
    for first_day, last_day, merchant_ids in parts:
        part = Q(
            **{
                f"{prefix}paid_at__gte": local_midnight(first_day),
                f"{prefix}paid_at__lt": local_midnight(last_day + timedelta(days=1)),
            }
        )
        scope.append(part if merchant_ids is None else part & Q(**{f"{prefix}merchant_id__in": merchant_ids}))
    return reduce(operator.or_, scope)


def _bulk(parts: list[Part]) -> bool:
    """Weeks of every merchant's orders (the rebuild), rather than marked days."""
    return any(ids is None and (last - first).days >= WEEK for first, last, ids in parts)


def _rollups_in(parts: list[Part]) -> Q:
    scope = []
    for first_day, last_day, merchant_ids in parts:
        part = Q(day__gte=first_day, day__lte=last_day)
        scope.append(part if merchant_ids is None else part & Q(merchant_id__in=merchant_ids))
    return reduce(operator.or_, scope)


def _orders_aggregate(parts: list[Part]) -> QuerySet:
    """Per merchant × category × local paid day: the order counters (one grouped query)."""
    qs = Order.objects.filter(_orders_in(parts))
    helped = HelpRequest.objects.filter(order_id=OuterRef("pk"))
    refunded = Q(refunded_at__isnull=False)
    dsr = Q(rating_described__isnull=False, rating_attitude__isnull=False, rating_logistics__isnull=False)
    return (
        qs.annotate(local_day=TruncDate("paid_at", tzinfo=business_tz()))
        .values("merchant_id", "category_id", "local_day")
        .annotate(
            orders=Count("pk"),
            orders_live=Count("pk", filter=Q(cancelled_at__isnull=True) | Q(first_pickup_at__isnull=False)),
            rating_n=Count("pk", filter=Q(rating_product__isnull=False)),
            rating_sum=Sum("rating_product"),
            dsr_n=Count("pk", filter=dsr),
            dsr_sum=Sum(F("rating_described") + F("rating_attitude") + F("rating_logistics"), filter=dsr),
            quality_refunds=Count(
                "pk",
                filter=refunded & Q(refund_reason__in=[RefundReason.QUALITY, RefundReason.NOT_AS_DESCRIBED]),
            ),
            pickup_48h=Count("pk", filter=Q(first_pickup_at__lte=F("paid_at") + timedelta(hours=48))),
            signed_n=Count("pk", filter=Q(delivered_at__isnull=False)),
            sign_seconds=Sum(
                ExpressionWrapper(F("delivered_at") - F("paid_at"), output_field=DurationField()),
                filter=Q(delivered_at__isnull=False),
            ),
            logistics_exceptions=Count("pk", filter=Q(logistics_exception_at__isnull=False)),
            negative_logistics=Count(
                "pk", filter=Q(rating_logistics__lte=2) | Exists(helped.filter(scenario__in=LOGISTICS_HELP))
            ),
            handled_n=Count("pk", filter=refunded & Q(refund_requested_at__isnull=False)),
            handling_seconds=Sum(
                ExpressionWrapper(F("refunded_at") - F("refund_requested_at"), output_field=DurationField()),
                filter=refunded & Q(refund_requested_at__isnull=False),
            ),
            refund_disputes=Count("pk", filter=refunded & Q(refund_staff_intervened=True)),
            help_orders=Count("pk", filter=Exists(helped)),
        )
        .values("merchant_id", "category_id", "local_day", *ORDER_COUNTERS)
        .order_by()
    )


def _commitments_aggregate(parts: list[Part]) -> QuerySet:
    """Per merchant × category × local paid day of the order: the commitment counters."""
    if _bulk(parts):  # weeks of orders: joined on the paid_at range, hashed (a third faster)
        qs = Commitment.objects.filter(_orders_in(parts, prefix="order__"))
    else:  # marked days: the orders as a subquery reach their commitments by the order_id index
        qs = Commitment.objects.filter(order__in=Order.objects.filter(_orders_in(parts)).values("pk"))
    dispatch = Q(terms_version__terms__kind__in=list(PICKUP_KINDS))
    return (
        qs.annotate(
            rollup_category=F("order__category_id"),
            local_day=TruncDate("order__paid_at", tzinfo=business_tz()),
        )
        .values("merchant_id", "rollup_category", "local_day")
        .annotate(
            dispatch_decided=Count("pk", filter=dispatch & (COMMITMENT_KEPT | COMMITMENT_BROKEN)),
            dispatch_kept=Count("pk", filter=dispatch & COMMITMENT_KEPT),
            dispatch_violations=Count(
                "pk", filter=dispatch & COMMITMENT_BROKEN & Q(breach__source=Breach.Source.COMPLAINT)
            ),
            commitments_decided=Count("pk", filter=COMMITMENT_KEPT | COMMITMENT_BROKEN),
            commitments_kept=Count("pk", filter=COMMITMENT_KEPT),
        )
        .values("merchant_id", "rollup_category", "local_day", *COMMITMENT_COUNTERS)
        .order_by()
    )


def _seconds_sql(column: str) -> str:
    """A summed duration as whole seconds (PostgreSQL: an interval; SQLite: microseconds)."""
    if connection.vendor == "postgresql":
        return f"COALESCE(FLOOR(EXTRACT(EPOCH FROM {column}))::bigint, 0)"
    return f"COALESCE({column} / 1000000, 0)"


def _insert_rollups(parts: list[Part], *, moved=None) -> int:
    """INSERT … SELECT the rollup rows of `parts` straight from the order facts (the two grouped queries
    joined in the database: no row passes through Python). `moved`: wraps the statement so that the
    rows it inserts also go into the score windows (``windows.windows_moved_sql``)."""
    qn = connection.ops.quote_name
    o_sql, o_params = _orders_aggregate(parts).query.sql_with_params()
    c_sql, c_params = _commitments_aggregate(parts).query.sql_with_params()
    columns = ["merchant_id", "category_id", "day", *DailyRollup.COUNTERS]
    select = [
        "o.merchant_id",
        "o.category_id",
        "o.local_day",
        *[(_seconds_sql(f"o.{c}") if c in SECONDS else f"COALESCE(o.{c}, 0)") for c in ORDER_COUNTERS],
        *[f"COALESCE(c.{c}, 0)" for c in COMMITMENT_COUNTERS],
    ]
    query = (
        f"SELECT {', '.join(f'{e} AS {qn(c)}' for e, c in zip(select, columns, strict=True))} "
        f"FROM ({o_sql}) o LEFT JOIN ({c_sql}) c "
        "ON c.merchant_id = o.merchant_id AND c.rollup_category = o.category_id AND c.local_day = o.local_day"
    )
    insert = f"INSERT INTO {qn(DailyRollup._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
    sql, params = insert + query, [*o_params, *c_params]
    staged = connection.vendor == "postgresql" and moved is None and _bulk(parts)
    if moved is not None:
        sql, params = moved(1, f"{sql} RETURNING {', '.join(qn(c) for c in columns)}", params)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # settings for this transaction only
            # The day's orders are a small share of the table: reach their commitments by the order_id
            # index rather than a scan of every commitment (the default cost assumes cold disks). JIT
            # compilation costs ~0.8 s per statement here and saves less than that.
            cursor.execute("SET LOCAL random_page_cost = 1.1")
            cursor.execute("SET LOCAL jit = off")
            # Rollups are derived from the facts: the commit need not wait for its WAL flush (a crash
            # loses at most the last moments of commits, in order, and leaves their marks in place).
            cursor.execute("SET LOCAL synchronous_commit = off")
            # A day's marked orders (~100,000 at 10M) are sorted for grouping: in memory, not on disk.
            cursor.execute("SET LOCAL work_mem = '64MB'")
            if _bulk(parts):
                # Weeks of every merchant's orders (the rebuild): hash-aggregate them in memory from a
                # bitmap scan of the paid_at range; the planner otherwise walks the whole (merchant,
                # paid_at) index for its sort order and spills the sort to disk (2.5× slower at 10M).
                cursor.execute("SET LOCAL work_mem = '256MB'")
                cursor.execute("SET LOCAL enable_indexscan = off")
        if staged:
            # PostgreSQL plans an INSERT … SELECT on one core; a CREATE TABLE … AS may scan, join and
            # aggregate on several. Weeks of orders are aggregated into a temporary table, then copied.
            cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
            cursor.execute(f"CREATE TEMPORARY TABLE {STAGE} ON COMMIT DROP AS {query}", params)
            cursor.execute(f"{insert}SELECT * FROM {STAGE}")
            written = cursor.rowcount
            cursor.execute(f"DROP TABLE {STAGE}")
            return written
        cursor.execute(sql, params)
        return cursor.fetchone()[0] if moved is not None else cursor.rowcount


STAGE = "scoring_rollup_stage"


def _replace(parts: list[Part]) -> int:
    """Delete and re-insert the rollup rows of `parts` (inside the caller's transaction), the score
    windows' running sums and the monthly rollups moved with them."""
    scope = _rollups_in(parts)
    existing = DailyRollup.objects.filter(scope)
    months_move(-1, scope)
    moved = windows_moved_sql()
    if moved is None:  # no window sums kept, or a backend without data-modifying CTEs
        windows_replace_delta(-1, scope)
        existing._raw_delete(existing.db)
        written = _insert_rollups(parts)
        windows_replace_delta(1, scope)
        months_move(1, scope)
        return written
    # The deleted and the inserted rows flow into the window sums in the same statements (no re-read).
    qn = connection.ops.quote_name
    compiler = existing.query.get_compiler(connection=connection)
    where_sql, where_params = compiler.compile(existing.query.where)  # the scope itself: its index ranges
    returning = ", ".join(qn(c) for c in ("merchant_id", "category_id", "day", *DailyRollup.COUNTERS))
    sql, params = moved(
        -1,
        f"DELETE FROM {qn(DailyRollup._meta.db_table)} WHERE {where_sql} RETURNING {returning}",
        list(where_params),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    written = _insert_rollups(parts, moved=moved)
    months_move(1, scope)
    return written


def rollups_refresh(*, now: datetime | None = None) -> int:
    """Re-aggregate every marked merchant-day, then clear the marks that were settled before we started.

    All marked days in one transaction and as few INSERT … SELECT statements as the bind-parameter
    budget allows (never one per merchant or per day): a day marked for a few merchants reads their
    orders by the (merchant, paid_at) index; a day marked for many (the day just closed) is
    re-aggregated whole. Returns the number of marked merchant-days. Safe to run twice; a crash leaves
    the marks in place for the next run.
    """
    now = now or timezone.now()
    statements, marked = marked_statements(MetricsDirtyDay)
    with transaction.atomic():
        for parts in statements:
            _replace(parts)
        marks_spend(MetricsDirtyDay, started=now)
        ratings_refresh(now=now)
    return marked


def rollups_rebuild(*, first_day: date | None = None, last_day: date, progress=None) -> int:
    """Re-aggregate every day from the first paid order (or first_day) to last_day, for every merchant,
    in one transaction: the rollups are emptied (TRUNCATE on PostgreSQL, not a delete row by row), then
    rebuilt a few months per statement. Other transactions reading the rollups wait for the commit and
    then see the new ones; a crash leaves the old ones in place. The marks settled before the start are
    then spent."""
    started = timezone.now()
    with transaction.atomic():
        windows_reset()  # every rollup is replaced: the running sums start again from them
        months_reset(MonthRollup)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {connection.ops.quote_name(DailyRollup._meta.db_table)}")
        else:
            DailyRollup.objects.all()._raw_delete(DailyRollup.objects.db)
        if first_day is None:
            first = Order.objects.order_by("paid_at").values_list("paid_at", flat=True).first()
            if first is None:
                return 0
            first_day = local_date(first)
        chunks = []
        start = first_day
        while start <= last_day:
            chunks.append((start, min(last_day, start + timedelta(days=REBUILD_CHUNK_DAYS - 1))))
            start += timedelta(days=REBUILD_CHUNK_DAYS)
        written = 0
        for first, last in progress(chunks) if progress else chunks:
            written += _replace([(first, last, None)])
        marks_spend(MetricsDirtyDay, started=started, day__lte=last_day)
    return written
