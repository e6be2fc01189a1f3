"""Liveness of what the platform needs: database, cache, Celery broker."""

import time

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import connection


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        detail = check()
        ok = True
    except Exception as exc:  # a health check reports every failure, whatever it is
        detail, ok = f"{type(exc).__name__}: {exc}", False
    return {"ok": ok, "detail": detail, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def _cache() -> str:
    key = "health:probe"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return what was written")
    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


def _broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager (no broker configured; tasks run in-process)"
    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=1)
    return conn.transport_cls if isinstance(conn.transport_cls, str) else "connected"


def health_report() -> dict:
    checks = {"database": _timed(_database), "cache": _timed(_cache), "broker": _timed(_broker)}
    return {"ok": all(c["ok"] for c in checks.values()), "checks": checks}
