import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from tags import public
from tags.models import CategoryBadge, Tag, TagHolding
from tags.public import freshness
from tags.services import catalog_entry_save, holding_revoke
from tests.factories import MerchantFactory, ProductFactory, category

from .factories import grant, grant_badge_set

pytestmark = pytest.mark.django_db

URL = "/api/v1/public/badges"


@pytest.fixture
def shop(merchant_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        holdings = grant_badge_set(merchant_a)
        holdings.append(grant(merchant_a, "ship_24h"))
    product = ProductFactory(merchant=merchant_a)
    return merchant_a, product, holdings


def _get(client, lang="zh", **params):
    return client.get(URL, params, HTTP_ACCEPT_LANGUAGE=lang)


def test_product_answer_in_chinese(api, shop):
    merchant, product, _ = shop
    r = _get(api, product_ids=str(product.pk))
    assert r.status_code == 200
    body = r.json()
    assert body["language"] == "zh"
    assert body["unknown_product_ids"] == []
    [entry] = body["results"]
    assert (entry["product_id"], entry["merchant_id"], entry["category"]) == (
        product.pk,
        merchant.pk,
        "large_appliances",
    )
    assert [t["code"] for t in entry["tags"]] == [
        "ship_24h",
        "nationwide_warranty",
        "home_delivery",
        "worry_free_returns",
    ]
    ship = entry["tags"][0]
    assert ship == {
        "code": "ship_24h",
        "name": "24h发货",
        "group": "dispatch",
        "promise": "付款后24小时内揽收",
        "compensation": "按实付金额5%赔付无门槛代金券，最低3元、最高50元",
    }
    assert entry["badge"] == {
        "code": "la_city", "name": "大家电电器城", "title_prefix": "电器城", "search_boost": 1.3, "campaign_eligible": True,
    }  # fmt: skip
    assert r["Cache-Control"] == "public, no-cache"
    assert "Accept-Language" in r["Vary"]
    assert r["Content-Language"] == "zh-hans"
    assert r["ETag"].startswith('W/"')


def test_english_and_merchant_ids(api, shop):
    merchant, _, _ = shop
    body = _get(api, lang="en", merchant_ids=f"{merchant.pk},999999").json()
    assert body["language"] == "en"
    assert body["unknown_merchant_ids"] == [999999]
    [entry] = body["results"]
    assert entry["category"] is None
    assert entry["tags"][0]["name"] == "24-hour dispatch"
    assert entry["badge"]["title_prefix"] == "Appliance City"


def test_unknown_products_are_reported(api, shop):
    _, product, _ = shop
    body = _get(api, product_ids=f"{product.pk},424242").json()
    assert [e["product_id"] for e in body["results"]] == [product.pk]
    assert body["unknown_product_ids"] == [424242]
    # served again from this process's memory: still reported, still no 500
    again = _get(api, product_ids=f"424242,{product.pk}").json()
    assert [e["product_id"] for e in again["results"]] == [product.pk]
    assert again["unknown_product_ids"] == [424242]


def test_product_in_a_category_without_tags_is_empty_but_signed(api, shop):
    merchant, _, _ = shop
    other = ProductFactory(merchant=merchant, category=category("small_appliances"))
    [entry] = _get(api, product_ids=str(other.pk)).json()["results"]
    assert (entry["tags"], entry["badge"]) == ([], None)
    assert public.verify_signature(
        entry["signature"], merchant_id=merchant.pk, category="small_appliances", tags=[], badge=None,
        issued_at=entry["issued_at"],
    )  # fmt: skip


@pytest.mark.parametrize(
    "params",
    [
        {"product_ids": ""},
        {"product_ids": "1,,2"},
        {"product_ids": "1,abc"},
        {"product_ids": "-1"},
        {"product_ids": "0"},
        {"product_ids": "1.5"},
        {"product_ids": ",".join(str(i) for i in range(1, 102))},
        {"product_ids": "1", "merchant_ids": "1"},
        {},
    ],
)
def test_bad_input_is_400_with_the_error_shape(api, params, db):
    r = api.get(URL, params)
    assert r.status_code == 400
    assert set(r.json()) == {"code", "message", "fields"}


MANY_FIELDS = "&".join(f"x{i}=1" for i in range(1200))  # beyond DATA_UPLOAD_MAX_NUMBER_FIELDS


@pytest.mark.parametrize(
    "query",
    [
        "product_ids=1&product_ids=2",  # repeated, plain
        "product_ids=1%2C2&product_ids=3",  # repeated, escaped (parsed by QueryDict)
        "merchant_ids=1&merchant_ids=1",
        "product_ids=1%2C2&" + MANY_FIELDS,  # Django refuses to parse this many fields
    ],
)
def test_repeated_ids_and_too_many_fields_are_400_in_our_shape(api, shop, query):
    r = api.get(f"{URL}?{query}")
    assert r.status_code == 400
    assert set(r.json()) == {"code", "message", "fields"}
    assert r.json()["code"] == "invalid"


@pytest.mark.parametrize(
    "query",
    [
        "", "?", "=&=&&", "product_ids", "product_ids&merchant_ids", "product_ids=&merchant_ids=",
        "product_ids=%ff", "product_ids=%00", "product_ids=1%00", "product_ids=1;2", "product_ids=1+,+2",
        "product_ids=999999999999999999", "merchant_ids=999999999999999999", "product_ids=9223372036854775808",
        "product_ids=" + "9" * 5000, "merchant_ids=" + ",".join(["1"] * 500), "product_ids=%EF%BC%91",
        "product_ids=1&merchant_ids=1&product_ids=2", "product_ids[]=1", "PRODUCT_IDS=1", "product_ids=1&" + MANY_FIELDS,
    ],
)  # fmt: skip
def test_any_query_string_answers_200_or_400_never_500(api, shop, query):
    r = api.get(f"{URL}?{query}")
    assert r.status_code in (200, 400)
    body = r.json()
    if r.status_code == 400:
        assert set(body) == {"code", "message", "fields"}
    else:
        assert set(body) >= {"language", "results"}


def test_unknown_product_ids_do_not_grow_the_process_map_without_bound(api, shop, monkeypatch):
    _, product, _ = shop
    monkeypatch.setattr(freshness, "PRODUCT_MAP_MAX", 150)
    assert _get(api, product_ids=str(product.pk)).json()["results"][0]["product_id"] == product.pk
    for start in range(10_000_000, 10_000_500, 99):  # anonymous clients asking for random ids
        ids = [product.pk, *range(start, start + 99)]
        body = _get(api, product_ids=",".join(map(str, ids))).json()
        assert [e["product_id"] for e in body["results"]] == [product.pk]
        assert body["unknown_product_ids"] == ids[1:]
        assert len(public._PRODUCTS["map"]) <= 150


def test_verify_with_too_many_fields_is_400_in_our_shape(api, db):
    r = api.get(f"{URL}/verify?merchant_id=1&issued_at=x&signature=y&" + MANY_FIELDS)
    assert r.status_code == 400
    assert r.json() == {
        "code": "invalid", "message": "the query string has too many parameters", "fields": {},
    }  # fmt: skip


def test_exactly_100_ids_is_fine(api, shop):
    ids = ",".join(str(i) for i in range(1, 101))
    assert api.get(URL, {"product_ids": ids}).status_code == 200


def test_write_methods_are_refused(api, shop):
    assert api.post(URL, {}).status_code == 405


def test_etag_gives_304(api, shop):
    _, product, _ = shop
    first = _get(api, product_ids=str(product.pk))
    again = api.get(
        URL, {"product_ids": str(product.pk)}, HTTP_ACCEPT_LANGUAGE="zh", HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]
    english = api.get(
        URL, {"product_ids": str(product.pk)}, HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert english.status_code == 200


def _many_products(n):
    products = []
    for _ in range(n // 5 + 1):
        merchant = MerchantFactory()
        grant(merchant, "ship_48h")
        products += [ProductFactory(merchant=merchant) for _ in range(5)]
    return products[:n]


def test_constant_number_of_queries_for_1_or_100_ids(api, db, django_capture_on_commit_callbacks):
    products = _many_products(100)
    public.reset_local()
    with CaptureQueriesContext(connection) as one:
        assert _get(api, product_ids=str(products[0].pk)).status_code == 200
    public.reset_local()
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as hundred:
        r = _get(api, product_ids=",".join(str(p.pk) for p in products))
    assert len(r.json()["results"]) == 100
    assert len(one) == len(hundred) == 4
    # warm: no database at all
    with CaptureQueriesContext(connection) as warm:
        _get(api, product_ids=",".join(str(p.pk) for p in products))
    assert len(warm) == 0


def test_revocation_is_visible_on_the_next_request(api, shop, django_capture_on_commit_callbacks):
    merchant, product, holdings = shop
    before = _get(api, product_ids=str(product.pk)).json()["results"][0]
    assert before["badge"] is not None
    home = next(h for h in holdings if h.tag.code == "home_delivery")
    with django_capture_on_commit_callbacks(execute=True):
        holding_revoke(holding_id=home.pk, reason="fault complaint rate 0.7%")
    after = _get(api, product_ids=str(product.pk)).json()["results"][0]
    assert "home_delivery" not in [t["code"] for t in after["tags"]]
    assert after["badge"] is None


REDIS_DOWN = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
    }
}


def test_answer_from_the_database_when_redis_is_down(api, shop):
    _, product, _ = shop
    with override_settings(CACHES=REDIS_DOWN):
        r = _get(api, product_ids=f"{product.pk},77777")
        assert public.store().raw is not None  # really went through django-redis
    assert r.status_code == 200
    body = r.json()
    assert [t["code"] for t in body["results"][0]["tags"]][0] == "ship_24h"
    assert body["unknown_product_ids"] == [77777]


def test_holding_change_with_redis_down_does_not_fail(shop, django_capture_on_commit_callbacks):
    _, _, holdings = shop
    with override_settings(CACHES=REDIS_DOWN), django_capture_on_commit_callbacks(execute=True):
        holding_revoke(holding_id=holdings[0].pk, reason="failed")
    holdings[0].refresh_from_db()
    assert holdings[0].state == "rectifying"


def _verify(api, entry, **overrides):
    params = {
        "merchant_id": entry["merchant_id"],
        "category": entry["category"] or "",
        "tags": ",".join(t["code"] for t in entry["tags"]),
        "badge": (entry["badge"] or {}).get("code", ""),
        "issued_at": entry["issued_at"],
        "signature": entry["signature"],
    }
    params.update(overrides)
    return api.get(URL + "/verify", params)


def test_signature_verifies_and_tampering_is_rejected(
    api, shop, merchant_b, django_capture_on_commit_callbacks
):
    merchant, product, holdings = shop
    entry = _get(api, product_ids=str(product.pk)).json()["results"][0]
    r = _verify(api, entry)
    assert r.status_code == 200
    assert r.json() == {"valid": True, "current": True, "message": "genuine and current"}
    assert (
        _verify(
            api, entry, tags="ship_24h,nationwide_warranty,home_delivery,worry_free_returns,free_shipping"
        ).json()["valid"]
        is False
    )
    assert _verify(api, entry, merchant_id=merchant_b.pk).json()["valid"] is False  # copied to another shop
    assert _verify(api, entry, issued_at="2030-01-01T00:00:00Z").json()["valid"] is False
    assert _verify(api, entry, signature="0" * 64).json()["valid"] is False
    with django_capture_on_commit_callbacks(execute=True):
        holding_revoke(holding_id=holdings[0].pk, reason="failed")
    assert _verify(api, entry).json() == {
        "valid": True, "current": False, "message": "genuine, but the merchant's tags have changed since",
    }  # fmt: skip


@pytest.mark.parametrize(
    "query",
    [
        "", "merchant_id=x", "merchant_id=", "merchant_id=0&issued_at=x&signature=y",
        "merchant_id=-5&issued_at=x&signature=y", "merchant_id=1e3&issued_at=x&signature=y",
        "merchant_id=" + "9" * 5000 + "&issued_at=x&signature=y", "merchant_id=%ff&issued_at=x&signature=y",
        "merchant_id=1&issued_at=%00&signature=y", "merchant_id=1&issued_at=x&signature=y&tags=%00",
        "merchant_id=1&issued_at=&signature=",
    ],
)  # fmt: skip
def test_verify_bad_input_is_400(api, db, query):
    r = api.get(f"{URL}/verify?{query}")
    assert r.status_code == 400
    body = r.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == "invalid"
    assert body["fields"]


def test_rate_limited(api, shop, settings):
    _, product, _ = shop
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"public": "3/min"}}
    codes = [_get(api, product_ids=str(product.pk)).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    r = _get(api, product_ids=str(product.pk))
    assert r.json()["code"] == "throttled"


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis: set REDIS_URL")
def test_change_published_by_another_process_reaches_this_one(api, shop):
    """Another process changes a holding: it rewrites the blob in Redis and publishes the merchant id.
    This process's listener drops its copy, so the next request shows the change."""
    import time

    merchant, product, holdings = shop
    s = public.store()
    deadline = time.monotonic() + 5
    while not public.listener_live(s) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert public.listener_live(s)
    assert _get(api, product_ids=str(product.pk)).json()["results"][0]["badge"] is not None
    assert merchant.pk in public._LOCAL["blobs"]
    # what holding_revoke's on_commit does in the other process, minus this process's local drop
    home = next(h for h in holdings if h.tag.code == "home_delivery")
    TagHolding.objects.filter(pk=home.pk).update(state="rectifying")
    from tags.services import badges_recompute

    badges_recompute(merchant_id=merchant.pk)
    s.put_blobs(public.build_blobs([merchant.pk]), only_missing=False)
    s.bump([merchant.pk])
    while merchant.pk in public._LOCAL["blobs"] and time.monotonic() < deadline:
        time.sleep(0.01)
    after = _get(api, product_ids=str(product.pk)).json()["results"][0]
    assert after["badge"] is None
    assert "home_delivery" not in [t["code"] for t in after["tags"]]


# --- catalog edits ---------------------------------------------------------------------------


def test_a_tag_rename_through_the_catalog_service_reaches_the_next_answer(
    api, shop, staff_ops, django_capture_on_commit_callbacks
):
    _, product, _ = shop
    assert _get(api, lang="en", product_ids=str(product.pk)).json()["results"][0]["tags"][0]["name"] == (
        "24-hour dispatch"
    )
    tag = Tag.objects.get(code="ship_24h")
    tag.name_en = "Ships in 24 hours"
    with django_capture_on_commit_callbacks(execute=True):
        catalog_entry_save(entry=tag, actor=staff_ops, changed=["name_en"])
    assert _get(api, lang="en", product_ids=str(product.pk)).json()["results"][0]["tags"][0]["name"] == (
        "Ships in 24 hours"
    )


def test_a_badge_edit_through_the_catalog_service_reaches_the_next_answer(
    api, shop, staff_ops, django_capture_on_commit_callbacks
):
    _, product, _ = shop
    assert (
        _get(api, lang="en", product_ids=str(product.pk)).json()["results"][0]["badge"]["search_boost"] == 1.3
    )
    badge = CategoryBadge.objects.get(code="la_city")
    badge.search_boost = "1.5"
    with django_capture_on_commit_callbacks(execute=True):
        catalog_entry_save(entry=badge, actor=staff_ops, changed=["search_boost"])
    assert (
        _get(api, lang="en", product_ids=str(product.pk)).json()["results"][0]["badge"]["search_boost"] == 1.5
    )


REDIS_DOWN_QUIET = {
    "default": {
        **REDIS_DOWN["default"],
        "OPTIONS": {**REDIS_DOWN["default"]["OPTIONS"], "IGNORE_EXCEPTIONS": True},
    }
}


def test_clear_all_survives_the_store_being_down(shop):
    """The cache swallows its own errors (IGNORE_EXCEPTIONS) but the raw store raises StoreDown."""
    with override_settings(CACHES=REDIS_DOWN_QUIET):
        public.clear_all()
        assert public.store().raw is not None
    assert public._LOCAL["blobs"] == {}
