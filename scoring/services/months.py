"""The monthly rollups (``MonthRollup``, ``RatingMonth``) kept as running sums of the daily ones, so
that a month's evaluation reads about one row per merchant instead of one per merchant and day.

A monthly row is the sum of the daily rows of its month. Re-aggregating daily rows keeps that true
with two moves in the same transaction: the daily rows about to be replaced are taken out of their
months (``sign`` -1, before they are deleted) and the new ones put in (+1, after they are inserted).
Each move is one ``INSERT … SELECT … ON CONFLICT DO UPDATE`` adding (or subtracting) the rows of the
scope grouped by month, whatever the number of merchants. A month whose daily rows all went keeps a
row of zeros (it adds nothing; deleting it would cost a scan a day). A full rebuild empties the monthly rows with the daily ones (``months_reset``), then puts
every new daily row in. A property test checks the sums against a fresh sum after random
re-aggregations.
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
    minus = "-" if sign < 0 else ""
    selected = [*(f"g.{qn(k)}" for k in keys), "g.month_of", *(f"{minus}g.sum_{c}" for c in counters)]
    updates = ", ".join(f"{qn(c)} = {table}.{qn(c)} + EXCLUDED.{qn(c)}" for c in counters)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(qn(c) for c in (*keys, 'month', *counters))}) "
            f"SELECT {', '.join(selected)} FROM ({sql}) g WHERE TRUE "
            f"ON CONFLICT ({', '.join(qn(c) for c in ('month', *keys))}) DO UPDATE SET {updates}",
            params,
        )


def months_move(sign: int, scope: Q) -> None:
    """Inside a re-aggregation of daily rollups: move the ``DailyRollup`` rows of `scope` out of (-1)
    or into (+1) their months."""
    _move(MonthRollup, sign, scope)


def rating_months_move(sign: int, scope: Q) -> None:
    """The same for the ``RatingDay`` rows of `scope` and ``RatingMonth``."""
    _move(RatingMonth, sign, scope)


def months_reset(monthly) -> None:
    """Empty the monthly rows of `monthly` (its daily rows are being rebuilt from nothing)."""
    monthly.objects.all()._raw_delete(monthly.objects.db)
