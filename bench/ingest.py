"""Benchmark: event ingestion through the API (gunicorn + PostgreSQL) and one deadline-sweep pass.

    .venv/bin/python bench/ingest.py [--events 60000] [--pending 1000000] [--overdue 10000] [--workers 3]

Uses its own database (``bench_ingest``, dropped and re-created) on the PostgreSQL server of
BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432), and Redis db 7 as the broker for the sweep
phase so that compensation tasks are queued, not run inline. Prints both figures at the end.
See bench/README_ingest.md.
"""

import argparse
import http.client
import json
import os
import random
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB", "bench_ingest")
BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/7")
PORT = int(os.environ.get("BENCH_PORT", "8765"))

SERVER_ENV = {
    "DATABASE_URL": f"{PG_URL}/{DB_NAME}",
    "DEBUG": "false",
    "SECURE_SSL_REDIRECT": "false",  # plain http on 127.0.0.1
    "SECRET_KEY": "bench-only-secret",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "LOG_LEVEL": "ERROR",
}


def _recreate_database() -> None:
    sys.path.insert(0, str(ROOT))
    from bench.datasets import recreate_database

    recreate_database(PG_URL, DB_NAME)


def _django(broker: str = "") -> None:
    os.environ.update(SERVER_ENV)
    if broker:
        os.environ["CELERY_BROKER_URL"] = broker
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _setup_shops(n_merchants: int):
    from django.contrib.auth.models import Group, User
    from rest_framework.authtoken.models import Token

    from merchants.models import Brand, Category, Product
    from merchants.services import deposit_post_entry, merchant_create
    from tags.models import Tag, TagHolding

    category = Category.objects.get(code="large_appliances")
    brand, _ = Brand.objects.get_or_create(
        name_zh="海尔", defaults={"name_en": "Haier", "is_large_appliance": True}
    )
    tags = list(
        Tag.objects.filter(code__in=["ship_24h", "free_shipping", "delivery_install", "genuine_invoice"])
    )
    products = []
    for i in range(n_merchants):
        merchant = merchant_create(name=f"压测店铺{i}", shop_code=f"BENCH{i:04d}", main_category=category)
        deposit_post_entry(merchant_id=merchant.pk, kind="top_up", amount=Decimal("1000000"))
        for tag in tags:
            TagHolding.objects.create(
                merchant=merchant, category=category, tag=tag, terms_version=tag.current_terms,
                granted_at=datetime(2020, 1, 1, tzinfo=UTC),
            )  # fmt: skip
        products.append(
            Product.objects.create(
                merchant=merchant, category=category, brand=brand, title=f"空调 {i}", price=2999
            )
        )
    user = User.objects.create_user("bench-upstream", password="bench-pass-1234")
    user.groups.add(Group.objects.get(name="integration"))
    return products, Token.objects.create(user=user).key


def _start_server(workers: int) -> subprocess.Popen:
    # As in production, compensation of the breaches found is queued to Celery (Redis db 7 here, purged
    # afterwards) rather than run inside the request; its throughput is measured separately below.
    env = {**os.environ, **SERVER_ENV, "CELERY_BROKER_URL": BROKER}
    env.pop("REDIS_URL", None)
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
            "--timeout",
            "120",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/ping/")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def _post_all(path: str, bodies: list[bytes], token: str, concurrency: int) -> tuple[float, dict]:
    """POST every body (pre-serialized) with `concurrency` keep-alive connections; (seconds, counts)."""
    counts = {"accepted": 0, "duplicate": 0, "rejected": 0}
    lock = threading.Lock()
    queue = list(reversed(bodies))
    errors = []

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        while True:
            with lock:
                if not queue:
                    break
                body = queue.pop()
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            if response.status != 200:
                errors.append((response.status, data[:300]))
                continue
            result = json.loads(data)
            with lock:
                for key in counts:
                    counts[key] += result[key]
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise SystemExit(f"{len(errors)} requests failed, first: {errors[0]}")
    return elapsed, counts


def bench_events(
    *, n_events: int, workers: int, concurrency: int, late_share: float, rng: random.Random
) -> dict:
    products, token = _setup_shops(20)
    n_orders = n_events // 3 + 1
    now = datetime.now(UTC)
    orders = []
    for i in range(n_orders):
        product = rng.choice(products)
        paid_at = now - timedelta(hours=rng.uniform(30, 60))
        orders.append(
            {
                "external_id": f"BO{i:09d}",
                "product_id": product.pk,
                "merchant_id": product.merchant_id,
                "shopper_ref": f"shopper{rng.randrange(10**6)}",
                "paid_amount": f"{rng.randint(500, 9000)}.00",
                "shipping_fee": "0",
                "province": rng.choice(["310000", "110000", "440000", "330000", "510000"]),
                "paid_at": paid_at.isoformat(),
            }  # fmt: skip
        )
    events = []
    for o in orders:
        paid_at = datetime.fromisoformat(o["paid_at"])
        pickup = paid_at + timedelta(
            hours=rng.uniform(25, 30) if rng.random() < late_share else rng.uniform(1, 23)
        )
        delivered = pickup + timedelta(hours=rng.uniform(12, 48))
        for kind, at, data in (
            ("pickup_scanned", pickup, {"carrier": "SF", "tracking_no": f"SF{rng.randrange(10**12)}"}),
            ("delivered", delivered, {"to_door": True}),
            ("installed", delivered + timedelta(hours=rng.uniform(2, 60)), {}),
        ):
            events.append(
                {
                    "external_id": f"BE{len(events):010d}",
                    "order_external_id": o["external_id"],
                    "kind": kind,
                    "occurred_at": at.isoformat(),
                    "data": data,
                }  # fmt: skip
            )
    events = events[:n_events]
    rng.shuffle(events)  # out of order across and within batches
    batch = 1000
    order_bodies = [
        json.dumps({"items": orders[i : i + batch]}).encode() for i in range(0, len(orders), batch)
    ]
    event_bodies = [
        json.dumps({"items": events[i : i + batch]}).encode() for i in range(0, len(events), batch)
    ]

    server = _start_server(workers)
    try:
        orders_s, order_counts = _post_all("/api/v1/integration/orders", order_bodies, token, concurrency)
        events_s, event_counts = _post_all("/api/v1/integration/events", event_bodies, token, concurrency)
        dup_s, dup_counts = _post_all("/api/v1/integration/events", event_bodies[:5], token, concurrency)
    finally:
        server.terminate()
        server.wait(10)

    from commitments.models import Breach, Commitment, Voucher

    return {
        "orders": len(orders),
        "orders_per_s": len(orders) / orders_s,
        "order_counts": order_counts,
        "events": len(events),
        "events_s": events_s,
        "events_per_s": len(events) / events_s,
        "event_counts": event_counts,
        "duplicates_resent": dup_counts,
        "commitments": Commitment.objects.count(),
        "met": Commitment.objects.filter(state="met").count(),
        "breaches": Breach.objects.count(),
        "vouchers": Voucher.objects.count(),
    }


def bench_sweep(*, pending: int, overdue: int) -> dict:
    """Bulk-load `pending` pending commitments (`overdue` of them past their deadline), then one sweep pass."""
    from django.db import connection

    from commitments.models import Breach, Commitment, Order
    from commitments.services import breaches_compensate, commitments_sweep
    from merchants.models import Product
    from tags.models import Tag

    product = Product.objects.select_related("merchant").first()
    tag = Tag.objects.get(code="ship_24h")
    now = datetime.now(UTC)
    qn = connection.ops.quote_name
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(
            f"""
            INSERT INTO {qn(Order._meta.db_table)} (created_at, updated_at, external_id, merchant_id, product_id,
                category_id, brand_id, shopper_ref, quantity, paid_amount, shipping_fee, province, paid_at, carrier)
            SELECT %(now)s, %(now)s, 'SW' || g, %(merchant)s, %(product)s, %(category)s, %(brand)s,
                   'shopper' || (g %% 50000), 1, 1999.00, 0, '310000',
                   %(now)s - interval '1 hour' * (CASE WHEN g <= %(overdue)s THEN 30 ELSE 1 END), ''
            FROM generate_series(1, %(pending)s) AS g
            """,
            {
                "now": now,
                "merchant": product.merchant_id,
                "product": product.pk,
                "category": product.category_id,
                "brand": product.brand_id,
                "pending": pending,
                "overdue": overdue,
            },  # fmt: skip
        )
        cur.execute(
            f"""
            INSERT INTO {qn(Commitment._meta.db_table)} (created_at, updated_at, order_id, merchant_id, tag_id,
                terms_version_id, state, deadline, exemption_reason, exemption_reason_code,
                exemption_reason_params)
            SELECT %(now)s, %(now)s, o.id, o.merchant_id, %(tag)s, %(version)s, 'pending',
                   o.paid_at + interval '24 hours', '', '', '{{}}'::jsonb
            FROM {qn(Order._meta.db_table)} o WHERE o.external_id LIKE 'SW%%'
            """,
            {"now": now, "tag": tag.pk, "version": tag.current_terms_id},
        )
        cur.execute("ANALYZE")
    load_s = time.perf_counter() - started
    pending_now = Commitment.objects.filter(state="pending").count()
    overdue_now = Commitment.objects.filter(state="pending", deadline__lt=now - timedelta(minutes=15)).count()

    with connection.cursor() as cur:
        cur.execute(
            f"EXPLAIN SELECT id FROM {qn(Commitment._meta.db_table)} WHERE state = 'pending' AND deadline < %s "
            "ORDER BY deadline LIMIT 5000 FOR UPDATE SKIP LOCKED",
            [now],
        )
        plan = "\n".join(row[0] for row in cur.fetchall())

    started = time.perf_counter()
    run = commitments_sweep(now=now)
    sweep_s = time.perf_counter() - started
    started = time.perf_counter()
    second = commitments_sweep(now=now)
    second_s = time.perf_counter() - started

    # Compensation is queued by the sweep (one task per 500 breaches); measure it on a sample here.
    from config.celery import app

    app.control.purge()
    sample = list(Breach.objects.order_by("pk").values_list("pk", flat=True)[:1000])
    started = time.perf_counter()
    paid = breaches_compensate(breach_ids=sample)
    compensate_s = time.perf_counter() - started
    return {
        "load_s": load_s,
        "pending": pending_now,
        "overdue": overdue_now,
        "plan": plan,
        "sweep_s": sweep_s,
        "breached": run.breached,
        "batches": run.batches,
        "second_sweep_s": second_s,
        "second_breached": second.breached,
        "compensated_sample": paid,
        "compensations_per_s": len(sample) / compensate_s if compensate_s else 0,
    }


def _load_breaches(*, prefix: str, n_merchants: int, per_merchant: int, shoppers: int) -> list[int]:
    """Bulk-load `n_merchants` shops with a funded deposit, each with `per_merchant` breached ship_24h
    commitments waiting for their voucher (as a carrier outage leaves them). Breach ids come back in
    a random merchant order, as a deadline-ordered sweep makes them."""
    from django.db import connection, transaction

    from commitments.models import Breach, Commitment, Order
    from merchants.models import Brand, Category, DepositAccount, DepositEntry, Merchant, Product
    from tags.models import Tag

    category = Category.objects.get(code="large_appliances")
    brand, _ = Brand.objects.get_or_create(
        name_zh="格力", defaults={"name_en": "Gree", "is_large_appliance": True}
    )
    tag = Tag.objects.get(code="ship_24h")
    now = datetime.now(UTC)
    with transaction.atomic():
        merchants = Merchant.objects.bulk_create(
            [Merchant(name=f"赔付压测{prefix}{i}", shop_code=f"{prefix}{i:05d}", main_category=category)
             for i in range(n_merchants)]
        )  # fmt: skip
        accounts = DepositAccount.objects.bulk_create(
            [DepositAccount(merchant=m, balance=Decimal("1000000.00")) for m in merchants]
        )
        DepositEntry.objects.bulk_create(
            [DepositEntry(account=a, kind="top_up", amount=Decimal("1000000.00"), balance_after=Decimal("1000000.00"),
                          memo="bench") for a in accounts]
        )  # fmt: skip
        products = Product.objects.bulk_create(
            [Product(merchant=m, category=category, brand=brand, title="空调", price=2999) for m in merchants]
        )
        qn = connection.ops.quote_name
        with connection.cursor() as cur:
            cur.execute(
                f"""
                INSERT INTO {qn(Order._meta.db_table)} (created_at, updated_at, external_id, merchant_id, product_id,
                    category_id, brand_id, shopper_ref, quantity, paid_amount, shipping_fee, province, paid_at, carrier)
                SELECT %(now)s, %(now)s, %(prefix)s || m.ord || '-' || g, m.merchant_id, m.product_id,
                       %(category)s, %(brand)s, 'shopper' || ((m.ord * 7919 + g) %% %(shoppers)s), 1,
                       (300 + (g * 37) %% 2700)::numeric(12, 2), 0, '310000', %(now)s - interval '30 hours', ''
                FROM unnest(%(merchants)s::bigint[], %(products)s::bigint[]) WITH ORDINALITY AS m(merchant_id, product_id, ord)
                CROSS JOIN generate_series(1, %(per)s) AS g
                """,
                {"now": now, "prefix": prefix, "category": category.pk, "brand": brand.pk, "shoppers": shoppers,
                 "merchants": [m.pk for m in merchants], "products": [p.pk for p in products], "per": per_merchant},
            )  # fmt: skip
            cur.execute(
                f"""
                INSERT INTO {qn(Commitment._meta.db_table)} (created_at, updated_at, order_id, merchant_id, tag_id,
                    terms_version_id, state, deadline, resolved_at, exemption_reason, exemption_reason_code,
                    exemption_reason_params)
                SELECT %(now)s, %(now)s, o.id, o.merchant_id, %(tag)s, %(version)s, 'breached',
                       o.paid_at + interval '24 hours', %(now)s, '', '', '{{}}'::jsonb
                FROM {qn(Order._meta.db_table)} o WHERE o.external_id LIKE %(like)s
                """,
                {"now": now, "tag": tag.pk, "version": tag.current_terms_id, "like": f"{prefix}%"},
            )
            cur.execute(
                f"""
                INSERT INTO {qn(Breach._meta.db_table)} (created_at, updated_at, commitment_id, merchant_id,
                    detected_at, source, detail, detail_code, detail_params, severity, counts_in_metrics)
                SELECT %(now)s, %(now)s, c.id, c.merchant_id, %(now)s, 'sweep',
                       'deadline passed without the fulfilling event', '', '{{}}'::jsonb, 'late', true
                FROM {qn(Commitment._meta.db_table)} c JOIN {qn(Order._meta.db_table)} o ON o.id = c.order_id
                WHERE o.external_id LIKE %(like)s ORDER BY random()
                RETURNING id
                """,
                {"now": now, "like": f"{prefix}%"},
            )
            ids = [row[0] for row in cur.fetchall()]
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return ids


def _money_check(ids: list[int]) -> dict:
    """What must hold after paying: one voucher per breach, every ledger equal to its entries."""
    from django.db import connection

    from commitments.models import Voucher

    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT count(*) FROM merchants_depositaccount a
            WHERE a.balance <> (SELECT coalesce(sum(e.amount), 0) FROM merchants_depositentry e WHERE e.account_id = a.id)
            """
        )
        (ledger_mismatch,) = cur.fetchone()
        cur.execute(
            """
            SELECT count(*) FROM (
                SELECT e.id, e.balance_after,
                       sum(e.amount) OVER (PARTITION BY e.account_id ORDER BY e.id) AS running
                FROM merchants_depositentry e) x
            WHERE x.balance_after <> x.running
            """
        )
        (chain_breaks,) = cur.fetchone()
    vouchers = Voucher.objects.filter(breach_id__in=ids)
    return {
        "vouchers": vouchers.count(),
        "breaches_with_voucher": vouchers.values("breach_id").distinct().count(),
        "ledger_mismatch": ledger_mismatch,
        "balance_after_breaks": chain_breaks,
    }


def bench_compensation(*, breaches: int, merchants: int) -> dict:
    """One worker (this process) pays `breaches` breaches spread over `merchants` shops."""
    from commitments.services import breaches_compensate

    ids = _load_breaches(
        prefix="C1-", n_merchants=merchants, per_merchant=breaches // merchants, shoppers=10**6
    )
    started, cpu = time.perf_counter(), time.process_time()
    result = breaches_compensate(breach_ids=ids)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"breaches": len(ids), "seconds": seconds, "per_s": len(ids) / seconds, "result": result,
            "cpu_s": cpu, "load": os.getloadavg()[0], "check": _money_check(ids)}  # fmt: skip


def bench_burst(*, breaches: int, merchants: int, workers: int) -> dict:
    """A carrier outage: `breaches` over `merchants` shops queued through the outbox (messages of 1,000
    breach ids in sweep order), paid by a real Celery worker with `workers` processes."""
    from django.db import connection

    from commitments.models import OutboxMessage
    from commitments.services import outbox_relay
    from commitments.services.outbox import CHUNK

    ids = _load_breaches(
        prefix="B2-", n_merchants=merchants, per_merchant=breaches // merchants, shoppers=40000
    )
    messages = [
        m.pk
        for m in OutboxMessage.objects.bulk_create(
            [
                OutboxMessage(topic="compensate", payload={"breach_ids": ids[i : i + CHUNK]})
                for i in range(0, len(ids), CHUNK)
            ]
        )
    ]
    connection.close()
    env = {**os.environ, **SERVER_ENV, "CELERY_BROKER_URL": BROKER}
    env.pop("REDIS_URL", None)
    from config.celery import app

    app.control.purge()
    worker = subprocess.Popen(
        [str(ROOT / ".venv/bin/celery"), "-A", "config", "worker", "-c", str(workers), "-P", "prefork",
         "--loglevel", "WARNING", "--without-heartbeat", "--without-gossip", "--without-mingle", "-n", "bench-burst@%h"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        ready = time.monotonic() + 60
        while time.monotonic() < ready:
            replies = app.control.ping(timeout=0.5)
            if replies:
                break
        started = time.perf_counter()
        while outbox_relay(limit=10_000):
            pass
        # Only the burst's own messages: those of the events phase were queued to a broker since purged.
        while OutboxMessage.objects.filter(pk__in=messages, done_at__isnull=True).exists():
            if worker.poll() is not None:
                raise SystemExit("the Celery worker died")
            time.sleep(0.05)
        seconds = time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(30)
    return {"breaches": len(ids), "merchants": merchants, "workers": workers, "seconds": seconds,
            "per_s": len(ids) / seconds, "check": _money_check(ids)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=60000)
    parser.add_argument("--pending", type=int, default=1_000_000)
    parser.add_argument("--overdue", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) + 1)
    parser.add_argument("--concurrency", type=int, default=0, help="client connections (default: workers)")
    parser.add_argument("--late-share", type=float, default=0.02)
    parser.add_argument("--skip-events", action="store_true")
    parser.add_argument("--skip-sweep", action="store_true")
    parser.add_argument("--compensation", type=int, default=20_000, help="breaches paid by one worker")
    parser.add_argument("--compensation-merchants", type=int, default=400)
    parser.add_argument("--burst", type=int, default=100_000, help="breaches of the burst")
    parser.add_argument("--burst-merchants", type=int, default=2_000)
    parser.add_argument("--burst-workers", type=int, default=2)
    parser.add_argument("--skip-compensation", action="store_true")
    args = parser.parse_args()

    _recreate_database()
    _django(broker=BROKER)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    rng = random.Random(20261122)
    lines = [f"machine: {os.cpu_count()} CPUs; database {DB_NAME}"]
    if not args.skip_events:
        ev = bench_events(
            n_events=args.events, workers=args.workers, concurrency=args.concurrency or args.workers,
            late_share=args.late_share, rng=rng,
        )  # fmt: skip
        lines += [
            f"orders API: {ev['orders']} orders in batches of 1000 → {ev['orders_per_s']:,.0f} orders/s "
            f"(with commitment snapshot) {ev['order_counts']}",
            f"events API: {ev['events']} events in batches of 1000, gunicorn -w {args.workers} → "
            f"{ev['events_per_s']:,.0f} events/s ({ev['events_s']:.2f} s) {ev['event_counts']}",
            f"  re-sent 5 batches: {ev['duplicates_resent']}",
            f"  commitments {ev['commitments']}, met {ev['met']}, breaches {ev['breaches']}, "
            f"vouchers {ev['vouchers']}",
            f"  target ≥ 5,000 events/s: {'PASS' if ev['events_per_s'] >= 5000 else 'FAIL'}",
        ]
    if not args.skip_sweep:
        sw = bench_sweep(pending=args.pending, overdue=args.overdue)
        lines += [
            f"sweep: {sw['pending']:,} pending commitments, {sw['overdue']:,} overdue (bulk load {sw['load_s']:.1f} s)",
            f"  one pass: {sw['sweep_s']:.3f} s, breached {sw['breached']:,} in {sw['batches']} batches; "
            f"second pass {sw['second_sweep_s']:.3f} s, breached {sw['second_breached']}",
            f"  target ≤ 2 s: {'PASS' if sw['sweep_s'] <= 2 else 'FAIL'}",
            f"  compensation (queued by the sweep, measured on 1,000): {sw['compensations_per_s']:,.0f} breaches/s "
            f"{sw['compensated_sample']}",
            "  plan of the claim query:",
            *("    " + line for line in sw["plan"].splitlines()),
        ]
    if not args.skip_compensation:
        cp = bench_compensation(breaches=args.compensation, merchants=args.compensation_merchants)
        lines += [
            f"compensation, one worker: {cp['breaches']:,} breaches over {args.compensation_merchants:,} merchants "
            f"in {cp['seconds']:.2f} s → {cp['per_s']:,.0f} breaches/s {cp['result']}",
            f"  worker CPU {cp['cpu_s']:.2f} s ({cp['breaches'] / cp['cpu_s']:,.0f} breaches per CPU-second); "
            f"load average {cp['load']:.1f} on {os.cpu_count()} CPUs during the run",
            f"  {cp['check']}",
            f"  target ≥ 1,000 breaches/s per worker: {'PASS' if cp['per_s'] >= 1000 else 'FAIL'}",
        ]
        bu = bench_burst(breaches=args.burst, merchants=args.burst_merchants, workers=args.burst_workers)
        lines += [
            f"compensation burst: {bu['breaches']:,} breaches × {bu['merchants']:,} merchants paid by "
            f"{bu['workers']} Celery workers through the outbox in {bu['seconds']:.1f} s → {bu['per_s']:,.0f} breaches/s",
            f"  {bu['check']}",
        ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
