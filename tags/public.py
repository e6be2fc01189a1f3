"""The public badge read model: per-merchant JSON fragments, cached in Redis and in each process.

Layout (see docs in tags/api/public.py for the HTTP side):

- ``tags:pub:m:<merchant_id>``: one JSON blob per merchant with pre-rendered, pre-signed response
  fragments per language and per category (plus ``*`` for the merchant as a whole).
- ``tags:pub:gen``: a generation counter, incremented after every holding change (after the blob
  of the changed merchant has been rewritten).
- Each process keeps the blobs it has read, tagged with the generation it read before fetching
  them; a request reads the generation (one Redis round trip, together with the rate-limit counter)
  and drops the process cache when it moved. A revocation is therefore visible on the next request,
  in every process, and a quiet system serves from memory.
- Product → (merchant, category) is kept per process for PRODUCT_MAP_TTL seconds: a product does
  not change merchant; a product moved to another category shows the old category's tags for at
  most that long.
- Redis down: every request is answered from the database (4 queries, whatever the number of ids)
  and not rate-limited (fail open). Changes made while Redis was down reach the cache when it is
  back through BLOB_TTL at the latest.

Signatures: HMAC-SHA256 (django.utils.crypto.salted_hmac, key derived from SECRET_KEY) over
``merchant|category|tag codes|badge code|issued_at``; see ``sign`` / ``verify``.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import zlib
from datetime import UTC, datetime

from django.core.cache import caches
from django.utils.crypto import constant_time_compare, salted_hmac

logger = logging.getLogger(__name__)

SIGNING_SALT = "tags.public_badge.v1"
BLOB_TTL = 3600
PRODUCT_MAP_TTL = 300
PRODUCT_MAP_MAX = 200_000  # entries per process; unknown ids are remembered too, so bound them
LOCAL_MAX_BLOBS = 100_000
GEN_KEY = "tags:pub:gen"
CHANNEL = "tags:pub:changed"
LANGS = ("zh", "en")


def _blob_key(merchant_id: int) -> str:
    return f"tags:pub:m:{merchant_id}"


# --- signatures ---------------------------------------------------------------------------------


def signing_message(
    *, merchant_id: int, category: str | None, tags: list[str], badge: str | None, issued_at: str
) -> str:
    return "|".join([str(merchant_id), category or "*", ",".join(sorted(tags)), badge or "-", issued_at])


def sign(**fields) -> str:
    return salted_hmac(SIGNING_SALT, signing_message(**fields), algorithm="sha256").hexdigest()


def verify_signature(signature: str, **fields) -> bool:
    return constant_time_compare(sign(**fields), signature or "")


# --- building blobs from the database (constant number of queries) ------------------------------


def _now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def build_blobs(merchant_ids) -> dict[int, dict]:
    """{merchant_id: blob} for the merchants that exist. Three queries, whatever the number of merchants."""
    from merchants.models import Merchant

    from .models import BadgeHolding, TagHolding

    ids = list({int(m) for m in merchant_ids})
    if not ids:
        return {}
    main = dict(Merchant.objects.filter(pk__in=ids).values_list("pk", "main_category__code"))
    holdings = (
        TagHolding.objects.filter(merchant_id__in=main, state=TagHolding.State.ACTIVE)
        .select_related("tag", "terms_version", "category")
        .order_by("merchant_id", "tag__sort_order", "tag__code")
    )
    badges = (
        BadgeHolding.objects.filter(merchant_id__in=main, active=True)
        .select_related("badge__category")
        .order_by("merchant_id", "badge__category__sort_order")
    )
    per_merchant: dict[int, dict[str, list]] = {m: {} for m in main}
    for h in holdings:
        per_merchant[h.merchant_id].setdefault(h.category.code, []).append(h)
    badge_of: dict[int, dict[str, object]] = {m: {} for m in main}
    for bh in badges:
        badge_of[bh.merchant_id][bh.badge.category.code] = bh.badge

    issued_at = _now_iso()
    blobs = {}
    for mid in main:
        blobs[mid] = _blob(mid, main[mid], per_merchant[mid], badge_of[mid], issued_at)
    return blobs


def _tag_json(h, lang: str) -> dict:
    t, v = h.tag, h.terms_version
    zh = lang == "zh"
    return {
        "code": t.code,
        "name": t.name_zh if zh else t.name_en,
        "group": t.group,
        "promise": v.promise_zh if zh else (v.promise_en or v.promise_zh),
        "compensation": v.compensation_zh if zh else (v.compensation_en or v.compensation_zh),
    }


def _badge_json(b, lang: str) -> dict | None:
    if b is None:
        return None
    zh = lang == "zh"
    return {
        "code": b.code,
        "name": b.name_zh if zh else b.name_en,
        "title_prefix": b.title_prefix_zh if zh else b.title_prefix_en,
        "search_boost": float(b.search_boost),
        "campaign_eligible": b.campaign_eligible,
    }


def _fragment(mid, category, holdings, badge, issued_at, lang) -> str:
    codes = [h.tag.code for h in holdings]
    signature = sign(
        merchant_id=mid,
        category=category,
        tags=codes,
        badge=badge.code if badge else None,
        issued_at=issued_at,
    )
    return _dumps(
        {
            "merchant_id": mid,
            "category": category,
            "tags": [_tag_json(h, lang) for h in holdings],
            "badge": _badge_json(badge, lang),
            "issued_at": issued_at,
            "signature": signature,
        }
    )


def _blob(mid: int, main_category: str, by_category: dict, badges: dict, issued_at: str) -> dict:
    union: dict[str, object] = {}
    for holdings in by_category.values():
        for h in holdings:
            union.setdefault(h.tag.code, h)
    union_list = sorted(union.values(), key=lambda h: (h.tag.sort_order, h.tag.code))
    merchant_badge = badges.get(main_category) or next(iter(badges.values()), None)
    blob = {"m": mid, "t": issued_at}
    for lang in LANGS:
        frags = {
            cat: _fragment(mid, cat, holdings, badges.get(cat), issued_at, lang)
            for cat, holdings in by_category.items()
        }
        for cat in badges:
            frags.setdefault(cat, _fragment(mid, cat, [], badges[cat], issued_at, lang))
        frags["*"] = _fragment(mid, None, union_list, merchant_badge, issued_at, lang)
        blob[lang] = frags
    return blob


def compile_blob(blob: dict) -> dict:
    """The per-process form of a blob: fragments as UTF-8 bytes without their opening brace,
    so that a response is one bytes join (no re-encoding, no per-request copies)."""
    out = {"m": blob["m"], "t": blob["t"]}
    for lang in LANGS:
        out[lang] = {key: frag.encode()[1:] for key, frag in blob[lang].items()}
    return out


def fragment_for(entry: dict, lang: str, category: str | None) -> bytes:
    """The fragment of a compiled blob for one category (or the merchant as a whole), without its "{"."""
    frags = entry[lang]
    key = category or "*"
    frag = frags.get(key)
    if frag is None:
        # No tag or badge in this category: an empty answer, still signed.
        mid, issued_at = entry["m"], entry["t"]
        frag = frags[key] = _dumps(
            {
                "merchant_id": mid,
                "category": category,
                "tags": [],
                "badge": None,
                "issued_at": issued_at,
                "signature": sign(
                    merchant_id=mid, category=category, tags=[], badge=None, issued_at=issued_at
                ),
            }
        ).encode()[1:]
    return frag


# --- stores: raw Redis (django-redis) or the Django cache API (local memory in dev and tests) ----


class StoreDown(Exception):
    """The cache cannot be reached: answer from the database."""


def _redis_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [ConnectionError, TimeoutError, OSError]
    try:
        import redis

        errors.append(redis.exceptions.RedisError)
    except ImportError:  # pragma: no cover
        pass
    try:
        from django_redis.exceptions import ConnectionInterrupted

        errors.append(ConnectionInterrupted)
    except ImportError:  # pragma: no cover
        pass
    return tuple(errors)


REDIS_ERRORS = _redis_errors()


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


# --- per-process state ---------------------------------------------------------------------------

_LOCAL: dict = {"gen": object(), "blobs": {}, "seq": 0}
_PRODUCTS: dict = {"at": 0.0, "map": {}}
NO_PRODUCT = (0, "", b"")


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
        import redis

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


# Throttle counts per process, flushed to Redis in small batches while the listener is live.
_THROTTLE: dict[str, list[int]] = {}


def throttle_count(s: _Store, key: str, limit: int, window: int) -> int:
    """Requests of this client in this window, across processes (exact for small limits; for large
    ones flushed every limit/100 requests, at most 256, so a process may run ahead by that much)."""
    state = _THROTTLE.get(key)
    if state is None:
        if len(_THROTTLE) > 10_000:
            _THROTTLE.clear()
        state = _THROTTLE[key] = [0, 0]  # [window total at the last flush, unflushed here]
    state[1] += 1
    if state[1] >= min(256, max(1, limit // 100)):
        state[0] = s.count(key, state[1], window)
        state[1] = 0
        return state[0]
    return state[0] + state[1]


def product_map(product_ids: list[int]) -> dict[int, tuple[int, str]]:
    """{product_id: (merchant_id, category_code)}; one query for the ids this process has not seen.

    The process map also keeps each product's rendered `"product_id":N,` prefix for the hot path.
    """
    from merchants.models import Product

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
    return {p: known[p][:2] for p in product_ids if known[p] is not NO_PRODUCT}


def render_cached(ids: list[int], lang: str, *, gen) -> tuple[list[bytes], list[int]] | None:
    """The response parts for product ids when everything is in this process already, else None.

    The hot path: one pass of dictionary lookups, no I/O, no copies of the fragments.
    """
    if gen != _LOCAL["gen"] or time.monotonic() - _PRODUCTS["at"] > PRODUCT_MAP_TTL:
        return None
    known, local = _PRODUCTS["map"], _LOCAL["blobs"]
    parts: list[bytes] = []
    unknown: list[int] = []
    append = parts.append
    sep = b"{"
    for i in ids:
        hit = known.get(i)
        if hit is None:
            return None
        if hit is NO_PRODUCT:
            unknown.append(i)
            continue
        entry = local.get(hit[0])
        if entry is None:
            return None
        append(sep)
        append(hit[2])
        append(entry[lang].get(hit[1]) or fragment_for(entry, lang, hit[1]))
        sep = b",{"
    return parts, unknown


def resolve(ids: list[int], *, by_product: bool, gen, s: _Store | None) -> tuple[dict, dict]:
    """({id: (merchant_id, category or None)}, {merchant_id: compiled blob}) for the ids that exist.

    Products already in this process are rendered by `render_cached`; this is the general path.
    """
    if s is not None and not by_product and gen == _LOCAL["gen"]:
        # A snapshot: the listener thread may drop entries while this request runs.
        local = _LOCAL["blobs"]
        snapshot = {m: local.get(m) for m in ids}
        if None not in snapshot.values():
            return {m: (m, None) for m in ids}, snapshot
    if by_product:
        pmap = product_map(ids)
        return pmap, blobs_for(list({mid for mid, _ in pmap.values()}), gen=gen, s=s)
    return {m: (m, None) for m in ids}, blobs_for(ids, gen=gen, s=s)


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


def etag_for(body: bytes) -> str:
    """A validator, not a security feature: a fast checksum and the length (a few µs for 50 KB)."""
    return f'W/"{zlib.crc32(body):08x}{len(body):x}"'
