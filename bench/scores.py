"""Benchmark of the experience score (issue 8, item 9), PostgreSQL.

    make bench-scores            # 1M then 10M orders, 20,000 merchants, 120 days
    .venv/bin/python bench/scores.py --sizes 1000000 10000000 [--merchants 20000]

Uses its own database (BENCH_DB, default msp_score on BENCH_PG_URL, default
postgres://postgres@127.0.0.1:5432), dropped and migrated again for each size. For each size:

  (a) reference: one hand-written SQL statement computing the 90-day (and lagged) numerators and
      denominators of every indicator straight from the order facts, for every merchant;
  (b) the full rebuild: every daily rollup from the order facts, then the day's scores and peers;
  (c) the daily job after one new day of orders (~1.1 % of the total: ~110k at 10M) plus late
      ratings/refunds touching the previous 14 days: the marked days re-aggregated, scores, peers.

Prints each time, b/a and c/a, the growth from the smaller size, and checks that a, b and c agree
on the counters of a random sample of merchants.
"""

import argparse
import cProfile
import os
import pstats
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB", "msp_score")
os.environ["DATABASE_URL"] = f"{PG_URL}/{DB_NAME}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-secret")

COUNTERS_SQL = """
WITH o AS (
    SELECT o.merchant_id,
        (o.paid_at >= %(r0)s AND o.paid_at < %(r1)s) AS rec,
        (o.paid_at >= %(l0)s AND o.paid_at < %(l1)s) AS lag,
        o.cancelled_at IS NULL OR o.first_pickup_at IS NOT NULL AS live,
        o.rating_product, o.first_pickup_at <= o.paid_at + interval '48 hours' AS p48,
        o.delivered_at, o.paid_at, o.refunded_at, o.refund_requested_at, o.refund_reason,
        o.refund_staff_intervened, o.logistics_exception_at, o.rating_logistics,
        EXISTS (SELECT 1 FROM complaints_helprequest h WHERE h.order_id = o.id) AS helped,
        EXISTS (SELECT 1 FROM complaints_helprequest h WHERE h.order_id = o.id
                AND h.scenario IN ('urge_logistics', 'logistics_stalled')) AS log_help
    FROM commitments_order o
    WHERE o.paid_at >= LEAST(%(r0)s, %(l0)s) AND o.paid_at < %(r1)s
), c AS (
    SELECT c.merchant_id,
        count(*) FILTER (WHERE decided) AS decided,
        count(*) FILTER (WHERE kept) AS kept,
        count(*) FILTER (WHERE dispatch AND decided) AS dispatch_decided,
        count(*) FILTER (WHERE dispatch AND kept) AS dispatch_kept,
        count(*) FILTER (WHERE dispatch AND decided AND NOT kept AND source = 'complaint') AS dispatch_violations
    FROM (
        SELECT c.merchant_id, b.source,
            v.terms ->> 'kind' IN ('pickup_by_cutoff', 'pickup_within_hours') AS dispatch,
            c.state = 'met' OR (c.state IN ('breached', 'compensated') AND b.counts_in_metrics IS NOT NULL)
                AS decided,
            c.state = 'met' OR (c.state IN ('breached', 'compensated') AND NOT b.counts_in_metrics) AS kept
        FROM commitments_commitment c JOIN commitments_order o ON o.id = c.order_id
        JOIN tags_tagtermsversion v ON v.id = c.terms_version_id
        LEFT JOIN commitments_breach b ON b.commitment_id = c.id
        WHERE o.paid_at >= %(r0)s AND o.paid_at < %(r1)s
    ) c
    GROUP BY c.merchant_id
)
SELECT o.merchant_id,
    count(*) FILTER (WHERE rec) AS r_orders,
    count(rating_product) FILTER (WHERE rec) AS r_rating_n,
    coalesce(sum(rating_product) FILTER (WHERE rec), 0) AS r_rating_sum,
    count(*) FILTER (WHERE lag) AS l_orders,
    count(*) FILTER (WHERE lag AND live) AS l_orders_live,
    count(*) FILTER (WHERE lag AND refunded_at IS NOT NULL AND refund_reason IN ('quality', 'not_as_described'))
        AS l_quality_refunds,
    count(*) FILTER (WHERE lag AND p48) AS l_pickup_48h,
    count(delivered_at) FILTER (WHERE lag) AS l_signed_n,
    coalesce(sum(extract(epoch FROM delivered_at - paid_at)) FILTER (WHERE lag), 0) AS l_sign_seconds,
    count(logistics_exception_at) FILTER (WHERE lag) AS l_logistics_exceptions,
    count(*) FILTER (WHERE lag AND (rating_logistics <= 2 OR log_help)) AS l_negative_logistics,
    count(*) FILTER (WHERE lag AND refunded_at IS NOT NULL AND refund_requested_at IS NOT NULL) AS l_handled_n,
    coalesce(sum(extract(epoch FROM refunded_at - refund_requested_at))
             FILTER (WHERE lag AND refunded_at IS NOT NULL AND refund_requested_at IS NOT NULL), 0)
        AS l_handling_seconds,
    count(*) FILTER (WHERE lag AND refunded_at IS NOT NULL AND refund_staff_intervened) AS l_refund_disputes,
    count(*) FILTER (WHERE lag AND helped) AS l_help_orders,
    max(c.decided) AS r_commitments_decided, max(c.kept) AS r_commitments_kept,
    max(c.dispatch_decided) AS r_dispatch_decided, max(c.dispatch_kept) AS r_dispatch_kept,
    max(c.dispatch_violations) AS r_dispatch_violations
FROM o LEFT JOIN c ON c.merchant_id = o.merchant_id
GROUP BY o.merchant_id
"""
CHECKED = [
    "r_orders", "r_rating_n", "r_rating_sum", "l_orders", "l_orders_live", "l_quality_refunds", "l_pickup_48h",
    "l_signed_n", "l_logistics_exceptions", "l_negative_logistics", "l_handled_n", "l_refund_disputes",
    "l_help_orders", "r_commitments_decided", "r_commitments_kept", "r_dispatch_decided", "r_dispatch_kept",
    "r_dispatch_violations",
]  # fmt: skip


def recreate_database():
    from bench.datasets import recreate_database as recreate

    recreate(PG_URL, DB_NAME)


def reference(cursor, today):
    from core.periods import lagged_window, rolling_window

    recent, lagged = rolling_window(90, today=today), lagged_window(today=today)
    cursor.execute(COUNTERS_SQL, {"r0": recent.start, "r1": recent.end, "l0": lagged.start, "l1": lagged.end})
    names = [c.name for c in cursor.description]
    return {row[0]: dict(zip(names[1:], row[1:], strict=True)) for row in cursor.fetchall()}


def from_rollups(today, merchant_ids):
    from scoring.services.windows import windows_for

    sums = windows_for(today)
    out = {}
    for m in merchant_ids:
        s = sums.get(m, {"recent": {}, "lagged": {}})
        out[m] = {
            name: int(s["recent" if name.startswith("r_") else "lagged"].get(name[2:], 0) or 0)
            for name in CHECKED
        }
    return out


def agree(ref, rollups, label) -> bool:
    bad = [
        (m, k, ref[m].get(k) or 0, rollups[m][k])
        for m in rollups
        for k in CHECKED
        if (ref[m].get(k) or 0) != rollups[m][k]
    ]
    print(
        f"  check {label}: {len(rollups)} merchants × {len(CHECKED)} counters: {'agree' if not bad else bad[:5]}"
    )
    return not bad


def run(size: int, merchants: int, seed: int, reuse: bool = False, profile: bool = False) -> dict:
    import django
    from django.core.management import call_command
    from django.db import connection

    if not reuse:
        recreate_database()
    django.setup()
    connection.close()
    call_command("migrate", verbosity=0)
    from bench.datasets import add_late_facts, add_orders, generate_marketplace, marketplace_of, rank_ratings
    from commitments.models import MetricsDirtyDay, Order, RatingsDirtyDay
    from core.periods import local_date, local_midnight
    from scoring.services.ratings import ratings_rebuild
    from scoring.services.rollups import rollups_rebuild
    from scoring.services.scores import score_day

    days = 120
    if reuse:  # the database of an earlier run (its extra day included): measured again as it is
        today = local_date(
            Order.objects.order_by("-paid_at").values_list("paid_at", flat=True)[0]
        ) + timedelta(1)
        end = local_midnight(today)
        with connection.cursor() as cursor:
            market = marketplace_of(cursor)
        size = Order.objects.count()
        print(f"\n{size:,} orders, {market.merchants:,} merchants (reused database)")
    else:
        today = local_date(datetime.now(UTC))
        end = local_midnight(today)
        with connection.cursor() as cursor:
            cursor.execute("SELECT setseed(%s)", [seed])
            t = time.perf_counter()
            market = generate_marketplace(cursor, orders=size, merchants=merchants, days=days, end=end)
            gen = time.perf_counter() - t
        print(f"\n{size:,} orders, {merchants:,} merchants, {days} days: generated in {gen:.0f} s")
    MetricsDirtyDay.objects.all().delete()
    RatingsDirtyDay.objects.all().delete()

    with connection.cursor() as cursor:
        t = time.perf_counter()
        ref = reference(cursor, today)
        a = time.perf_counter() - t
    print(f"  (a) reference SQL (90-day + lagged counters, every merchant): {a:.1f} s")

    profiler = cProfile.Profile() if profile else None
    t = time.perf_counter()
    if profiler:
        profiler.enable()
    rollups_rebuild(last_day=today - timedelta(days=1))
    score_day(day=today)
    b = time.perf_counter() - t
    if profiler:
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
    print(f"  (b) full rebuild (rollups of {days} days + scores + peers): {b:.1f} s")
    t = time.perf_counter()
    ratings_rebuild()
    print(
        f"      (the evaluation's rating rollup, rebuilt by score_recompute --full too: {time.perf_counter() - t:.1f} s)"
    )
    rng = random.Random(seed)
    sample = rng.sample(sorted(ref), min(200, len(ref)))
    ok = agree(ref, from_rollups(today, sample), "a = b")

    # One more day: its orders, and late ratings/refunds on the 14 days before, marked as ingestion does.
    new_today = today + timedelta(days=1)
    n_day = max(1, round(size * 1.1 / 100))
    with connection.cursor() as cursor:
        first_id, last_id = add_orders(
            cursor, market, first=size + 1, last=size + n_day, start=end, end=local_midnight(new_today)
        )
        touched, rated = add_late_facts(cursor, since=end - timedelta(days=14), until=end, share=0.016)
        cursor.execute(
            """
            INSERT INTO commitments_metricsdirtyday (merchant_id, day, marked_at)
            SELECT DISTINCT merchant_id, (paid_at AT TIME ZONE 'Asia/Shanghai')::date, now() - interval '1 hour'
            FROM commitments_order WHERE id BETWEEN %s AND %s OR id = ANY(%s)
            ON CONFLICT (merchant_id, day) DO UPDATE SET marked_at = EXCLUDED.marked_at
            """,
            [first_id, last_id, touched],
        )
        rank_ratings(cursor, [*range(first_id, last_id + 1), *rated])
        cursor.execute("ANALYZE commitments_order")
    marks = MetricsDirtyDay.objects.count()
    profiler = cProfile.Profile() if profile else None
    t = time.perf_counter()
    if profiler:
        profiler.enable()
    run_c = score_day(day=new_today)
    c = time.perf_counter() - t
    if profiler:
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
    print(
        f"  (c) daily job after {n_day:,} new orders + {len(touched):,} late facts ({marks:,} marked merchant-days,"
        f" {run_c.merchants:,} merchants scored): {c:.1f} s"
    )
    with connection.cursor() as cursor:
        ref2 = reference(cursor, new_today)
    ok = agree(ref2, from_rollups(new_today, sample), "a = c (next day)") and ok
    print(f"  b/a = {b / a:.2f}   c/a = {c / a:.2f}")
    connection.close()
    return {"size": size, "a": a, "b": b, "c": c, "ok": ok}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--merchants", type=int, default=20_000)
    parser.add_argument("--seed", type=float, default=0.42)
    parser.add_argument(
        "--reuse", action="store_true", help="measure the last run's database again (one size)"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="print where the rebuild (b) and the daily job (c) spend their time",
    )
    args = parser.parse_args()
    if args.reuse:
        args.sizes = args.sizes[-1:]
    results = [
        run(size, args.merchants, args.seed, reuse=args.reuse, profile=args.profile) for size in args.sizes
    ]
    print("\nsize          a (s)    b (s)    c (s)   b/a   c/a")
    for r in results:
        print(
            f"{r['size']:>11,} {r['a']:8.1f} {r['b']:8.1f} {r['c']:8.1f} {r['b'] / r['a']:5.2f} {r['c'] / r['a']:5.2f}"
        )
    if len(results) > 1:
        first, last = results[0], results[-1]
        growth = last["size"] / first["size"]
        print(
            f"growth ×{growth:.0f} in orders: a ×{last['a'] / first['a']:.1f}, b ×{last['b'] / first['b']:.1f}, "
            f"c ×{last['c'] / first['c']:.1f}"
        )
    sys.exit(0 if all(r["ok"] for r in results) else 1)


if __name__ == "__main__":
    main()
