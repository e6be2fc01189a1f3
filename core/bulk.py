"""Multi-row INSERTs without the ORM's per-field preparation, for the few hot batch paths.

``bulk_create`` prepares every field of every object through the model layer (about 1 ms per row
for a 10-column model); a payment batch writes thousands of rows. This builds one parameterised
``INSERT … VALUES (…), (…) [RETURNING id]`` from plain tuples already in database form (amounts as
Decimal, times as aware datetimes, JSON as text). PostgreSQL and SQLite ≥ 3.35.

``copy_rows`` is the same for tables of hundreds of thousands of rows (a day's score figures): on
PostgreSQL one ``COPY … FROM STDIN`` stream (no bind parameters, no statement per chunk), elsewhere
``insert_rows``. On PostgreSQL ``insert_rows`` of many rows streams them the same way into a
temporary table first, then inserts them from it in one ``INSERT … SELECT`` (which can skip
conflicts and return values, as COPY cannot).

``field__any_of=values`` (``AnyOf``) filters by a long list of ids or keys bound as one parameter, for
the same paths: ``__in`` prepares and binds each of thousands of values apart.
"""

import io
import json
from datetime import date, datetime

from django.db import connection, transaction
from django.db.models import Field, ForeignObject, Lookup

MAX_PARAMS = 30_000  # below SQLite's 32,766 and PostgreSQL's 65,535 bind parameters


def insert_rows(
    table: str,
    columns: list[str],
    rows: list[tuple],
    *,
    returning: str | tuple[str, ...] | None = None,
    skip_conflicts: bool = False,
) -> list:
    """Insert `rows` into `table`; with `returning`, the values of that column (a tuple of columns:
    tuples of their values) for the rows inserted, in row order. With `skip_conflicts`, rows clashing
    with a unique constraint are left out, and so are their values."""
    if not rows:
        return []
    if connection.vendor == "postgresql" and len(rows) >= STAGED_FROM:
        return _insert_staged(table, columns, rows, returning=returning, skip_conflicts=skip_conflicts)
    qn = connection.ops.quote_name
    per = max(1, MAX_PARAMS // len(columns))
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    several = isinstance(returning, tuple)
    returned = returning if several else (returning,)
    out: list = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            sql = (
                f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) VALUES "
                + ", ".join([placeholder] * len(chunk))
                + (" ON CONFLICT DO NOTHING" if skip_conflicts else "")
                + (f" RETURNING {', '.join(qn(c) for c in returned)}" if returning else "")
            )
            cursor.execute(sql, [_adapt(value) for row in chunk for value in row])
            if returning:
                out.extend(cursor.fetchall() if several else (row[0] for row in cursor.fetchall()))
    return out


# From this many rows on, PostgreSQL: COPY into a temporary table, then one INSERT … SELECT (a statement
# of thousands of bound values costs more to send and parse than the stream and the temporary table).
STAGED_FROM = 200


def _insert_staged(table: str, columns: list[str], rows: list[tuple], *, returning, skip_conflicts) -> list:
    """``insert_rows`` through a temporary table (PostgreSQL), the rows numbered so that the values
    returned come back in row order."""
    qn = connection.ops.quote_name
    stage = qn(f"{table}_stage")
    listed = ", ".join(qn(c) for c in columns)
    several = isinstance(returning, tuple)
    returned = returning if several else (returning,)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {stage} ON COMMIT DROP AS "
            f"SELECT 0 AS row_number, {listed} FROM {qn(table)} WITH NO DATA"
        )
        cursor.copy_expert(
            f"COPY {stage} (row_number, {listed}) FROM STDIN",
            _CopyStream([(number, *row) for number, row in enumerate(rows)]),
        )
        cursor.execute(
            f"INSERT INTO {qn(table)} ({listed}) SELECT {listed} FROM {stage} ORDER BY row_number"
            + (" ON CONFLICT DO NOTHING" if skip_conflicts else "")
            + (f" RETURNING {', '.join(qn(c) for c in returned)}" if returning else "")
        )
        out = (cursor.fetchall() if several else [row[0] for row in cursor.fetchall()]) if returning else []
        cursor.execute(f"DROP TABLE {stage}")
    return out


def _adapt(value):
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return connection.ops.adapt_datefield_value(value)
    return value


def json_text(value) -> str:
    """A JSON column's value as text (what Django's JSONField stores)."""
    return json.dumps(value, ensure_ascii=False)


def _copy_text(value) -> str:
    """One value in COPY's text format: \\N for NULL, backslash escapes for the four special characters."""
    kind = type(value)
    if value is None:
        return "\\N"
    if kind is str:
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return value
    if kind is bool:
        return "t" if value else "f"
    if kind is date or kind is datetime:
        return value.isoformat()
    if isinstance(value, str):  # a str subclass (a choices member): its plain text
        return _copy_text(str.__str__(value))
    return str(value)  # int, Decimal: their str() is what COPY reads


class _CopyStream(io.TextIOBase):
    """The rows in COPY's text format, made a chunk at a time as the driver reads them: the server parses
    and stores one chunk while the next is being formatted (instead of the whole text first, then the
    whole load)."""

    CHUNK = 500  # rows per read

    def __init__(self, rows: list[tuple]):
        self._rows = rows
        self._next = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> str:
        start = self._next
        if start >= len(self._rows):
            return ""
        self._next = start + self.CHUNK
        lines = []
        for row in self._rows[start : self._next]:
            # Fast path: every value as str() (ints, Decimals, dates, datetimes and plain text are
            # already COPY text), None as \N, booleans as t / f. The row is formatted value by value
            # only when the line shows a special character inside a value (a backslash that is not
            # one of its \N, a tab too many, a line break).
            line = "\t".join(
                ["\\N" if v is None else ("t" if v else "f") if v.__class__ is bool else str(v) for v in row]
            )
            if (
                line.count("\t") != len(row) - 1
                or "\n" in line
                or "\r" in line
                or ("\\" in line and line.count("\\") != row.count(None))
            ):
                line = "\t".join([_copy_text(v) for v in row])
            lines.append(line)
        lines.append("")
        return "\n".join(lines)


def copy_rows(table: str, columns: list[str], rows: list[tuple]) -> int:
    """Insert many plain-tuple rows into `table` (COPY on PostgreSQL). Returns the number of rows."""
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        insert_rows(table, columns, rows)
        return len(rows)
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN", _CopyStream(rows)
        )
    return len(rows)


class AnyOf(Lookup):
    """``field__any_of=values``: membership in a long list of plain values (ids by the thousand, keys)
    sent as ONE parameter, where ``__in`` prepares every value through the field and binds each apart.
    PostgreSQL: ``= ANY(array)``; elsewhere the list as JSON (``json_each``). The values must already be
    in database form (ints, strings), in any iterable (a list, a set, a dict's keys)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*lhs_params, json.dumps(values)]


def filter_any_of(qs, values, field: str = "merchant_id"):
    """`qs` restricted to rows whose `field` is one of `values` (``any_of``), or all of it when `values`
    is None: the indicators' "these merchants, or every merchant"."""
    return qs.filter(**{f"{field}__any_of": list(values)}) if values is not None else qs


def install_lookups() -> None:
    """Register ``any_of`` on every field, foreign keys included (CoreConfig.ready)."""
    Field.register_lookup(AnyOf)
    ForeignObject.register_lookup(AnyOf)
