"""The answers themselves: per-merchant blobs of pre-rendered, pre-signed JSON fragments built from
the database (a constant number of queries), their per-process compiled form, and the one loop
that joins fragments into a response body."""

import json
import zlib
from datetime import UTC, datetime
from typing import NamedTuple

from merchants.models import Merchant

from ..models import BadgeHolding, TagHolding
from .signing import sign

LANGS = ("zh", "en")
NO_PRODUCT = (0, "", b"")  # a product id this process looked up and did not find


def _now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class _Tag(NamedTuple):
    """A held tag as a fragment shows it: its JSON in each language, made once per tag and terms
    version and shared by every merchant holding it."""

    code: str
    sort_order: int
    json: dict  # lang → dict


class _Badge(NamedTuple):
    code: str
    json: dict  # lang → dict


def build_blobs(merchant_ids) -> dict[int, dict]:
    """{merchant_id: blob} for the merchants that exist. Three queries, whatever the number of merchants;
    rows read as plain values (thousands of merchants after an evaluation batch)."""
    ids = list({int(m) for m in merchant_ids})
    if not ids:
        return {}
    main = dict(Merchant.objects.filter(pk__any_of=ids).values_list("pk", "main_category__code"))
    holdings = (
        TagHolding.objects.filter(merchant_id__any_of=main, state=TagHolding.State.ACTIVE)
        .order_by("merchant_id", "tag__sort_order", "tag__code")
        .values_list(
            "merchant_id", "category__code", "tag__code", "tag__sort_order", "tag__name_zh", "tag__name_en",
            "tag__group", "terms_version_id", "terms_version__promise_zh", "terms_version__promise_en",
            "terms_version__compensation_zh", "terms_version__compensation_en",
        )
    )  # fmt: skip
    badges = (
        BadgeHolding.objects.filter(merchant_id__any_of=main, active=True)
        .order_by("merchant_id", "badge__category__sort_order")
        .values_list(
            "merchant_id", "badge__category__code", "badge_id", "badge__code", "badge__name_zh",
            "badge__name_en", "badge__title_prefix_zh", "badge__title_prefix_en", "badge__search_boost",
            "badge__campaign_eligible",
        )
    )  # fmt: skip
    tags: dict[tuple[str, int], _Tag] = {}
    per_merchant: dict[int, dict[str, list]] = {m: {} for m in main}
    for merchant_id, category, code, sort_order, *tag_values in holdings:
        version = tag_values[3]
        if (code, version) not in tags:
            tags[code, version] = _tag(code, sort_order, *tag_values)
        per_merchant[merchant_id].setdefault(category, []).append(tags[code, version])
    shown: dict[int, _Badge] = {}
    badge_of: dict[int, dict[str, _Badge]] = {m: {} for m in main}
    for merchant_id, category, badge_id, *badge_values in badges:
        if badge_id not in shown:
            shown[badge_id] = _badge(*badge_values)
        badge_of[merchant_id][category] = shown[badge_id]

    issued_at = _now_iso()
    blobs = {}
    for mid in main:
        blobs[mid] = _blob(mid, main[mid], per_merchant[mid], badge_of[mid], issued_at)
    return blobs


def _tag(code, sort_order, name_zh, name_en, group, _version, promise_zh, promise_en, compensation_zh,
         compensation_en) -> _Tag:  # fmt: skip
    return _Tag(
        code,
        sort_order,
        {
            "zh": {
                "code": code, "name": name_zh, "group": group, "promise": promise_zh,
                "compensation": compensation_zh,
            },
            "en": {
                "code": code, "name": name_en, "group": group, "promise": promise_en or promise_zh,
                "compensation": compensation_en or compensation_zh,
            },
        },
    )  # fmt: skip


def _badge(code, name_zh, name_en, prefix_zh, prefix_en, search_boost, campaign_eligible) -> _Badge:
    boost = float(search_boost)
    return _Badge(
        code,
        {
            "zh": {
                "code": code, "name": name_zh, "title_prefix": prefix_zh, "search_boost": boost,
                "campaign_eligible": campaign_eligible,
            },
            "en": {
                "code": code, "name": name_en, "title_prefix": prefix_en, "search_boost": boost,
                "campaign_eligible": campaign_eligible,
            },
        },
    )  # fmt: skip


def _fragment(mid, category, holdings, badge, issued_at, lang, signatures: dict) -> str:
    if category not in signatures:  # the same in every language: signed once per fragment
        signatures[category] = sign(
            merchant_id=mid,
            category=category,
            tags=[t.code for t in holdings],
            badge=badge.code if badge else None,
            issued_at=issued_at,
        )
    signature = signatures[category]
    return _dumps(
        {
            "merchant_id": mid,
            "category": category,
            "tags": [t.json[lang] for t in holdings],
            "badge": badge.json[lang] if badge else None,
            "issued_at": issued_at,
            "signature": signature,
        }
    )


def _blob(mid: int, main_category: str, by_category: dict, badges: dict, issued_at: str) -> dict:
    union: dict[str, _Tag] = {}
    for holdings in by_category.values():
        for t in holdings:
            union.setdefault(t.code, t)
    union_list = sorted(union.values(), key=lambda t: (t.sort_order, t.code))
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
