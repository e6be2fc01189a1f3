"""Benchmark: one month's evaluation, its dry run, and a hand-written SQL reference of the same metrics.

    make bench-evaluation        # 10M orders, 20,000 merchants
    .venv/bin/python bench/evaluation.py [--merchants 20000] [--orders 10000000] [--days 120] [--keep]

Uses its own database (``bench_evaluation``, dropped and re-created) on the PostgreSQL server of
BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432). The data is the score benchmark's
marketplace (``bench/datasets.py``: Zipf-skewed merchants, order facts as columns, ~40 % rated,
4 % refunded, 5 % of refunds with staff intervention) for `--days` days ending with the evaluated
month, plus what only the evaluation reads (``add_evaluation_facts``): every merchant holds the
monitored tags of its category's badge, and upheld merchant-at-fault complaints on 1 order in 1,000
(1 in 100 more for every 20th merchant, so those fail). Prints the three timings, the ratio, and whether
the stored figures equal the reference's for every holding.

`--keep` measures again on the database the last run left (no 45-minute generation): what that run
changed is undone first, so the same month is evaluated with the same work.
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB", "bench_evaluation")
PERIOD = date(2026, 9, 1)  # the evaluated month


def _recreate_database(template: str | None = None) -> None:
    sys.path.insert(0, str(ROOT))
    from bench.datasets import recreate_database

    recreate_database(PG_URL, DB_NAME, template=template)


def _django() -> None:
    os.environ.update(
        {
            "DATABASE_URL": f"{PG_URL}/{DB_NAME}",
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-secret",
            "LOG_LEVEL": "ERROR",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _from_template() -> date:
    """The score benchmark's database copied whole: the evaluated month is its last complete month."""
    from django.db import connection

    from bench.datasets import add_evaluation_facts, marketplace_of
    from core.periods import local_date
    from scoring.evaluation.metrics import add_months, month_bounds

    last = local_date(_one_value("SELECT max(paid_at) FROM commitments_order"))
    period = last.replace(day=1) if add_months(last, 1) - timedelta(days=1) == last else add_months(last, -1)
    start, end = month_bounds(period)
    with connection.cursor() as cur:
        t0 = time.monotonic()
        add_evaluation_facts(
            cur, marketplace_of(cur), start=start, end=end, granted=start - timedelta(days=90)
        )
        print(f"holdings, badges, complaints: {time.monotonic() - t0:.0f} s", flush=True)
    return period


def _one_value(sql: str):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(sql)
        return cur.fetchone()[0]


def _generate(*, merchants: int, orders: int, days: int) -> None:
    """The score benchmark's marketplace (bench/datasets.py), ending with the evaluated month, plus the
    holdings, badges and upheld complaints the evaluation reads."""
    from django.db import connection

    from bench.datasets import add_evaluation_facts, generate_marketplace
    from core.periods import local_date
    from scoring.evaluation.metrics import month_bounds
    from scoring.models import DailyRollup, RatingDay
    from scoring.services.ratings import ratings_rebuild
    from scoring.services.rollups import rollups_rebuild

    start, end = month_bounds(PERIOD)
    with connection.cursor() as cur:
        cur.execute("SELECT setseed(0.42)")
        t0 = time.monotonic()
        market = generate_marketplace(cur, orders=orders, merchants=merchants, days=days, end=end)
        print(
            f"{orders:,} orders over {days} days for {merchants:,} merchants: {time.monotonic() - t0:.0f} s"
        )
        t0 = time.monotonic()
        add_evaluation_facts(cur, market, start=start, end=end, granted=start - timedelta(days=90))
        print(f"holdings, badges, complaints: {time.monotonic() - t0:.0f} s", flush=True)
    # A running deployment keeps its rollups (the daily score job): built once here, as
    # `score_recompute --full` does, so the evaluation finds them as it would in production.
    t0 = time.monotonic()
    rollups_rebuild(last_day=local_date(end) - timedelta(days=1))
    ratings_rebuild()
    with connection.cursor() as cur:  # as autovacuum leaves a running deployment's tables
        cur.execute(f"VACUUM ANALYZE {DailyRollup._meta.db_table}, {RatingDay._meta.db_table}")
    print(f"daily rollups and rating rollup: {time.monotonic() - t0:.0f} s", flush=True)


def _undo_run(period: date) -> None:
    """`--keep`: put the database back as the last run of the month found it, so that the month is
    evaluated again with the same work (every generated holding and badge was active): its results and
    run go, the holdings it moved are active again, the badges it took are back, and what it wrote
    since it started (history, badge events, audit, notices, course assignments) is deleted."""
    from django.db import connection

    from core.models import AuditEvent
    from courses.models import CourseAssignment
    from merchants.models import Notice
    from scoring.models import EvaluationExclusion, EvaluationResult, EvaluationRun
    from tags.models import BadgeEvent, BadgeHolding, HoldingEvent, TagHolding

    with connection.cursor() as cur:
        cur.execute(f"SELECT started_at FROM {EvaluationRun._meta.db_table} WHERE period = %s", [period])
        found = cur.fetchone()
    if found is None:
        return
    started = found[0]
    t = {m.__name__: m._meta.db_table for m in (
        AuditEvent, CourseAssignment, Notice, EvaluationExclusion, EvaluationResult, EvaluationRun,
        BadgeEvent, BadgeHolding, HoldingEvent, TagHolding,
    )}  # fmt: skip
    with connection.cursor() as cur:
        for sql in (
            f"DELETE FROM {t['EvaluationExclusion']} WHERE period = %(period)s",
            f"DELETE FROM {t['EvaluationResult']} WHERE period = %(period)s",
            f"DELETE FROM {t['EvaluationRun']} WHERE period = %(period)s",
            f"UPDATE {t['TagHolding']} SET state = 'active', ended_at = NULL, rectification_month = NULL, "
            "barred_until = NULL WHERE state <> 'active'",
            f"DELETE FROM {t['HoldingEvent']} WHERE at >= %(t)s",
            f"DELETE FROM {t['BadgeEvent']} WHERE at >= %(t)s",
            f"UPDATE {t['BadgeHolding']} SET active = true WHERE NOT active AND updated_at >= %(t)s",
            f"DELETE FROM {t['AuditEvent']} WHERE created_at >= %(t)s",
            f"DELETE FROM {t['Notice']} WHERE created_at >= %(t)s",
            f"DELETE FROM {t['CourseAssignment']} WHERE created_at >= %(t)s",
        ):
            cur.execute(sql, {"t": started, "period": period})
        cur.execute("VACUUM ANALYZE " + ", ".join(t.values()))


REFERENCE_SQL = """
WITH bounds AS (SELECT %(start)s::timestamptz AS s, %(end)s::timestamptz AS e, %(dsr_start)s::timestamptz AS ds),
orders AS (
    SELECT merchant_id, count(*) AS n FROM commitments_order, bounds
    WHERE paid_at >= s AND paid_at < e GROUP BY merchant_id
),
faults AS (
    SELECT h.id AS holding_id, count(DISTINCT c.order_id) AS n
    FROM complaints_complaint c
    JOIN commitments_order o ON o.id = c.order_id
    JOIN tags_tagholding h ON h.merchant_id = c.merchant_id AND (h.tag_id = c.tag_id OR h.category_id = o.category_id)
    LEFT JOIN complaints_appeal a ON a.complaint_id = c.id
    CROSS JOIN bounds
    WHERE c.state = 'upheld' AND c.responsibility = 'merchant' AND c.counts_in_metrics
      AND c.decided_at >= s AND c.decided_at < e AND (a.state IS NULL OR a.state <> 'filed')
    GROUP BY h.id
),
disputes AS (
    SELECT o.merchant_id, count(*) AS n
    FROM commitments_order o, bounds
    WHERE o.refund_staff_intervened AND o.refunded_at >= s AND o.refunded_at < e
    GROUP BY o.merchant_id
),
ranked AS (
    SELECT merchant_id, rated_at,
           coalesce(rating_described, 0) + coalesce(rating_attitude, 0) + coalesce(rating_logistics, 0) AS points,
           (rating_described IS NOT NULL)::int + (rating_attitude IS NOT NULL)::int
             + (rating_logistics IS NOT NULL)::int AS items,
           row_number() OVER (PARTITION BY merchant_id, shopper_ref,
                              date_trunc('month', rated_at AT TIME ZONE 'Asia/Shanghai')
                              ORDER BY rated_at, id) AS nth
    FROM commitments_order, bounds
    -- ranked within their whole calendar month: from the local start of the window's first month
    WHERE rated_at >= date_trunc('month', ds AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai'
      AND rated_at < e
      AND (rating_described IS NOT NULL OR rating_attitude IS NOT NULL OR rating_logistics IS NOT NULL)
),
dsr AS (
    SELECT merchant_id, sum(points) AS points, sum(items) AS items, count(*) AS ratings
    FROM ranked, bounds WHERE nth <= 3 AND rated_at >= ds GROUP BY merchant_id
)
SELECT h.id, coalesce(o.n, 0), coalesce(f.n, 0), coalesce(d.n, 0), coalesce(r.points, 0), coalesce(r.items, 0),
       coalesce(r.ratings, 0)
FROM tags_tagholding h
JOIN tags_tag t ON t.id = h.tag_id AND t.monitored
LEFT JOIN orders o ON o.merchant_id = h.merchant_id
LEFT JOIN faults f ON f.holding_id = h.id
LEFT JOIN disputes d ON d.merchant_id = h.merchant_id
LEFT JOIN dsr r ON r.merchant_id = h.merchant_id
WHERE h.state = 'active'
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--merchants", type=int, default=20000)
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=120, help="days of orders, ending with the month")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="reuse the database of the last run (what that run changed is undone)",
    )
    parser.add_argument(
        "--template", help="copy this database (the score benchmark's, msp_score) instead of generating"
    )
    parser.add_argument(
        "--profile", action="store_true", help="print where the full evaluation spends its time"
    )
    args = parser.parse_args()
    if not args.keep:
        _recreate_database(template=args.template)
    _django()
    from django.core.management import call_command
    from django.db import connection

    from scoring.evaluation.metrics import month_bounds
    from scoring.evaluation.services import evaluation_compute, evaluation_run
    from scoring.models import EvaluationResult

    period = PERIOD
    if args.keep:
        _undo_run(PERIOD)  # evaluate the month again, with the same work
        args.orders = _one_value("SELECT count(*) FROM commitments_order")
        args.merchants = _one_value("SELECT count(DISTINCT merchant_id) FROM commitments_order")
    elif args.template:
        call_command("migrate", verbosity=0)
        period = _from_template()
        args.orders = _one_value("SELECT count(*) FROM commitments_order")
        args.merchants = _one_value("SELECT count(DISTINCT merchant_id) FROM commitments_order")
    else:
        call_command("migrate", verbosity=0)
        _generate(merchants=args.merchants, orders=args.orders, days=args.days)

    start, end = month_bounds(period)
    t0 = time.monotonic()
    with connection.cursor() as cur:
        cur.execute(REFERENCE_SQL, {"start": start, "end": end, "dsr_start": end - timedelta(days=180)})
        reference_rows = cur.fetchall()
    reference = time.monotonic() - t0

    t0 = time.monotonic()
    dry = evaluation_compute(period=period)
    dry_run = time.monotonic() - t0

    profiler = cProfile.Profile() if args.profile else None
    t0 = time.monotonic()
    if profiler:
        profiler.enable()
    run = evaluation_run(period=period)
    full = time.monotonic() - t0
    if profiler:
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(45)

    same = {row[0]: tuple(row[1:]) for row in reference_rows} == {
        r.holding_id: (
            r.orders,
            r.fault_numerator,
            r.dispute_numerator,
            r.dsr_numerator,
            r.dsr_denominator,
            r.dsr_ratings,
        )
        for r in EvaluationResult.objects.filter(period=period)
    }
    print(
        f"\n{args.merchants} merchants, {args.orders:,} orders over {args.days} days; month {period:%Y-%m}: "
        f"{run.evaluated} tags evaluated, {run.failed} failed ({run.revoked} revoked)\n"
        f"reference SQL (same metrics)  {reference:8.2f} s\n"
        f"dry run (nothing written)     {dry_run:8.2f} s   ({len(dry.drafts)} results)\n"
        f"full evaluation (run)         {full:8.2f} s   ratio to reference {full / reference:.2f}\n"
        f"figures identical to the reference: {same}"
    )


if __name__ == "__main__":
    main()
