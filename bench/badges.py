"""Benchmark of the public badge API against a trivial Django JSON view (`make bench-badges`).

What it does, in one run:
1. uses its own PostgreSQL database `bench_badges` and Redis db 9 (override with BENCH_DATABASE_URL /
   BENCH_REDIS_URL), migrates, and loads the demo at 20,000 merchants once (`manage.py demo`);
2. starts gunicorn on 127.0.0.1 (DEBUG off, the same settings as production);
3. warms up, then drives load with `wrk` (Debian package `wrk`) at 32 connections in alternating
   rounds: `/ping/` (core.views.ping, the baseline) and `GET /api/v1/public/badges?product_ids=<50
   random ids>` (each request picks one of 2,000 prepared id lists, ~100,000 distinct products);
4. prints the median requests/s of both, the median ratio, and the median p99 latency of each.
   Goal: ratio ≥ 0.6, badge p99 ≤ 25 ms.

Usage: .venv/bin/python bench/badges.py [--rounds 5] [--duration 6] [--connections 32] [--workers 2] [--threads 8]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PORT = int(os.environ.get("BENCH_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"


def bench_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": os.environ.get(
                "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_badges"
            ),
            "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"),
            "DEBUG": "false",
            "SECURE_SSL_REDIRECT": "false",  # plain http on 127.0.0.1
            "SECRET_KEY": "bench-badges-not-secret-" + "x" * 32,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Counted as usual, but high enough that the benchmark client (one address) is not throttled.
            "PUBLIC_API_RATE": "100000000/min",
            "LOG_LEVEL": "ERROR",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    return env


def ensure_database(env: dict[str, str]) -> None:
    import psycopg2

    url = env["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    conn = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()


def run(cmd: list[str], env: dict[str, str]) -> None:
    subprocess.run(cmd, cwd=ROOT, env=env, check=True)


def product_id_lists(env: dict[str, str], count: int, per_request: int) -> list[str]:
    code = (
        "import django; django.setup();"
        "from merchants.models import Product;"
        "print(','.join(map(str, Product.objects.values_list('pk', flat=True))))"
    )
    out = subprocess.run(
        [PY, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    ids = [int(x) for x in out.strip().split(",") if x]
    if len(ids) < per_request:
        raise SystemExit(f"only {len(ids)} products in the bench database")
    rng = random.Random(7)
    return [",".join(map(str, rng.sample(ids, per_request))) for _ in range(count)]


def wrk_script(paths: list[str]) -> str:
    body = ",\n".join(f'"{p}"' for p in paths)
    return (
        "local paths = {\n" + body + "\n}\n"
        "math.randomseed(os.time())\n"
        "request = function()\n"
        "  return wrk.format('GET', paths[math.random(#paths)], {['Accept-Language'] = 'zh'})\n"
        "end\n"
    )


def parse_wrk(output: str) -> dict[str, float]:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99_raw = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    factor = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99_raw.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": rps,
        "p99_ms": float(p99_raw.group(1)) * factor,
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def wrk(url: str, *, duration: int, connections: int, threads: int, script: str | None = None) -> dict:
    """One wrk run; a fresh connection set each time."""
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--latency"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run([*cmd, url], check=True, capture_output=True, text=True).stdout
    return parse_wrk(out)


def wait_ready(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer at {url}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=6, help="seconds per endpoint per round")
    parser.add_argument("--rounds", type=int, default=5, help="alternating ping/badges rounds")
    parser.add_argument("--warmup", type=int, default=30, help="seconds of warm-up on the badge endpoint")
    # sync workers, one per core, measured best here (gthread 2x8 and sync 4 both lower and noisier).
    parser.add_argument("--worker-class", default="sync", choices=["gthread", "sync"])
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker (gthread)")
    parser.add_argument("--merchants", type=int, default=20000)
    parser.add_argument("--ids", type=int, default=50, help="product ids per request")
    parser.add_argument("--skip-load", action="store_true", help="the bench database is already loaded")
    args = parser.parse_args()

    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    env = bench_env()
    ensure_database(env)
    if not args.skip_load:
        run([PY, "manage.py", "migrate", "--verbosity", "0"], env)
        # Idempotent: prints "already present" when this scale was loaded before.
        run([PY, "manage.py", "demo", "--merchants", str(args.merchants), "--orders", "2000", "--force"], env)
    paths = [f"/api/v1/public/badges?product_ids={ids}" for ids in product_id_lists(env, 2000, args.ids)]

    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(wrk_script(paths))
        script = fh.name
    # The baseline gets the same request headers (Accept-Language goes through LocaleMiddleware).
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(wrk_script(["/ping/"]))
        ping_script = fh.name

    # Start from an empty badge cache, as after a deploy; the warm-up fills it.
    subprocess.run(
        [PY, "-c", "import django; django.setup(); from django.core.cache import cache; cache.clear()"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    server = subprocess.Popen(
        [
            PY, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
            "--workers", str(args.workers), "--worker-class", args.worker_class,
            # gunicorn silently turns sync into gthread when --threads > 1: pass it only for gthread.
            *(["--threads", str(args.threads)] if args.worker_class == "gthread" else []),
            "--keep-alive", "30", "--log-level", "warning", "--backlog", "2048",
        ],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    try:
        wait_ready(BASE + "/ping/")
        with urllib.request.urlopen(BASE + paths[0], timeout=5) as resp:
            assert resp.status == 200, resp.status
        load = {"connections": args.connections, "threads": 2}
        # Warm-up: every worker process fills its product map and blob cache (as in production after
        # a deploy); then alternate short rounds so that both endpoints see the same machine load.
        wrk(BASE + "/", duration=args.warmup, script=script, **load)
        wrk(BASE + "/ping/", duration=5, script=ping_script, **load)
        pings, badges = [], []
        for _ in range(args.rounds):
            pings.append(wrk(BASE + "/ping/", duration=args.duration, script=ping_script, **load))
            badges.append(wrk(BASE + "/", duration=args.duration, script=script, **load))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        os.unlink(script)
        os.unlink(ping_script)

    ratios = [b["rps"] / p["rps"] for p, b in zip(pings, badges, strict=True)]
    ping_rps = statistics.median(r["rps"] for r in pings)
    badge_rps = statistics.median(r["rps"] for r in badges)
    ping_p99 = statistics.median(r["p99_ms"] for r in pings)
    badge_p99 = statistics.median(r["p99_ms"] for r in badges)
    print(
        f"gunicorn {args.worker_class} {args.workers}"
        f"{'x' + str(args.threads) if args.worker_class == 'gthread' else ''} workers, wrk {args.connections} connections, "
        f"{args.rounds} alternating rounds of {args.duration}s (medians)"
    )
    print(f"/ping/                               {ping_rps:9.1f} req/s   p99 {ping_p99:7.2f} ms")
    print(f"/api/v1/public/badges ({args.ids} ids)      {badge_rps:9.1f} req/s   p99 {badge_p99:7.2f} ms")
    print(f"ratio badges/ping (median of rounds)  {statistics.median(ratios):9.2f}   rounds: "
          + " ".join(f"{r:.2f}" for r in ratios))  # fmt: skip
    print("goal: ratio ≥ 0.60, badge p99 ≤ 25 ms")
    for name, runs in (("ping", pings), ("badges", badges)):
        bad = sum(r["non_2xx"] for r in runs)
        errors = [r["socket_errors"] for r in runs if r["socket_errors"]]
        if bad or errors:
            print(f"warning: {name}: {bad} non-2xx responses; socket errors: {errors or 'none'}")
    print(f"machine load average at the end: {os.getloadavg()[0]:.2f} (other processes skew both figures)")


if __name__ == "__main__":
    main()
