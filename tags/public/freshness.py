"""Freshness: what each process keeps in memory and how it learns that something changed.

- Each process keeps the compiled blobs it has read, tagged with the generation (`tags:pub:gen`) it
  read before fetching them. Every committed holding change rewrites the merchants' blobs in the
  store, then bumps the generation and publishes the merchant ids on `tags:pub:changed`.
- While this process's listener thread is subscribed to that channel (`listener_live`), requests
  need no Redis round trip at all: the thread drops changed merchants from memory well under a
  millisecond after the commit. Otherwise (starting, Redis restarting, a local-memory cache) each
  request reads the generation, in the same round trip that counts it for the throttle, and a
  moved generation drops the process cache. A revocation is visible on the next request, in every
  process, either way.
- Product → (merchant, category) is kept per process for PRODUCT_MAP_TTL seconds: a product does
  not change merchant; a product moved to another category shows the old category's tags for at
  most that long.
- Redis down: every request is answered from the database (4 queries, whatever the number of ids).
  Changes made meanwhile reach the store when it is back, through BLOB_TTL at the latest.
"""

import logging
import os
import threading
import time

import redis
from django.core.cache import caches

from merchants.models import Product

from .fragments import NO_PRODUCT, build_blobs, compile_blob, render
from .store import BLOB_TTL, CHANNEL, REDIS_ERRORS, StoreDown, _Store, store
from .throttle import _THROTTLE

logger = logging.getLogger(__name__)

PRODUCT_MAP_TTL = 300
PRODUCT_MAP_MAX = 200_000  # entries per process; unknown ids are remembered too, so bound them
LOCAL_MAX_BLOBS = 100_000

_LOCAL: dict = {"gen": object(), "blobs": {}, "seq": 0}
_PRODUCTS: dict = {"at": 0.0, "map": {}}


def reset_local() -> None:
    """Forget everything this process cached (tests; after a deploy that changed the blob format)."""
    _LOCAL["gen"] = object()
    _LOCAL["blobs"] = {}
    _LOCAL["seq"] += 1
    _PRODUCTS["at"] = 0.0
    _PRODUCTS["map"] = {}
    _THROTTLE.clear()


def current_gen():
    return _LOCAL["gen"]


def _drop_local(payload: str) -> None:
    """Apply an invalidation: '*' or comma-separated merchant ids."""
    _LOCAL["seq"] += 1
    if payload == "*":
        _LOCAL["blobs"] = {}
        return
    blobs = _LOCAL["blobs"]
    for part in payload.split(","):
        if part:
            blobs.pop(int(part), None)


class _Listener:
    """One thread per process (and Redis server) subscribed to the change channel.

    While it is subscribed (`live`), requests need no Redis round trip to know that their blobs are
    fresh: every committed holding change rewrites the merchants' blobs and then publishes their ids,
    and this thread drops them from the process cache (well under a millisecond after the commit on
    one machine). While it is not (starting, Redis restarting, or a local-memory cache), each request
    reads the generation counter instead. (Re)subscribing drops the whole process cache, since
    messages may have been missed meanwhile.
    """

    def __init__(self, params: dict, channel: str):
        self.params = params
        self.channel = channel
        self.live = False
        self.pid = None
        self.thread = None

    def ensure(self) -> bool:
        if self.live and self.pid == os.getpid():
            return True
        with _LISTENER_LOCK:
            if self.pid != os.getpid() or self.thread is None or not self.thread.is_alive():
                self.pid = os.getpid()
                self.live = False
                self.thread = threading.Thread(target=self._run, name="tags-public-listener", daemon=True)
                self.thread.start()
        return False

    def _run(self) -> None:
        backoff = 0.5
        while True:
            try:
                client = redis.Redis(
                    socket_connect_timeout=1, socket_timeout=None, health_check_interval=2, **self.params
                )
                pubsub = client.pubsub()
                pubsub.subscribe(self.channel)
                while True:
                    message = pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    if message["type"] == "subscribe":
                        _drop_local("*")
                        self.live = True
                        backoff = 0.5
                    elif message["type"] == "message":
                        _drop_local(message["data"].decode())
            except Exception:  # noqa: BLE001 - any failure: per-request checks until we are back
                if self.live:
                    self.live = False
                    _drop_local("*")
                time.sleep(backoff)
                backoff = min(backoff * 2, 10)


_LISTENER_LOCK = threading.Lock()
_LISTENERS: dict[tuple, _Listener] = {}


def listener_live(s: _Store) -> bool:
    """True when this process is told about every change (no per-request freshness check needed)."""
    if s.raw is None:
        return False
    listener = s.listener
    if listener is None:
        kwargs = s.raw.connection_pool.connection_kwargs
        params = {k: kwargs[k] for k in ("host", "port", "db", "password", "username", "path") if k in kwargs}
        target = (*sorted(params.items()), s.key(CHANNEL))
        with _LISTENER_LOCK:
            listener = _LISTENERS.get(target)
            if listener is None:
                listener = _LISTENERS[target] = _Listener(params, s.key(CHANNEL))
        s.listener = listener
    return listener.ensure()


def product_map(product_ids: list[int]) -> dict[int, tuple[int, str, bytes]]:
    """{product_id: (merchant_id, category_code, `"product_id":N,`)} for the products that exist;
    one query for the ids this process has not seen (the map is kept per process)."""
    now = time.monotonic()
    if now - _PRODUCTS["at"] > PRODUCT_MAP_TTL:
        _PRODUCTS["map"] = {}
        _PRODUCTS["at"] = now
    known = _PRODUCTS["map"]
    missing = [p for p in product_ids if p not in known]
    if missing and len(known) + len(missing) > PRODUCT_MAP_MAX:
        # Random ids from anonymous clients must not grow the process without bound: start over.
        known = _PRODUCTS["map"] = {}
        _PRODUCTS["at"] = now
        missing = list(product_ids)
    if missing:
        for p in missing:
            known[p] = NO_PRODUCT  # remembered as unknown (for PRODUCT_MAP_TTL) unless found below
        rows = Product.objects.filter(pk__in=missing).values_list("pk", "merchant_id", "category__code")
        for pk, mid, cat in rows:
            known[pk] = (mid, cat, b'"product_id":%d,' % pk)
    return {p: known[p] for p in product_ids if known[p] is not NO_PRODUCT}


def render_cached(ids: list[int], lang: str, *, gen) -> tuple[list[bytes], list[int]] | None:
    """The response parts for product ids when everything is in this process already, else None.

    The hot path: one pass of dictionary lookups, no I/O, no copies of the fragments.
    """
    if gen != _LOCAL["gen"] or time.monotonic() - _PRODUCTS["at"] > PRODUCT_MAP_TTL:
        return None
    return render(ids, lang, _PRODUCTS["map"], _LOCAL["blobs"], strict=True)


def render_any(
    ids: list[int], lang: str, *, by_product: bool, gen, s: _Store | None
) -> tuple[list[bytes], list[int]]:
    """The response parts for any ids: what this process lacks comes from the store, then the
    database (`s` None: the store is down, straight from the database)."""
    where, blobs = resolve(ids, by_product=by_product, gen=gen, s=s)
    return render(ids, lang, where, blobs, strict=False)


def resolve(ids: list[int], *, by_product: bool, gen, s: _Store | None) -> tuple[dict, dict]:
    """({id: (merchant_id, category or None, prefix)}, {merchant_id: compiled blob}) for the ids that exist."""
    if s is not None and not by_product and gen == _LOCAL["gen"]:
        # A snapshot: the listener thread may drop entries while this request runs.
        local = _LOCAL["blobs"]
        snapshot = {m: local.get(m) for m in ids}
        if None not in snapshot.values():
            return {m: (m, None, b"") for m in ids}, snapshot
    if by_product:
        pmap = product_map(ids)
        return pmap, blobs_for(list({hit[0] for hit in pmap.values()}), gen=gen, s=s)
    return {m: (m, None, b"") for m in ids}, blobs_for(ids, gen=gen, s=s)


def blobs_for(merchant_ids: list[int], *, gen, s: _Store | None) -> dict[int, dict]:
    """Blobs from the process cache, then Redis, then the database (filling Redis with what was missing)."""
    if s is None:
        return {m: compile_blob(b) for m, b in build_blobs(merchant_ids).items()}
    if gen != _LOCAL["gen"] or len(_LOCAL["blobs"]) > LOCAL_MAX_BLOBS:
        _LOCAL["gen"] = gen
        _LOCAL["blobs"] = {}
    local = _LOCAL["blobs"]
    seq = _LOCAL["seq"]
    result = {}
    for m in merchant_ids:
        entry = local.get(m)  # .get: the listener thread may drop entries meanwhile
        if entry is not None:
            result[m] = entry
    missing = [m for m in merchant_ids if m not in result]
    if missing:
        fetched = s.get_blobs(missing)
        still = [m for m in missing if m not in fetched]
        if still:
            built = build_blobs(still)
            # nx: a writer's fresher blob (set after its commit) always wins over this read.
            s.put_blobs(built, only_missing=True)
            fetched.update(built)
        compiled = {m: compile_blob(b) for m, b in fetched.items()}
        result.update(compiled)
        if _LOCAL["seq"] == seq:  # no invalidation arrived while we were reading
            local.update(compiled)
    return result


def refresh_merchants(merchant_ids) -> None:
    """After a holding change has committed: rewrite the merchants' blobs, then move the generation."""
    try:
        s = store()
        ids = list(merchant_ids)
        s.put_blobs(build_blobs(ids), only_missing=False)
        _drop_local(",".join(map(str, ids)))
        s.bump(ids)
    except StoreDown:
        logger.warning("public badge cache unreachable; blobs of %s refresh on expiry", list(merchant_ids))


def clear_all() -> None:
    """After a catalog edit (names, badge boosts): drop every blob so that they are rebuilt."""
    cache = caches["default"]
    try:
        if hasattr(cache, "delete_pattern"):
            cache.delete_pattern("tags:pub:m:*")  # keys written raw use the same prefix scheme
        else:
            cache.clear()
        _drop_local("*")
        store().bump()
    except (StoreDown, *REDIS_ERRORS):
        _drop_local("*")  # this process at least rebuilds; the others see it on expiry
        logger.warning("public badge cache unreachable; blobs expire within %s s", BLOB_TTL)
