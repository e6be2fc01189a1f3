"""The monthly rollups (``MonthRollup``, ``RatingMonth``) kept as running sums of the daily ones, so
that a month's evaluation reads about one row per merchant instead of one per merchant and day.

A monthly row is the sum of the daily rows of its month. Re-aggregating daily rows keeps that true
by moving what changed, inside the re-aggregation's transaction:

1. ``sign`` -1, before the daily rows of the scope are deleted: their sums per month go into a
   temporary table, negated;
2. +1, after the new ones are inserted: their sums go in too, and the net change of each month is
   added to it by one ``INSERT … SELECT … ON CONFLICT DO UPDATE``, leaving out the months whose
   net change is nil.

Most re-aggregated days are late facts (a rating, a refund) that change no order count: only the day
just closed moves its months, one row per merchant. A month whose daily rows all went keeps a row of
zeros (it adds nothing; deleting it would cost a scan). A full rebuild empties the monthly rows with
the daily ones (``months_reset``), then puts every new daily row in. A property test checks the sums
against a fresh sum after random re-aggregations across month ends.
"""

from django.db import connection
from django.db.models import Q, Sum
from django.db.models.functions import TruncMonth

from ..models import DailyRollup, MonthRollup, RatingDay, RatingMonth

# monthly model → (its daily model, the key columns besides the month)
_PAIRS = {
    MonthRollup: (DailyRollup, ("merchant_id", "category_id")),
    RatingMonth: (RatingDay, ("merchant_id", "rank")),
}


def _move(monthly, sign: int, scope: Q) -> None:
    daily, keys = _PAIRS[monthly]
    counters = monthly.COUNTERS
    grouped = (
        daily.objects.filter(scope)
        .annotate(month_of=TruncMonth("day"))
        .values(*keys, "month_of")
        .annotate(**{f"sum_{c}": Sum(c) for c in counters})
        .values_list(*keys, "month_of", *(f"sum_{c}" for c in counters))
        .order_by()
    )
    sql, params = grouped.query.sql_with_params()
    qn = connection.ops.quote_name
    table = qn(monthly._meta.db_table)
    delta = qn(f"{monthly._meta.db_table}_delta")
    columns = [*keys, "month", *counters]
    listed = ", ".join(qn(c) for c in columns)
    minus = "-" if sign < 0 else ""
    selected = ", ".join(
        [*(f"g.{qn(k)}" for k in keys), "g.month_of", *(f"{minus}g.sum_{c}" for c in counters)]
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # inside the re-aggregation's transaction
            cursor.execute("SET LOCAL jit = off")  # compiling costs ~1 s, far more than these rows
        if sign < 0:
            cursor.execute(f"DROP TABLE IF EXISTS {delta}")
            cursor.execute(f"CREATE TEMPORARY TABLE {delta} AS SELECT {listed} FROM {table} WHERE FALSE")
        cursor.execute(f"INSERT INTO {delta} ({listed}) SELECT {selected} FROM ({sql}) g", params)
        if sign < 0:
            return
        keyed = ", ".join(qn(c) for c in (*keys, "month"))
        sums = ", ".join(f"SUM({qn(c)})" for c in counters)
        changed = " OR ".join(f"SUM({qn(c)}) <> 0" for c in counters)
        updates = ", ".join(f"{qn(c)} = {table}.{qn(c)} + EXCLUDED.{qn(c)}" for c in counters)
        cursor.execute(
            f"INSERT INTO {table} ({listed}) SELECT {keyed}, {sums} FROM {delta} WHERE TRUE GROUP BY {keyed} "
            f"HAVING {changed} ON CONFLICT ({', '.join(qn(c) for c in ('month', *keys))}) DO UPDATE SET {updates}"
        )
        cursor.execute(f"DROP TABLE {delta}")


def months_move(sign: int, scope: Q) -> None:
    """Inside a re-aggregation of daily rollups: the ``DailyRollup`` rows of `scope` about to be
    replaced (-1), then the ones that replaced them (+1): their months are moved by the difference."""
    _move(MonthRollup, sign, scope)


def rating_months_move(sign: int, scope: Q) -> None:
    """The same for the ``RatingDay`` rows of `scope` and ``RatingMonth``."""
    _move(RatingMonth, sign, scope)


def months_reset(monthly) -> None:
    """Empty the monthly rows of `monthly` (its daily rows are being rebuilt from nothing)."""
    monthly.objects.all()._raw_delete(monthly.objects.db)
