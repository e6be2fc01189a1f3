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

import hashlib
import json
import logging
import time
from datetime import UTC, datetime

from django.core.cache import caches
from django.utils.crypto import constant_time_compare, salted_hmac

logger = logging.getLogger(__name__)

SIGNING_SALT = "tags.public_badge.v1"
BLOB_TTL = 3600
PRODUCT_MAP_TTL = 300
LOCAL_MAX_BLOBS = 100_000
GEN_KEY = "tags:pub:gen"
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


def fragment_for(blob: dict, lang: str, category: str | None) -> str:
    """The response fragment of a blob for one category (or the merchant as a whole)."""
    frags = blob[lang]
    key = category or "*"
    frag = frags.get(key)
    if frag is None:
        # No tag or badge in this category: an empty answer, still signed.
        mid, issued_at = blob["m"], blob["t"]
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
        )
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


class _Store:
    def __init__(self, cache):
        self.cache = cache
        self.raw = None
        if cache.__class__.__module__.startswith("django_redis"):
            self.raw = cache.client.get_client(write=True)

    def key(self, name: str) -> str:
        return self.cache.make_key(name)

    def hot(self, throttle_key: str | None, window: int) -> tuple[object, int]:
        """(generation, requests counted in this window) in one round trip."""
        try:
            if self.raw is not None:
                pipe = self.raw.pipeline(transaction=False)
                pipe.get(self.key(GEN_KEY))
                if throttle_key:
                    pipe.incr(self.key(throttle_key))
                    pipe.expire(self.key(throttle_key), window)
                out = pipe.execute()
                return out[0], (out[1] if throttle_key else 0)
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

    def bump(self) -> None:
        try:
            if self.raw is not None:
                self.raw.incr(self.key(GEN_KEY))
                return
            if not self.cache.add(GEN_KEY, 1, None):
                self.cache.incr(GEN_KEY)
        except REDIS_ERRORS as exc:
            raise StoreDown(str(exc)) from exc


_STORES: dict[int, _Store] = {}


def store() -> _Store:
    cache = caches["default"]
    found = _STORES.get(id(cache))
    if found is None or found.cache is not cache:
        _STORES.clear()
        found = _STORES[id(cache)] = _Store(cache)
    return found


# --- per-process state ---------------------------------------------------------------------------

_LOCAL: dict = {"gen": object(), "blobs": {}}
_PRODUCTS: dict = {"at": 0.0, "map": {}}


def reset_local() -> None:
    """Forget everything this process cached (tests; after a deploy that changed the blob format)."""
    _LOCAL["gen"] = object()
    _LOCAL["blobs"] = {}
    _PRODUCTS["at"] = 0.0
    _PRODUCTS["map"] = {}


def product_map(product_ids: list[int]) -> dict[int, tuple[int, str]]:
    """{product_id: (merchant_id, category_code)}; one query for the ids this process has not seen."""
    from merchants.models import Product

    now = time.monotonic()
    if now - _PRODUCTS["at"] > PRODUCT_MAP_TTL:
        _PRODUCTS["map"] = {}
        _PRODUCTS["at"] = now
    known = _PRODUCTS["map"]
    missing = [p for p in product_ids if p not in known]
    if missing:
        rows = Product.objects.filter(pk__in=missing).values_list("pk", "merchant_id", "category__code")
        for pk, mid, cat in rows:
            known[pk] = (mid, cat)
    return {p: known[p] for p in product_ids if p in known}


def blobs_for(merchant_ids: list[int], *, gen, s: _Store | None) -> dict[int, dict]:
    """Blobs from the process cache, then Redis, then the database (filling Redis with what was missing)."""
    if s is None:
        return build_blobs(merchant_ids)
    if gen != _LOCAL["gen"] or len(_LOCAL["blobs"]) > LOCAL_MAX_BLOBS:
        _LOCAL["gen"] = gen
        _LOCAL["blobs"] = {}
    local = _LOCAL["blobs"]
    result = {m: local[m] for m in merchant_ids if m in local}
    missing = [m for m in merchant_ids if m not in result]
    if missing:
        fetched = s.get_blobs(missing)
        still = [m for m in missing if m not in fetched]
        if still:
            built = build_blobs(still)
            # nx: a writer's fresher blob (set after its commit) always wins over this read.
            s.put_blobs(built, only_missing=True)
            fetched.update(built)
        result.update(fetched)
        local.update(fetched)
    return result


def refresh_merchants(merchant_ids) -> None:
    """After a holding change has committed: rewrite the merchants' blobs, then move the generation."""
    try:
        s = store()
        s.put_blobs(build_blobs(merchant_ids), only_missing=False)
        s.bump()
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
        store().bump()
    except REDIS_ERRORS:
        logger.warning("public badge cache unreachable; blobs expire within %s s", BLOB_TTL)


def etag_for(body: bytes) -> str:
    return '"' + hashlib.md5(body, usedforsecurity=False).hexdigest() + '"'
