"""Set-based writes shared by the ingestion and payment paths."""

from django.db import connection


def bulk_set(model, fields: list[str], rows: list[tuple], *, casts: dict[str, str]) -> None:
    """Set per-row values for many rows in one statement: (pk, *values) tuples.

    UPDATE … FROM (VALUES …) on PostgreSQL and SQLite ≥ 3.33 (Django's bulk_update builds a CASE per
    row and field, ten times slower for a batch of 1,000); other backends fall back to bulk_update.
    """
    if not rows:
        return
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    columns = [model._meta.get_field(name).column for name in fields]
    adapt = {
        name: (connection.ops.adapt_datetimefield_value if casts[name] == "timestamptz" else (lambda v: v))
        for name in fields
    }
    params = [
        value
        for row in rows
        for value in (row[0], *(adapt[n](v) for n, v in zip(fields, row[1:], strict=True)))
    ]
    if connection.vendor == "postgresql":
        row_sql = "(%s::bigint, " + ", ".join(f"%s::{casts[name]}" for name in fields) + ")"
        sql = (
            f"UPDATE {table} AS t SET "
            + ", ".join(f"{qn(col)} = v.{qn(col)}" for col in columns)
            + " FROM (VALUES "
            + ", ".join([row_sql] * len(rows))
            + f") AS v(id, {', '.join(qn(c) for c in columns)}) WHERE t.id = v.id"
        )
    elif connection.vendor == "sqlite":
        row_sql = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
        sql = (
            f"UPDATE {table} SET "
            + ", ".join(f"{qn(col)} = v.column{i + 2}" for i, col in enumerate(columns))
            + " FROM (VALUES "
            + ", ".join([row_sql] * len(rows))
            + f") AS v WHERE {table}.id = v.column1"
        )
    else:
        objs = []
        for row in rows:
            obj = model(pk=row[0])
            for name, value in zip(fields, row[1:], strict=True):
                setattr(obj, name, value)
            objs.append(obj)
        model.objects.bulk_update(objs, fields, batch_size=500)
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
