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
    from scoring.models import DailyRollup, MonthRollup, RatingDay, RatingMonth
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
        tables = (DailyRollup, RatingDay, MonthRollup, RatingMonth)
        cur.execute(f"VACUUM ANALYZE {', '.join(t._meta.db_table for t in tables)}")
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


# The floor: what the month's evaluation must write, done by hand-written set-based SQL alone (no
# Python per row), in one transaction that is rolled back. Same rows as the run: the run record, a
# result per evaluated holding with its figures and judgement, then for each failed active holding
# the move to rectification with its history and audit row, the badges it takes with their history,
# a notice, and the course assigned for each failed metric with its audit row. Not included: the
# public badge cache (Redis) and the e-mails (queued after commit). `--floor` prints each statement's
# time; it is the least a design that keeps these tables and their indexes can take on this machine.
FLOOR_SQL = (
    ("run record", """
INSERT INTO scoring_evaluationrun (period, state, trigger, rule_version, thresholds, started_at, evaluated,
    passed, failed, revoked, restored, barred, excluded)
VALUES (%(period)s, 'applying', 'schedule', 1, %(thresholds)s::jsonb, %(now)s, 0, 0, 0, 0, 0, 0, 0)"""),
    ("figures, judgement and results of every holding", """
INSERT INTO scoring_evaluationresult (run_id, period, merchant_id, category_id, tag_id, holding_id,
    state_before, orders, on_counts, fault_numerator, fault_denominator, fault_result, dsr_numerator,
    dsr_denominator, dsr_ratings, dsr_result, dispute_numerator, dispute_denominator, dispute_result,
    excluded_complaints, thresholds, rule_version, outcome, failed_metrics, action, revision, applied_at)
WITH o AS (
    SELECT merchant_id, sum(orders) AS n FROM scoring_monthrollup WHERE month = %(period)s GROUP BY merchant_id
), r AS (
    SELECT merchant_id, sum(p) AS p, sum(i) AS i, sum(n) AS n FROM (
        SELECT merchant_id, points AS p, items AS i, ratings AS n FROM scoring_ratingmonth
        WHERE month BETWEEN %(dsr_whole_from)s AND %(period)s AND rank <= 3
        UNION ALL
        SELECT merchant_id, points, items, ratings FROM scoring_ratingday
        WHERE day BETWEEN %(dsr_first_day)s AND %(dsr_partial_last)s AND rank <= 3
    ) u GROUP BY merchant_id
), d AS (
    SELECT merchant_id, count(*) AS n FROM commitments_order
    WHERE refund_staff_intervened AND refunded_at >= %(start)s AND refunded_at < %(end)s GROUP BY merchant_id
), f AS (
    SELECT h.id, count(DISTINCT c.order_id) AS n
    FROM complaints_complaint c
    JOIN commitments_order co ON co.id = c.order_id
    JOIN tags_tagholding h ON h.merchant_id = c.merchant_id AND (h.tag_id = c.tag_id OR h.category_id = co.category_id)
    LEFT JOIN complaints_appeal a ON a.complaint_id = c.id
    WHERE c.state = 'upheld' AND c.responsibility = 'merchant' AND c.counts_in_metrics
      AND c.decided_at >= %(start)s AND c.decided_at < %(end)s AND (a.state IS NULL OR a.state <> 'filed')
    GROUP BY h.id
), x AS (
    SELECT h.id, h.merchant_id, h.category_id, h.tag_id, h.state, coalesce(o.n, 0) AS orders,
           coalesce(f.n, 0) AS fault, coalesce(d.n, 0) AS disputes, coalesce(r.p, 0) AS p,
           coalesce(r.i, 0) AS i, coalesce(r.n, 0) AS rn
    FROM tags_tagholding h
    JOIN tags_tag t ON t.id = h.tag_id AND t.monitored
    LEFT JOIN o ON o.merchant_id = h.merchant_id
    LEFT JOIN r ON r.merchant_id = h.merchant_id
    LEFT JOIN d ON d.merchant_id = h.merchant_id
    LEFT JOIN f ON f.id = h.id
    WHERE (h.state = 'active' AND h.granted_at < %(end)s) OR (h.state = 'rectifying' AND h.rectification_month = %(period)s)
), j AS (
    SELECT x.*, orders < 30 AS small,
        CASE WHEN orders < 30 THEN CASE WHEN fault >= 2 THEN 'fail' ELSE 'pass' END
             WHEN fault * 100 >= 0.50 * orders THEN 'fail' ELSE 'pass' END AS fr,
        CASE WHEN rn >= 50 AND i > 0 THEN CASE WHEN p < 4.60 * i THEN 'fail' ELSE 'pass' END
             ELSE 'not_judged' END AS dr,
        CASE WHEN orders < 30 THEN 'not_judged' WHEN disputes * 100 > 0.10 * orders THEN 'fail' ELSE 'pass' END AS sr
    FROM x
)
SELECT (SELECT id FROM scoring_evaluationrun WHERE period = %(period)s), %(period)s, merchant_id, category_id,
    tag_id, id, state, orders, small, fault, orders, fr, p, i, rn, dr, disputes, orders, sr, 0,
    %(thresholds)s::jsonb, 1, CASE WHEN 'fail' IN (fr, dr, sr) THEN 'fail' ELSE 'pass' END,
    to_jsonb(array_remove(ARRAY[CASE WHEN fr = 'fail' THEN 'fault_complaint_rate' END,
        CASE WHEN dr = 'fail' THEN 'dsr_mean' END, CASE WHEN sr = 'fail' THEN 'refund_dispute_rate' END], NULL)),
    CASE WHEN 'fail' IN (fr, dr, sr) OR state <> 'active' THEN 'pending' ELSE 'kept' END, 1,
    CASE WHEN 'fail' IN (fr, dr, sr) OR state <> 'active' THEN NULL ELSE %(now)s END
FROM j"""),
    ("failed active holdings to rectification", """
UPDATE tags_tagholding h SET state = 'rectifying', ended_at = %(now)s, updated_at = %(now)s,
    rectification_month = %(next_month)s
FROM scoring_evaluationresult r
WHERE r.period = %(period)s AND r.action = 'pending' AND r.outcome = 'fail' AND r.state_before = 'active'
  AND h.id = r.holding_id AND h.state = 'active'"""),
    ("their history", """
INSERT INTO tags_holdingevent (holding_id, at, kind, reason, reason_code, reason_params, actor_id)
SELECT r.holding_id, %(now)s, 'revoked', 'evaluation ' || %(month)s || ': failed ' || (r.failed_metrics->>0),
    'evaluation.failed', jsonb_build_object('month', %(month)s, 'metrics', r.failed_metrics), NULL
FROM scoring_evaluationresult r
WHERE r.period = %(period)s AND r.action = 'pending' AND r.outcome = 'fail' AND r.state_before = 'active'"""),
    ("badges that need a revoked tag", """
WITH lost AS (
    UPDATE tags_badgeholding b SET active = false, updated_at = %(now)s
    FROM tags_categorybadge cb
    WHERE b.active AND cb.id = b.badge_id AND EXISTS (
        SELECT 1 FROM scoring_evaluationresult r
        JOIN tags_categorybadge_required_tags rt ON rt.tag_id = r.tag_id AND rt.categorybadge_id = cb.id
        WHERE r.period = %(period)s AND r.action = 'pending' AND r.outcome = 'fail'
          AND r.state_before = 'active' AND r.merchant_id = b.merchant_id AND r.category_id = cb.category_id)
    RETURNING b.id
)
INSERT INTO tags_badgeevent (holding_id, at, kind, reason, reason_code, reason_params)
SELECT id, %(now)s, 'revoked', 'a required tag was revoked', 'badge.missing_tags_after',
    '{"cause": {"code": "badge.tag_revoked", "params": {"tag": "x"}}, "missing": ["a", "b"]}'::jsonb
FROM lost"""),
    ("audit of the moves", """
INSERT INTO core_auditevent (created_at, actor_label, verb, target_type, target_id, data, actor_id)
SELECT %(now)s, 'system', 'tag.holding_revoked', 'tags.tagholding', r.holding_id::text,
    jsonb_build_object('reason', 'evaluation ' || %(month)s || ': failed ' || (r.failed_metrics->>0),
        'rectification_month', %(next_month)s::text, 'badges', '{}'::jsonb), NULL
FROM scoring_evaluationresult r
WHERE r.period = %(period)s AND r.action = 'pending' AND r.outcome = 'fail' AND r.state_before = 'active'"""),
    ("notices", """
INSERT INTO merchants_notice (merchant_id, key, code, params, created_at, email_to)
SELECT r.merchant_id, 'evaluation:' || r.id || ':revoked:1', 'evaluation.revoked',
    jsonb_build_object('month', %(month)s, 'action', 'revoked', 'until', %(next_month)s::text,
        'on_counts', r.on_counts,
        'tag', jsonb_build_object('code', t.code, 'zh', t.name_zh, 'en', t.name_en),
        'category', jsonb_build_object('code', c.code, 'zh', c.name_zh, 'en', c.name_en),
        'failed', jsonb_build_array(jsonb_build_object('code', r.failed_metrics->>0,
            'numerator', r.fault_numerator, 'denominator', r.fault_denominator)),
        'thresholds', r.thresholds),
    %(now)s, m.contact_email
FROM scoring_evaluationresult r
JOIN tags_tag t ON t.id = r.tag_id
JOIN merchants_category c ON c.id = r.category_id
JOIN merchants_merchant m ON m.id = r.merchant_id
WHERE r.period = %(period)s AND r.action = 'pending' AND r.outcome = 'fail' AND r.state_before = 'active'
ON CONFLICT DO NOTHING"""),
    ("course assignments with their audit", """
WITH failed AS (
    SELECT DISTINCT r.merchant_id, m.code
    FROM scoring_evaluationresult r, jsonb_array_elements_text(r.failed_metrics) AS m(code)
    WHERE r.period = %(period)s AND r.outcome = 'fail'
), assigned AS (
    INSERT INTO courses_courseassignment (created_at, updated_at, metric_code, period, course_id, merchant_id)
    SELECT %(now)s, %(now)s, f.code, %(month)s,
        (SELECT id FROM courses_course WHERE metrics ? f.code ORDER BY sort_order, id LIMIT 1), f.merchant_id
    FROM failed f
    ON CONFLICT DO NOTHING
    RETURNING id, metric_code
)
INSERT INTO core_auditevent (created_at, actor_label, verb, target_type, target_id, data, actor_id)
SELECT %(now)s, 'system', 'course.assigned', 'courses.courseassignment', id::text,
    jsonb_build_object('course', 'std_logistics', 'metric', metric_code, 'period', %(month)s), NULL
FROM assigned"""),
    ("results marked applied", """
UPDATE scoring_evaluationresult SET action = 'revoked', action_until = %(next_month)s, applied_at = %(now)s
WHERE period = %(period)s AND action = 'pending' AND outcome = 'fail' AND state_before = 'active'"""),
    ("the run's counts", """
UPDATE scoring_evaluationrun u SET state = 'completed', finished_at = %(now)s, evaluated = s.evaluated,
    passed = s.passed, failed = s.failed, revoked = s.revoked
FROM (SELECT count(*) AS evaluated, count(*) FILTER (WHERE outcome = 'pass') AS passed,
             count(*) FILTER (WHERE outcome = 'fail') AS failed,
             count(*) FILTER (WHERE action = 'revoked') AS revoked
      FROM scoring_evaluationresult WHERE period = %(period)s) s
WHERE u.period = %(period)s"""),
)  # fmt: skip


def _floor(period: date) -> float:
    """Run FLOOR_SQL for the month in one transaction, rolled back; print and return the total time."""
    from django.db import connection, transaction
    from django.utils import timezone

    from core.bulk import json_text
    from core.periods import calendar_month
    from scoring.evaluation.metrics import add_months
    from scoring.evaluation.selectors import evaluation_settings

    month = calendar_month(period.year, period.month)
    params = {
        "period": period, "month": f"{period:%Y-%m}", "next_month": add_months(period, 1),
        "start": month.start, "end": month.end, "first_day": month.first_day, "last_day": month.last_day,
        "dsr_first_day": month.last_day - timedelta(days=179), "now": timezone.now(),
        "dsr_whole_from": add_months(month.last_day - timedelta(days=179), 1),
        "dsr_partial_last": add_months(month.last_day - timedelta(days=179), 1) - timedelta(days=1),
        "thresholds": json_text(evaluation_settings().thresholds()),
    }  # fmt: skip
    total = 0.0
    print("floor (hand-written set-based SQL, rolled back):")
    try:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SET LOCAL jit = off")  # as the evaluation's own statement
            for label, sql in FLOOR_SQL:
                t0 = time.monotonic()
                cur.execute(sql, params)
                took = time.monotonic() - t0
                total += took
                print(f"  {label:<48} {took:6.2f} s  ({cur.rowcount:,} rows)", flush=True)
            raise _RolledBack
    except _RolledBack:
        pass
    return total


class _RolledBack(Exception):
    pass


FLOOR_TABLES = (
    "scoring_evaluationrun", "scoring_evaluationresult", "tags_tagholding", "tags_holdingevent",
    "tags_badgeholding", "tags_badgeevent", "core_auditevent", "merchants_notice", "courses_courseassignment",
)  # fmt: skip


class _Timings:
    """`--timings`: wall-clock timers around the services the run calls (patched for the run only), the
    SQL they execute counted apart by an execute wrapper (COPY is not a statement: it counts as theirs)
    and the commits timed, without a profiler's overhead. With several apply workers
    (EVALUATION_APPLY_WORKERS) the times of the services they call add up the workers' times, which
    overlap: set EVALUATION_APPLY_WORKERS=1 to read them as parts of the run's wall time."""

    SERVICES = (
        ("scoring.evaluation.services", "_store", "the month's results computed and stored"),
        ("scoring.evaluation.services", "_pending_batch", "pending results read"),
        ("scoring.evaluation.services", "_apply_batch", "batches applied (before their commit)"),
        ("scoring.evaluation.services", "holdings_change_many", "  holding moves, history, badges, audit"),
        ("scoring.evaluation.services", "notices_create", "  notices"),
        ("tags.public", "refresh_merchants", "public badge cache (after each commit)"),
        ("courses.services", "assignments_for_failed_metrics", "course assignments (after each commit)"),
        ("scoring.evaluation.services", "_finish", "the run's counts"),
    )

    def __init__(self):
        self.wall: dict[str, float] = {}
        self.sql: dict[str, float] = {}
        self.sql_total = 0.0
        self.commits = 0.0
        self._undo: list = []

    def _timed(self, label, fn):
        def timed(*args, **kwargs):
            t, s = time.perf_counter(), self.sql_total
            try:
                return fn(*args, **kwargs)
            finally:
                self.wall[label] = self.wall.get(label, 0.0) + time.perf_counter() - t
                self.sql[label] = self.sql.get(label, 0.0) + self.sql_total - s

        return timed

    def _statement(self, execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.sql_total += time.perf_counter() - t

    def __enter__(self):
        import importlib

        from django.db import connection, connections

        for module_name, name, label in self.SERVICES:
            module = importlib.import_module(module_name)
            original = getattr(module, name)
            self._undo.append((module, name, original))
            setattr(module, name, self._timed(label, original))
        wrapper_class = type(connections["default"])
        commit = wrapper_class._commit

        def timed_commit(conn):
            t = time.perf_counter()
            try:
                return commit(conn)
            finally:
                self.commits += time.perf_counter() - t

        self._undo.append((wrapper_class, "_commit", commit))
        wrapper_class._commit = timed_commit
        self._wrapper = connection.execute_wrapper(self._statement)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)

    def print(self, full: float) -> None:
        print(
            f"timings of the full run ({full:.2f} s; SQL statements {self.sql_total:.2f} s, commits {self.commits:.2f} s):"
        )
        for _module, _name, label in self.SERVICES:
            if label in self.wall:
                wall, sql = self.wall[label], self.sql[label]
                print(f"  {label:<44} {wall:6.2f} s  (SQL {sql:.2f} s, the rest {wall - sql:.2f} s)")


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
        "--floor",
        action="store_true",
        help="also time what the month must write, done by hand-written set-based SQL (rolled back)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="print where the full evaluation spends its time"
    )
    parser.add_argument(
        "--timings",
        action="store_true",
        help="print the wall time of each service the full evaluation calls, its SQL apart (no profiler)",
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
    floor = None
    if args.floor:
        floor = _floor(period)
        with connection.cursor() as cur:  # the rolled-back rows' dead tuples, as autovacuum would
            cur.execute(f"VACUUM ANALYZE {', '.join(FLOOR_TABLES)}")

    t0 = time.monotonic()
    dry = evaluation_compute(period=period)
    dry_run = time.monotonic() - t0

    profiler = cProfile.Profile() if args.profile else None
    timings = _Timings() if args.timings else None
    t0 = time.monotonic()
    if profiler:
        profiler.enable()
    if timings:
        with timings:
            run = evaluation_run(period=period)
    else:
        run = evaluation_run(period=period)
    full = time.monotonic() - t0
    if timings:
        timings.print(full)
    if profiler:
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats(
            os.environ.get("PROFILE_SORT", "cumulative")
        ).print_stats(45)

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
    if floor is not None:
        print(
            f"floor (the same writes in set-based SQL) {floor:6.2f} s   ratio to reference {floor / reference:.2f}"
        )


if __name__ == "__main__":
    main()
