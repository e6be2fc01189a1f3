"""Where blobs, the generation counter and the throttle counters live: raw Redis through
django-redis (one round trip per request) or the Django cache API (local memory in dev and tests)."""

import json

import redis
from django.core.cache import caches
from django_redis.exceptions import ConnectionInterrupted

from .fragments import _dumps

BLOB_TTL = 3600
GEN_KEY = "tags:pub:gen"
CHANNEL = "tags:pub:changed"


def _blob_key(merchant_id: int) -> str:
    return f"tags:pub:m:{merchant_id}"


class StoreDown(Exception):
    """The cache cannot be reached: answer from the database."""


REDIS_ERRORS = (ConnectionError, TimeoutError, OSError, redis.exceptions.RedisError, ConnectionInterrupted)

# One command per request: read the generation and count this client's request in its window.
HOT_LUA = """
local g = redis.call('GET', KEYS[1])
local c = 0
if ARGV[2] == '1' then
  c = redis.call('INCR', KEYS[2])
  if c == 1 then redis.call('EXPIRE', KEYS[2], ARGV[1]) end
end
if not g then g = '' end
return {g, c}
"""


class _Store:
    def __init__(self, cache):
        self.cache = cache
        self.raw = None
        self.listener = None
        if cache.__class__.__module__.startswith("django_redis"):
            self.raw = cache.client.get_client(write=True)
            self.hot_script = self.raw.register_script(HOT_LUA)
            self.gen_key = self.key(GEN_KEY)

    def key(self, name: str) -> str:
        return self.cache.make_key(name)

    def hot(self, throttle_key: str | None, window: int) -> tuple[object, int]:
        """(generation, requests counted in this window) in one round trip."""
        try:
            if self.raw is not None:
                gen, count = self.hot_script(
                    keys=[self.gen_key, self.key(throttle_key) if throttle_key else self.gen_key],
                    args=[window, "1" if throttle_key else "0"],
                )
                return gen or None, count
            gen = self.cache.get(GEN_KEY)
            count = 0
            if throttle_key:
                self.cache.add(throttle_key, 0, window)
                try:
                    count = self.cache.incr(throttle_key)
                except ValueError:
                    count = 1
            return gen, count
        except REDIS_ERRORS as exc:
            raise StoreDown(str(exc)) from exc

    def count(self, key: str, amount: int, window: int) -> int:
        """Add `amount` requests to a throttle window counter; the window's total so far."""
        try:
            if self.raw is not None:
                pipe = self.raw.pipeline(transaction=False)
                pipe.incrby(self.key(key), amount)
                pipe.expire(self.key(key), window)
                return pipe.execute()[0]
            self.cache.add(key, 0, window)
            return self.cache.incr(key, amount)
        except REDIS_ERRORS as exc:
            raise StoreDown(str(exc)) from exc

    def get_blobs(self, merchant_ids: list[int]) -> dict[int, dict]:
        if not merchant_ids:
            return {}
        try:
            if self.raw is not None:
                values = self.raw.mget([self.key(_blob_key(m)) for m in merchant_ids])
                return {m: json.loads(v) for m, v in zip(merchant_ids, values, strict=True) if v is not None}
            found = self.cache.get_many([_blob_key(m) for m in merchant_ids])
            return {m: json.loads(found[_blob_key(m)]) for m in merchant_ids if _blob_key(m) in found}
        except REDIS_ERRORS as exc:
            raise StoreDown(str(exc)) from exc

    def put_blobs(self, blobs: dict[int, dict], *, only_missing: bool) -> None:
        try:
            if self.raw is not None:
                pipe = self.raw.pipeline(transaction=False)
                for m, blob in blobs.items():
                    pipe.set(self.key(_blob_key(m)), _dumps(blob), ex=BLOB_TTL, nx=only_missing)
                pipe.execute()
                return
            for m, blob in blobs.items():
                if only_missing:
                    self.cache.add(_blob_key(m), _dumps(blob), BLOB_TTL)
                else:
                    self.cache.set(_blob_key(m), _dumps(blob), BLOB_TTL)
        except REDIS_ERRORS as exc:
            raise StoreDown(str(exc)) from exc

    def bump(self, merchant_ids=None) -> None:
        """Move the generation and tell every process which merchants changed (None: all of them)."""
        payload = "*" if merchant_ids is None else ",".join(str(int(m)) for m in merchant_ids)
        try:
            if self.raw is not None:
                pipe = self.raw.pipeline(transaction=False)
                pipe.incr(self.key(GEN_KEY))
                pipe.publish(self.key(CHANNEL), payload)
                pipe.execute()
                return
            if not self.cache.add(GEN_KEY, 1, None):
                self.cache.incr(GEN_KEY)
        except REDIS_ERRORS as exc:
            raise StoreDown(str(exc)) from exc


_STORES: dict[int, _Store] = {}


def store() -> _Store:
    """The store of this thread's cache object (Django keeps one per thread; threads share the pool)."""
    cache = caches["default"]
    found = _STORES.get(id(cache))
    if found is None or found.cache is not cache:
        if len(_STORES) > 256:
            _STORES.clear()
        found = _STORES[id(cache)] = _Store(cache)
    return found
