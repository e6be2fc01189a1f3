"""A real Celery worker (a `celery worker` process) against Redis and PostgreSQL, end to end.

Nothing eager: the test publishes by task name to a dedicated Redis database (WORKER_TEST_REDIS_URL,
default db 8), a separate worker process consumes it and works on the test database. It proves that
the tasks are registered under the names beat uses, that their arguments serialise as JSON, and that
the sweep, compensation and a periodic job do their work through the broker.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db import connection
from django.utils import timezone

from commitments.models import Breach, Voucher
from tests.commitments.factories import fund, hold, place_order, product_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("WORKER_TEST_REDIS_URL", "redis://127.0.0.1:6379/8")


def _wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


@pytest.fixture
def broker_db():
    client = redis.Redis.from_url(BROKER, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"needs Redis at {BROKER}")
    client.flushdb()  # our own database number: stale messages of an earlier run go
    yield client
    client.flushdb()


@pytest.fixture
def worker(broker_db):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": BROKER,
        "CELERY_BROKER_URL": BROKER,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=WARNING",
         "--without-gossip", "--without-mingle", "-n", f"test-{os.getpid()}@%h"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    producer = Celery("probe", broker=BROKER)
    producer.conf.task_serializer = "json"
    try:
        assert _wait_for(lambda: bool(producer.control.ping(timeout=0.5)), timeout=60), "worker did not start"
        yield producer
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            out, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
        producer.close()
        if "Traceback" in (out or ""):
            print(out[-4000:])  # shown when the test fails


def test_beat_schedule_names_tasks_the_worker_registered(worker):
    registered = set().union(*worker.control.inspect(timeout=5).registered().values())
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= registered, scheduled - registered


def test_sweep_compensation_and_a_periodic_job_run_through_the_worker(worker, merchant_a, broker_db):
    hold(merchant_a, "ship_24h")
    fund(merchant_a)
    order = place_order(product_of(merchant_a), paid_at=timezone.now() - timedelta(days=6))
    assert not Breach.objects.exists()

    worker.send_task("commitments.sweep")
    assert _wait_for(lambda: Breach.objects.filter(commitment__order=order).exists())
    breach = Breach.objects.get(commitment__order=order)

    # Compensation: queued by the sweep (outbox → broker → worker); the backlog job finds nothing left.
    worker.send_task("commitments.compensate_backlog")
    assert _wait_for(lambda: Voucher.objects.filter(breach=breach).exists())
    worker.send_task("commitments.compensate_backlog")
    worker.send_task("core.heartbeat")  # a periodic job; writes its stamp into the worker's cache
    assert _wait_for(lambda: any(k.endswith(b"core:last-heartbeat") for k in broker_db.keys("*heartbeat*")))
    assert Voucher.objects.filter(breach=breach).count() == 1
