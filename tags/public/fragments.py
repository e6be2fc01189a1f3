"""The answers themselves: per-merchant blobs of pre-rendered, pre-signed JSON fragments built from
the database (a constant number of queries), their per-process compiled form, and the one loop
that joins fragments into a response body."""

import json
import zlib
from datetime import UTC, datetime

from merchants.models import Merchant

from ..models import BadgeHolding, TagHolding
from .signing import sign

LANGS = ("zh", "en")
NO_PRODUCT = (0, "", b"")  # a product id this process looked up and did not find


def _now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def build_blobs(merchant_ids) -> dict[int, dict]:
    """{merchant_id: blob} for the merchants that exist. Three queries, whatever the number of merchants."""
    ids = list({int(m) for m in merchant_ids})
    if not ids:
        return {}
    main = dict(Merchant.objects.filter(pk__any_of=ids).values_list("pk", "main_category__code"))
    holdings = (
        TagHolding.objects.filter(merchant_id__any_of=main, state=TagHolding.State.ACTIVE)
        .select_related("tag", "terms_version", "category")
        .order_by("merchant_id", "tag__sort_order", "tag__code")
    )
    badges = (
        BadgeHolding.objects.filter(merchant_id__any_of=main, active=True)
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


def _fragment(mid, category, holdings, badge, issued_at, lang, signatures: dict) -> str:
    if category not in signatures:  # the same in every language: signed once per fragment
        signatures[category] = sign(
            merchant_id=mid,
            category=category,
            tags=[h.tag.code for h in holdings],
            badge=badge.code if badge else None,
            issued_at=issued_at,
        )
    signature = signatures[category]
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
    signatures: dict = {}
    for lang in LANGS:
        frags = {
            cat: _fragment(mid, cat, holdings, badges.get(cat), issued_at, lang, signatures)
            for cat, holdings in by_category.items()
        }
        for cat in badges:
            frags.setdefault(cat, _fragment(mid, cat, [], badges[cat], issued_at, lang, signatures))
        frags["*"] = _fragment(mid, None, union_list, merchant_badge, issued_at, lang, signatures)
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


def render(
    ids: list[int], lang: str, where: dict, blobs: dict, *, strict: bool
) -> tuple[list[bytes], list[int]] | None:
    """The response's `results` parts for `ids`, and the ids that do not exist.

    `where[id]` is (merchant id, category or None, the entry's rendered prefix: `"product_id":N,` or
    b"") or NO_PRODUCT; `blobs[merchant id]` a compiled blob. With `strict` (the in-memory hot path)
    anything not at hand gives None instead, and the caller takes the general path.
    """
    parts: list[bytes] = []
    unknown: list[int] = []
    append = parts.append
    sep = b"{"
    for i in ids:
        hit = where.get(i)
        if hit is None or hit is NO_PRODUCT:
            if hit is None and strict:
                return None
            unknown.append(i)
            continue
        entry = blobs.get(hit[0])
        if entry is None:
            if strict:
                return None
            unknown.append(i)
            continue
        append(sep)
        append(hit[2])
        append(entry[lang].get(hit[1] or "*") or fragment_for(entry, lang, hit[1]))
        sep = b",{"
    return parts, unknown


def body_for(lang: str, id_name: str, results: list[bytes], unknown: list[int]) -> bytes:
    return b"".join(
        [
            b'{"language":"',
            lang.encode(),
            b'","results":[',
            *results,
            b'],"unknown_%s":[%s]}' % (id_name.encode(), ",".join(map(str, unknown)).encode()),
        ]
    )


def etag_for(body: bytes) -> str:
    """A validator, not a security feature: a fast checksum and the length (a few µs for 50 KB)."""
    return f'W/"{zlib.crc32(body):08x}{len(body):x}"'
