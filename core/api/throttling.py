"""Rate limits that count exactly and survive a cache outage.

A fixed window counted with cache.add + cache.incr (atomic in Redis, so concurrent requests never
lose counts as DRF's read-modify-write history does), keyed by core.net.client_ip (never a header a
client can forge). When the cache is unreachable the throttle counts in this process instead:
it degrades to a per-process limit rather than failing the request.
"""

import time

from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.throttling import SimpleRateThrottle

from core.net import client_ip
from core.outages import is_outage

_local = LocMemCache("throttle-fallback", {"OPTIONS": {"MAX_ENTRIES": 10000}})


def count_hit(key: str, window: int) -> int:
    """Count one request in `key`'s window; the window's total so far. Falls back to this process."""
    try:
        return _count(cache, key, window)
    except Exception as exc:
        if not is_outage(exc):
            raise
        return _count(_local, key, window)


def peek(key: str) -> int:
    """The count so far in `key`'s window (0 when none), from the cache or this process's fallback."""
    try:
        return int(cache.get(key) or 0)
    except Exception as exc:
        if not is_outage(exc):
            raise
        return int(_local.get(key) or 0)


def _count(store, key: str, window: int) -> int:
    store.add(key, 0, window)
    try:
        return store.incr(key)
    except ValueError:  # expired between add and incr
        store.add(key, 1, window)
        return 1


class ResilientRateThrottle(SimpleRateThrottle):
    def get_ident(self, request):
        return client_ip(request)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = time.time()
        window = int(self.duration)
        count = count_hit(f"{self.key}:{int(now) // window}", window)
        self._wait = window - (now % window)
        return count <= self.num_requests

    def wait(self):
        return getattr(self, "_wait", None)
