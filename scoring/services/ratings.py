"""The rating rollup (``RatingDay``): shop ratings (DSR) per merchant × local rating day × rank, read by
the monthly evaluation (the DSR of a window is the sum of its days' rows with rank ≤ the per-shopper
cap, SPEC §8).

Ingestion keeps each rating's rank (``Order.dsr_rank``: its place among the shopper's ratings of the
merchant in the local calendar month) and marks the merchant × rating days whose ratings or ranks it
changed (``commitments.RatingsDirtyDay``). ``ratings_refresh`` re-aggregates the marked days from those
columns (the daily job calls it inside ``rollups_refresh``), ``ratings_rebuild`` every day in one
statement; both through the same ``INSERT … SELECT``, so they agree by construction.
"""

import operator
from datetime import datetime, timedelta
from functools import reduce

from django.db import connection, transaction
from django.db.models import Count, F, IntegerField, Max, Min, Q, QuerySet, Sum, Value
from django.db.models.functions import Least, TruncDate
from django.utils import timezone

from commitments.indicators import dsr_items, dsr_points
from commitments.models import Order, RatingsDirtyDay
from core.calendar import business_tz
from core.periods import local_date, local_midnight

from ..models import RatingDay, RatingMonth
from .marks import Part, marked_statements, marks_spend
from .months import months_reset, rating_months_move


def _scope(parts: list[Part], *, rollup: bool) -> Q:
    scope = []
    for first_day, last_day, merchant_ids in parts:
        if rollup:
            part = Q(day__gte=first_day, day__lte=last_day)
        else:
            part = Q(
                rated_at__gte=local_midnight(first_day), rated_at__lt=local_midnight(last_day + timedelta(1))
            )
        scope.append(part if merchant_ids is None else part & Q(merchant_id__in=merchant_ids))
    return reduce(operator.or_, scope)


def _aggregate(parts: list[Part]) -> QuerySet:
    """Per merchant × local rating day × rank (ranks above the cap together): the ratings' sums."""
    return (
        Order.objects.filter(_scope(parts, rollup=False), dsr_rank__isnull=False)
        .annotate(
            local_day=TruncDate("rated_at", tzinfo=business_tz()),
            rank_kept=Least(F("dsr_rank"), Value(RatingDay.RANK_CAP), output_field=IntegerField()),
        )
        .values("merchant_id", "local_day", "rank_kept")
        .annotate(points=Sum(dsr_points()), items=Sum(dsr_items()), ratings=Count("pk"))
        .values("merchant_id", "local_day", "rank_kept", "points", "items", "ratings")
        .order_by()
    )


def _replace(parts: list[Part]) -> int:
    """Delete and re-insert the rollup rows of `parts` (inside the caller's transaction), the monthly
    rating rollup moved with them."""
    scope = _scope(parts, rollup=True)
    rating_months_move(-1, scope)
    existing = RatingDay.objects.filter(scope)
    existing._raw_delete(existing.db)
    sql, params = _aggregate(parts).query.sql_with_params()
    qn = connection.ops.quote_name
    columns = ", ".join(qn(c) for c in ("merchant_id", "day", "rank", "points", "items", "ratings"))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL jit = off")  # compiling costs more than this statement
            cursor.execute("SET LOCAL synchronous_commit = off")  # derived data (scoring.services.rollups)
        cursor.execute(
            f"INSERT INTO {qn(RatingDay._meta.db_table)} ({columns}) "
            f"SELECT a.merchant_id, a.local_day, a.rank_kept, a.points, a.items, a.ratings FROM ({sql}) a",
            params,
        )
        written = cursor.rowcount
    rating_months_move(1, scope)
    return written


def ratings_refresh(*, now: datetime | None = None) -> int:
    """Re-aggregate every marked merchant × rating day in one transaction, as few statements as the
    parameter budget allows; clear the marks settled before the start. Returns the days marked."""
    now = now or timezone.now()
    statements, marked = marked_statements(RatingsDirtyDay)
    with transaction.atomic():
        for parts in statements:
            _replace(parts)
        marks_spend(RatingsDirtyDay, started=now)
    return marked


def ratings_rebuild(*, now: datetime | None = None) -> int:
    """Re-aggregate every rating day, from the first rating to the last, in one statement (one pass
    over the orders, hash-aggregated in memory); the marks settled before `now` are then spent.
    Returns the rows written."""
    now = now or timezone.now()
    span = Order.objects.filter(dsr_rank__isnull=False).aggregate(first=Min("rated_at"), last=Max("rated_at"))
    written = 0
    with transaction.atomic():
        RatingDay.objects.all()._raw_delete(RatingDay.objects.db)
        months_reset(RatingMonth)
        if span["first"] is not None:
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL work_mem = '256MB'")
            written = _replace([(local_date(span["first"]), local_date(span["last"]), None)])
        marks_spend(RatingsDirtyDay, started=now)
    return written
