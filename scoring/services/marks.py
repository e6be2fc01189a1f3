"""The marks ingestion leaves (``commitments.MetricsDirtyDay`` by paid day, ``RatingsDirtyDay`` by rating
day) read as the few statements that re-aggregate them, and spent once settled.

A day marked for a few merchants is re-aggregated for those (their index ranges); a day marked for
many (the day just closed) whole. Statements are filled up to a bind-parameter budget, so the number
of statements follows the marks, never one per merchant or per day.
"""

from datetime import date, datetime

from commitments.services.metrics import MARK_SETTLE

# A day marked for more merchants than this is re-aggregated whole (cheaper than a long IN list).
SPARSE_MERCHANTS = 2000
# Merchant ids per statement (each may appear twice in one): within every backend's parameter limit.
PARAMS_PER_STATEMENT = 6000

# What a statement re-aggregates: local day ranges [first, last], each for every merchant (None) or these.
Part = tuple[date, date, list[int] | None]


def marked_statements(marks) -> tuple[list[list[Part]], int]:
    """The marked merchant-days of the mark model `marks`, grouped into statements; and how many."""
    by_day: dict[date, list[int]] = {}
    for merchant_id, day in marks.objects.values_list("merchant_id", "day").order_by("day", "merchant_id"):
        by_day.setdefault(day, []).append(merchant_id)
    statements: list[list[Part]] = []
    budget = PARAMS_PER_STATEMENT
    for day, merchant_ids in sorted(by_day.items()):
        ids = merchant_ids if len(merchant_ids) <= SPARSE_MERCHANTS else None
        if not statements or budget + len(ids or ()) > PARAMS_PER_STATEMENT:
            statements.append([])
            budget = 0
        statements[-1].append((day, day, ids))
        budget += len(ids or ())
    return statements, sum(len(v) for v in by_day.values())


def marks_spend(marks, *, started: datetime, **scope) -> None:
    """Clear the marks settled before `started` (a younger one may belong to a transaction the job could
    not see yet: it stays for the next run)."""
    marks.objects.filter(marked_at__lte=started - MARK_SETTLE, **scope).delete()
