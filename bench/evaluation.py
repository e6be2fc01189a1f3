"""Benchmark: one month's evaluation, its dry run, and a hand-written SQL reference of the same metrics.

    .venv/bin/python bench/evaluation.py [--merchants 20000] [--orders 10000000] [--months 6]

Uses its own database (``bench_evaluation``, dropped and re-created) on the PostgreSQL server of
BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432). The score helper's shared dataset generator
had not landed when this was written, so the data is generated here in SQL (generate_series):
`--merchants` shops, each holding the monitored tags its category's badge needs, `--orders` orders
paid over `--months` months ending with the evaluated month, about a third of them rated (DSR
columns), upheld merchant-at-fault complaints on 1 order in 300 (1 in 100 for every 20th shop, so
those fail), staff-intervened refunds on 1 order in 1,000. Prints the three timings at the end.
"""

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB", "bench_evaluation")
PERIOD = date(2026, 9, 1)  # the evaluated month


def _recreate_database() -> None:
    import psycopg2

    conn = psycopg2.connect(f"{PG_URL}/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [DB_NAME],
        )
        cur.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
        cur.execute(f'CREATE DATABASE "{DB_NAME}"')
    conn.close()


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


def _generate(*, merchants: int, orders: int, months: int) -> None:
    from django.db import connection

    from core.calendar import business_tz

    tz = business_tz().key
    first = f"{PERIOD.year}-{PERIOD.month:02d}-01"
    with connection.cursor() as cur:
        cur.execute("SELECT coalesce(max(id), 0) FROM merchants_merchant")
        (first_merchant,) = cur.fetchone()
        first_merchant += 1
        t0 = time.monotonic()
        cur.execute(
            """
            INSERT INTO merchants_merchant (name, name_en, shop_code, main_category_id, status, contact_email,
                                            created_at, updated_at)
            SELECT '压测店铺' || i, 'Bench shop ' || i, 'B' || lpad(i::text, 9, '0'),
                   (SELECT id FROM merchants_category WHERE code = 'large_appliances'), 'active', '', now(), now()
            FROM generate_series(1, %s) AS i
            """,
            [merchants],
        )
        cur.execute(
            "INSERT INTO merchants_brand (name_zh, name_en, is_large_appliance, created_at, updated_at) "
            "VALUES ('压测品牌', 'Bench brand', true, now(), now())"
        )
        cur.execute(
            """
            INSERT INTO merchants_product (merchant_id, category_id, brand_id, title, price, is_bulky, created_at, updated_at)
            SELECT m.id, m.main_category_id, (SELECT max(id) FROM merchants_brand), '压测商品', 1999.00, false, now(), now()
            FROM merchants_merchant m
            """
        )
        cur.execute(
            """
            INSERT INTO tags_tagholding (merchant_id, category_id, tag_id, state, terms_version_id, config, granted_at,
                                         created_at, updated_at)
            SELECT m.id, m.main_category_id, t.id, 'active', t.current_terms_id, '{}'::jsonb,
                   (%s::date - interval '90 days') AT TIME ZONE %s, now(), now()
            FROM merchants_merchant m
            JOIN tags_categorybadge b ON b.category_id = m.main_category_id
            JOIN tags_categorybadge_required_tags r ON r.categorybadge_id = b.id
            JOIN tags_tag t ON t.id = r.tag_id AND t.monitored
            """,
            [first, tz],
        )
        cur.execute(
            """
            INSERT INTO tags_badgeholding (merchant_id, badge_id, active, since, created_at, updated_at)
            SELECT m.id, b.id, true, now(), now(), now()
            FROM merchants_merchant m JOIN tags_categorybadge b ON b.category_id = m.main_category_id
            """
        )
        print(f"merchants, products, holdings, badges: {time.monotonic() - t0:.1f}s", flush=True)
        t0 = time.monotonic()
        # Orders paid over `months` months ending with the evaluated month; a third rated 3-5★.
        cur.execute(
            """
            INSERT INTO commitments_order (external_id, merchant_id, product_id, category_id, brand_id, shopper_ref,
                quantity, paid_amount, shipping_fee, province, paid_at, created_at, updated_at, carrier,
                refund_reason, refund_staff_intervened, rated_at, rating_described, rating_attitude, rating_logistics)
            SELECT 'BO' || i, p.merchant_id, p.id, p.category_id, p.brand_id, 'sh' || (i %% %(shoppers)s),
                   1, 1999.00, 0, '310000', paid, now(), now(), '', '', false,
                   CASE WHEN i %% 3 = 0 AND paid + interval '3 days' < %(end)s THEN paid + interval '3 days' END,
                   CASE WHEN i %% 3 = 0 AND paid + interval '3 days' < %(end)s THEN 3 + i %% 3 + (p.merchant_id %% 2) END,
                   CASE WHEN i %% 3 = 0 AND paid + interval '3 days' < %(end)s THEN 5 END,
                   CASE WHEN i %% 3 = 0 AND paid + interval '3 days' < %(end)s THEN 4 + (i %% 2) END
            FROM generate_series(1, %(orders)s) AS i
            JOIN merchants_product p ON p.merchant_id = %(first)s + (i %% %(merchants)s)
            CROSS JOIN LATERAL (
                SELECT %(end)s::timestamptz - (i::float / %(orders)s) * (%(end)s::timestamptz - %(start)s::timestamptz) AS paid
            ) t
            """,
            {
                "orders": orders,
                "merchants": merchants,
                "first": first_merchant,
                "shoppers": max(orders // 3, 1),
                "start": _local_midnight(_add_months(PERIOD, 1 - months)),
                "end": _local_midnight(_add_months(PERIOD, 1)),
            },
        )
        print(f"orders: {time.monotonic() - t0:.1f}s", flush=True)
        t0 = time.monotonic()
        cur.execute(
            """
            INSERT INTO complaints_complaint (external_id, order_id, merchant_id, standard_id, shopper_ref, text,
                claimed_amount, filed_at, state, urgent, due_at, due_fallback, response_text, response_lapsed,
                decided_at, responsibility, third_party_name, decision_reason, already_compensated, recovery,
                payout, counts_in_metrics, created_at, updated_at)
            SELECT 'BC' || o.id, o.id, o.merchant_id, (SELECT min(id) FROM complaints_servicestandard), o.shopper_ref,
                   '压测', 0, o.paid_at + interval '1 day', 'upheld', false, o.paid_at + interval '8 days', false, '',
                   false, o.paid_at + interval '2 days', 'merchant', '', '', false, 'none', 'none', true, now(), now()
            FROM commitments_order o
            WHERE o.external_id LIKE 'BO%%' AND (o.id %% 300 = 0 OR (o.merchant_id %% 20 = 0 AND o.id %% 100 = 1))
            """,
            [],
        )
        cur.execute(
            """
            INSERT INTO commitments_fulfilmentevent (external_id, order_id, kind, occurred_at, received_at, data)
            SELECT 'BR' || o.id, o.id, 'refunded', o.paid_at + interval '2 days', now(),
                   '{"reason": "quality", "staff_intervened": true}'::jsonb
            FROM commitments_order o WHERE o.id %% 1000 = 7
            """,
            [],
        )
        cur.execute("ANALYZE")
        print(f"complaints, disputes, analyze: {time.monotonic() - t0:.1f}s", flush=True)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _local_midnight(day: date):
    from core.periods import local_midnight

    return local_midnight(day)


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
    SELECT o.merchant_id, count(DISTINCT f.order_id) AS n
    FROM commitments_fulfilmentevent f JOIN commitments_order o ON o.id = f.order_id, bounds
    WHERE f.kind = 'refunded' AND (f.data ->> 'staff_intervened')::boolean AND f.occurred_at >= s AND f.occurred_at < e
    GROUP BY o.merchant_id
),
ranked AS (
    SELECT merchant_id,
           coalesce(rating_described, 0) + coalesce(rating_attitude, 0) + coalesce(rating_logistics, 0) AS points,
           (rating_described IS NOT NULL)::int + (rating_attitude IS NOT NULL)::int
             + (rating_logistics IS NOT NULL)::int AS items,
           row_number() OVER (PARTITION BY merchant_id, shopper_ref,
                              date_trunc('month', rated_at AT TIME ZONE 'Asia/Shanghai')
                              ORDER BY rated_at, id) AS nth
    FROM commitments_order, bounds
    WHERE rated_at >= ds AND rated_at < e
),
dsr AS (
    SELECT merchant_id, sum(points) AS points, sum(items) AS items, count(*) AS ratings
    FROM ranked WHERE nth <= 3 GROUP BY merchant_id
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
    parser.add_argument("--months", type=int, default=6)
    parser.add_argument("--keep", action="store_true", help="reuse the database of the last run")
    args = parser.parse_args()
    if not args.keep:
        _recreate_database()
    _django()
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection

    from scoring.evaluation.metrics import month_bounds
    from scoring.evaluation.services import evaluation_compute, evaluation_run
    from scoring.models import EvaluationResult, EvaluationRun

    EvaluationRun.objects.filter(period=PERIOD).delete()  # --keep: evaluate the month again
    if not args.keep:
        call_command("migrate", verbosity=0)
        _generate(merchants=args.merchants, orders=args.orders, months=args.months)

    start, end = month_bounds(PERIOD)
    t0 = time.monotonic()
    with connection.cursor() as cur:
        cur.execute(REFERENCE_SQL, {"start": start, "end": end, "dsr_start": end - timedelta(days=180)})
        reference_rows = cur.fetchall()
    reference = time.monotonic() - t0

    t0 = time.monotonic()
    dry = evaluation_compute(period=PERIOD)
    dry_run = time.monotonic() - t0

    t0 = time.monotonic()
    run = evaluation_run(period=PERIOD)
    full = time.monotonic() - t0

    same = {row[0]: tuple(row[1:]) for row in reference_rows} == {
        r.holding_id: (
            r.orders,
            r.fault_numerator,
            r.dispute_numerator,
            r.dsr_numerator,
            r.dsr_denominator,
            r.dsr_ratings,
        )
        for r in EvaluationResult.objects.filter(period=PERIOD)
    }
    print(
        f"\n{args.merchants} merchants, {args.orders} orders over {args.months} months; month {PERIOD:%Y-%m}: "
        f"{run.evaluated} tags evaluated, {run.failed} failed ({run.revoked} revoked)\n"
        f"reference SQL (same metrics)  {reference:8.2f} s\n"
        f"dry run (nothing written)     {dry_run:8.2f} s   ({len(dry.drafts)} results)\n"
        f"full evaluation (run)         {full:8.2f} s   ratio to reference {full / reference:.2f}\n"
        f"figures identical to the reference: {same}"
    )


if __name__ == "__main__":
    main()
