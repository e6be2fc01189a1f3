"""The score windows kept as running sums of the rollups (``WindowSum``), so the daily job's cost
follows the day's changes rather than the 90 days of the window.

The sums are for one day T (``WindowState.day``): ``recent`` holds the rollups of T-90..T-1, ``lagged``
those of T-97..T-8 (``core.periods``). Three moves keep them equal to a sum of the rollups:

- ``windows_replace_delta(sign, scope)``: the rollup rows a re-aggregation replaces are taken out
  (sign -1, before they are deleted) and the new ones put in (+1, after they are inserted), in the
  re-aggregation's own transaction (``scoring.services.rollups``);
- ``windows_for(day)``: moving T forward adds the days entering each window and takes out the days
  leaving it; moving it back, or more than ``MAX_STEP`` days, or without a state, sums the rollups
  afresh. One transaction, the state row locked, so a crash leaves the sums and their day together;
- ``windows_reset()``: the full rebuild replaces every rollup, so the sums start again from nothing.

Each move is one ``INSERT … SELECT … ON CONFLICT DO UPDATE`` adding (or subtracting) grouped rollup
sums, whatever the number of merchants. A property test checks the sums against a fresh sum after
random re-aggregations and day moves.
"""

from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Q, QuerySet, Sum, Value
from django.db.models.fields import CharField

from core.periods import Period, lagged_window, rolling_window

from ..models import DailyRollup, WindowState, WindowSum

RECENT, LAGGED = WindowSum.Span.RECENT.value, WindowSum.Span.LAGGED.value
WINDOW_DAYS = 90
# Moving T further than this re-sums the rollups (the added and removed ranges would be as large).
MAX_STEP = 14


def windows_of(day: date) -> dict[str, Period]:
    return {RECENT: rolling_window(WINDOW_DAYS, today=day), LAGGED: lagged_window(today=day)}


def _grouped(span: str, scope: Q) -> QuerySet:
    return (
        DailyRollup.objects.filter(scope)
        .values("merchant_id", "category_id")
        .annotate(span=Value(span, output_field=CharField()), **{c: Sum(c) for c in DailyRollup.COUNTERS})
        .values("merchant_id", "category_id", "span", *DailyRollup.COUNTERS)
        .order_by()
    )


def _accumulate(sign: int, scopes: list[tuple[str, Q]]) -> None:
    """Add (sign +1) or subtract (-1) the rollups of each (span, scope) into the sums, one statement.
    A span appears at most once, so no sum row is touched twice by the statement."""
    if not scopes:
        return
    queries = [_grouped(span, scope) for span, scope in scopes]
    union = queries[0].union(*queries[1:], all=True) if len(queries) > 1 else queries[0]
    sql, params = union.query.sql_with_params()
    qn = connection.ops.quote_name
    table = qn(WindowSum._meta.db_table)
    counters = [qn(c) for c in DailyRollup.COUNTERS]
    values = ", ".join(f"{'-' if sign < 0 else ''}COALESCE(u.{c}, 0)" for c in counters)
    updates = ", ".join(f"{c} = {table}.{c} + EXCLUDED.{c}" for c in counters)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (merchant_id, category_id, span, {', '.join(counters)}) "
            f"SELECT u.merchant_id, u.category_id, u.span, {values} FROM ({sql}) u WHERE TRUE "
            f"ON CONFLICT (merchant_id, category_id, span) DO UPDATE SET {updates}",
            params,
        )


def _days(first: date, last: date) -> Q:
    return Q(day__gte=first, day__lte=last)


def _state(*, lock: bool) -> WindowState:
    state, _ = WindowState.objects.get_or_create(pk=1)
    if lock:
        state = WindowState.objects.select_for_update().get(pk=1)
    return state


def windows_replace_delta(sign: int, scope: Q) -> None:
    """Inside a re-aggregation's transaction: move the rollup rows of `scope` out of (-1) or into (+1)
    the windows of the current day, the parts of them that fall inside each window."""
    state = WindowState.objects.filter(pk=1).values_list("day", flat=True).first()
    if state is None:
        return
    scopes = [(span, scope & _days(w.first_day, w.last_day)) for span, w in windows_of(state).items()]
    _accumulate(sign, scopes)


def windows_moved_sql():
    """On PostgreSQL with window sums kept: a function (sign, statement, params) → (sql, params) that
    wraps a statement changing rollup rows and returning them (merchant_id, category_id, day, counters)
    so that those rows move into (+1) or out of (-1) the windows in the same statement, and the whole
    answers the number of rollup rows. Else None (``windows_replace_delta`` re-reads the rows)."""
    if connection.vendor != "postgresql":
        return None
    day = WindowState.objects.filter(pk=1).values_list("day", flat=True).first()
    if day is None:
        return None
    windows = windows_of(day)
    qn = connection.ops.quote_name
    table = qn(WindowSum._meta.db_table)
    counters = [qn(c) for c in DailyRollup.COUNTERS]
    updates = ", ".join(f"{c} = {table}.{c} + EXCLUDED.{c}" for c in counters)
    spans = [value for span, w in windows.items() for value in (span, w.first_day, w.last_day)]

    def wrap(sign: int, statement: str, params: list) -> tuple[str, list]:
        sums = ", ".join(f"{'-' if sign < 0 else ''}SUM(r.{c})" for c in counters)
        sql = (
            f"WITH changed AS ({statement}), moved AS ("
            f"INSERT INTO {table} (merchant_id, category_id, span, {', '.join(counters)}) "
            f"SELECT r.merchant_id, r.category_id, w.span, {sums} FROM changed r "
            "JOIN (VALUES (%s, %s::date, %s::date), (%s, %s::date, %s::date)) AS w(span, first_day, last_day) "
            "ON r.day BETWEEN w.first_day AND w.last_day GROUP BY r.merchant_id, r.category_id, w.span "
            f"ON CONFLICT (merchant_id, category_id, span) DO UPDATE SET {updates} RETURNING 1"
            ") SELECT COUNT(*) FROM changed"
        )
        return sql, [*params, *spans]

    return wrap


def windows_reset() -> None:
    """Forget the sums (the next ``windows_for`` sums the rollups afresh)."""
    with transaction.atomic():
        _state(lock=True)
        WindowState.objects.filter(pk=1).update(day=None)
        WindowSum.objects.all()._raw_delete(WindowSum.objects.db)


def _rebuild(day: date) -> None:
    WindowSum.objects.all()._raw_delete(WindowSum.objects.db)
    _accumulate(1, [(span, _days(w.first_day, w.last_day)) for span, w in windows_of(day).items()])


def _advance(old: date, new: date) -> None:
    """From the windows of `old` to those of `new` (later, by at most MAX_STEP days)."""
    before, after = windows_of(old), windows_of(new)
    entering, leaving = [], []
    for span in (RECENT, LAGGED):
        b, a = before[span], after[span]
        entering.append((span, _days(b.last_day + timedelta(days=1), a.last_day)))
        leaving.append((span, _days(b.first_day, a.first_day - timedelta(days=1))))
    _accumulate(1, entering)
    _accumulate(-1, leaving)
    # A sum whose rollups all left the windows (every rollup row counts at least one order).
    WindowSum.objects.filter(orders=0)._raw_delete(WindowSum.objects.db)


def windows_for(day: date) -> dict[int, dict]:
    """Per merchant, the sums of the windows of `day`: {"recent": sums, "lagged": sums, "by_category":
    {category: (recent orders, lagged orders)}} for every merchant with orders in either window."""
    with transaction.atomic():
        state = _state(lock=True)
        if state.day != day:
            if state.day is None or day < state.day or (day - state.day).days > MAX_STEP:
                _rebuild(day)
            else:
                _advance(state.day, day)
            WindowState.objects.filter(pk=1).update(day=day)
        rows = list(
            WindowSum.objects.filter(orders__gt=0).values_list(
                "merchant_id", "category_id", "span", *DailyRollup.COUNTERS
            )
        )
    out: dict[int, dict] = {}
    for merchant_id, category_id, span, *counters in rows:
        m = out.get(merchant_id)
        if m is None:
            zero = dict.fromkeys(DailyRollup.COUNTERS, 0)
            m = out[merchant_id] = {"recent": zero, "lagged": dict(zero), "by_category": {}}
        sums = m[span]
        for name, value in zip(DailyRollup.COUNTERS, counters, strict=True):
            sums[name] += value
        recent_orders, lagged_orders = m["by_category"].get(category_id, (0, 0))
        if span == RECENT:
            recent_orders = counters[0]
        else:
            lagged_orders = counters[0]
        m["by_category"][category_id] = (recent_orders, lagged_orders)
    return out
