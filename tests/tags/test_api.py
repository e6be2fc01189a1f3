import pytest

from tags.models import HoldingEvent, TagApplication, TagHolding
from tests.factories import BrandFactory

from .factories import fund, grant

pytestmark = pytest.mark.django_db

APPS = "/api/v1/merchant/tag-applications"


def _create(client, code="ship_24h", cat="large_appliances", submit=True, config=None):
    return client.post(
        APPS, {"tag": code, "category": cat, "submit": submit, "config": config or {}}, format="json"
    )


def test_merchant_applies_submits_and_signs(api_for, owner_a, merchant_a, no_metric_providers):
    fund(merchant_a)
    client = api_for(owner_a)
    r = _create(client)
    assert r.status_code == 201
    body = r.json()
    assert body["state"] == "awaiting_agreement"
    assert [c["code"] for c in body["checks"]][:3] == ["not_barred", "category_eligible", "exclusive"]
    r = client.post(f"{APPS}/{body['id']}/sign", {"signer_name": "王海", "accept": True}, format="json")
    assert r.status_code == 200
    assert r.json()["state"] == "active"
    holdings = client.get("/api/v1/merchant/tag-holdings").json()
    assert holdings["count"] == 1
    assert holdings["results"][0]["history"][0]["kind"] == "granted"


def test_invalid_transition_is_409(api_for, owner_a, merchant_a):
    fund(merchant_a)
    app_id = _create(api_for(owner_a), submit=False).json()["id"]
    r = api_for(owner_a).post(f"{APPS}/{app_id}/sign", {"signer_name": "x", "accept": True}, format="json")
    assert r.status_code == 409
    assert r.json()["code"] == "invalid_transition"


def test_bad_input_is_400(api_for, owner_a):
    client = api_for(owner_a)
    assert (
        client.post(APPS, {"tag": "nope", "category": "large_appliances"}, format="json").status_code == 400
    )
    assert (
        client.post(
            APPS, {"tag": "ship_24h", "category": "large_appliances", "config": [1]}, format="json"
        ).status_code
        == 400
    )
    r = client.post(APPS, {"tag": "price_protect_30d", "category": "large_appliances"}, format="json")
    assert r.status_code == 400
    assert not TagApplication.objects.exists()


def test_duplicate_open_application_is_409(api_for, owner_a):
    client = api_for(owner_a)
    assert _create(client, submit=False).status_code == 201
    assert _create(client, submit=False).status_code == 409


def test_merchant_a_cannot_see_or_touch_merchant_b(api_for, owner_a, owner_b, merchant_b):
    fund(merchant_b)
    app_b = _create(api_for(owner_b), cat="digital_3c").json()
    holding_b = grant(merchant_b, "ship_48h", cat="digital_3c")
    a = api_for(owner_a)
    assert a.get(f"{APPS}/{app_b['id']}").status_code == 404
    assert a.post(f"{APPS}/{app_b['id']}/submit").status_code == 404
    assert (
        a.post(f"{APPS}/{app_b['id']}/sign", {"signer_name": "x", "accept": True}, format="json").status_code
        == 404
    )
    assert a.patch(f"{APPS}/{app_b['id']}", {"config": {}}, format="json").status_code == 404
    assert a.post(f"/api/v1/merchant/tag-holdings/{holding_b.pk}/withdraw").status_code == 404
    assert a.get(APPS).json()["count"] == 0
    assert a.get("/api/v1/merchant/tag-holdings").json()["count"] == 0
    holding_b.refresh_from_db()
    assert holding_b.state == "active"
    assert TagApplication.objects.get(pk=app_b["id"]).state == app_b["state"]


STAFF_POSTS = [
    "/api/v1/staff/tag-applications/{app}/approve",
    "/api/v1/staff/tag-applications/{app}/reject",
    "/api/v1/staff/tag-holdings/{holding}/revoke",
    "/api/v1/staff/tag-holdings/{holding}/restore",
    "/api/v1/staff/warranty-services/{service}/approve",
    "/api/v1/staff/warranty-services/{service}/reject",
]


@pytest.fixture
def review_objects(merchant_a, owner_a, api_for, staff_ops):
    from tags.services import warranty_service_create

    fund(merchant_a)
    client = api_for(owner_a)
    app = _create(client, "sf_free_shipping", config={"warehouse": True}).json()
    client.post(f"{APPS}/{app['id']}/sign", {"signer_name": "王海", "accept": True}, format="json")
    holding = grant(merchant_a, "ship_24h")
    service = warranty_service_create(
        brand=BrandFactory(), hotline="400", warranty_period_months=12, policy_zh="一年", response_hours=24,
        repair_days=30, integration_mode="portal", outlets=[],
    )  # fmt: skip
    return {"app": app["id"], "holding": holding.pk, "service": service.pk}


@pytest.mark.parametrize("url", STAFF_POSTS)
def test_merchants_cannot_use_staff_endpoints(api_for, owner_a, review_objects, url):
    r = api_for(owner_a).post(url.format(**review_objects), {"reason": "x"}, format="json")
    assert r.status_code == 403
    assert TagApplication.objects.get(pk=review_objects["app"]).state == "under_review"
    assert TagHolding.objects.get(pk=review_objects["holding"]).state == "active"


def test_staff_lists_are_staff_only(api_for, owner_a, staff_reviewer, api, db):
    for url in ("/api/v1/staff/tag-applications", "/api/v1/staff/warranty-services"):
        assert api_for(owner_a).get(url).status_code == 403
        assert api.get(url).status_code in (401, 403)
        assert api_for(staff_reviewer).get(url).status_code == 200


def test_adjudicator_cannot_review(api_for, staff_adjudicator, review_objects):
    r = api_for(staff_adjudicator).post(f"/api/v1/staff/tag-applications/{review_objects['app']}/approve")
    assert r.status_code == 403


def test_reviewer_approves_and_rejects(api_for, staff_reviewer, review_objects, merchant_a):
    client = api_for(staff_reviewer)
    r = client.post(f"/api/v1/staff/tag-applications/{review_objects['app']}/reject", {}, format="json")
    assert r.status_code == 400
    r = client.post(f"/api/v1/staff/tag-applications/{review_objects['app']}/approve", {}, format="json")
    assert r.status_code == 200
    assert r.json()["state"] == "active"
    assert TagHolding.objects.get(merchant=merchant_a, tag__code="sf_free_shipping").state == "active"
    queue = client.get("/api/v1/staff/tag-applications", {"state": "under_review"}).json()
    assert queue["count"] == 0


def test_large_appliance_warranty_rules(api_for, staff_reviewer, staff_ops):
    brand = BrandFactory(name_zh="海尔", is_large_appliance=True)
    cities = ["北京", "上海"] * 14 + ["乌鲁木齐"] * 40  # 28 designated, 68 outlets
    payload = {
        "brand": brand.pk, "hotline": "400-699-9999", "warranty_period_months": 36, "policy_zh": "整机三年",
        "response_hours": 24, "repair_days": 30, "integration_mode": "api",
        "outlets": [{"name": f"网点{i}", "city": c} for i, c in enumerate(cities)],
    }  # fmt: skip
    r = api_for(staff_ops).post("/api/v1/staff/warranty-services", payload, format="json")
    assert r.status_code == 201
    sid = r.json()["id"]
    r = api_for(staff_reviewer).post(f"/api/v1/staff/warranty-services/{sid}/approve")
    assert r.status_code == 400
    assert r.json()["fields"]["rules"] == ["28 outlets in designated cities, at least 30 needed"]
    payload["outlets"] += [{"name": "广州网点", "city": "广州"}, {"name": "深圳网点", "city": "深圳"}]
    sid2 = api_for(staff_ops).post("/api/v1/staff/warranty-services", payload, format="json").json()["id"]
    r = api_for(staff_reviewer).post(f"/api/v1/staff/warranty-services/{sid2}/approve")
    assert r.status_code == 200
    assert r.json()["state"] == "approved"


def test_list_endpoints_query_count(api_for, owner_a, merchant_a, django_assert_max_num_queries):
    fund(merchant_a)
    client = api_for(owner_a)
    for code in ("ship_24h", "genuine_invoice", "fast_refund", "installments", "free_shipping"):
        _create(client, code)
    for code in ("home_delivery", "worry_free_returns", "nationwide_warranty", "return_shipping_paid"):
        grant(merchant_a, code)
    with django_assert_max_num_queries(12):
        assert client.get(APPS).json()["count"] == 5
    with django_assert_max_num_queries(12):
        assert client.get("/api/v1/merchant/tag-holdings").json()["count"] == 4
    with django_assert_max_num_queries(12):
        assert client.get("/api/v1/merchant/badges").json()["count"] == 1
    with django_assert_max_num_queries(10):
        assert len(client.get("/api/v1/tags/catalog").json()["tags"]) == 19


def test_long_approval_note_fits_the_holding_history(api_for, staff_reviewer, review_objects, merchant_a):
    note = "核" * 2000  # the API accepts 2000 characters; HoldingEvent.reason holds 300
    r = api_for(staff_reviewer).post(
        f"/api/v1/staff/tag-applications/{review_objects['app']}/approve", {"note": note}, format="json"
    )
    assert r.status_code == 200
    assert r.json()["state"] == "active"
    event = HoldingEvent.objects.get(holding__merchant=merchant_a, holding__tag__code="sf_free_shipping")
    assert event.kind == "granted"
    assert len(event.reason) == 300
    assert event.reason.startswith(f"application #{review_objects['app']} approved by staff: 核核")


def _nested(depth: int) -> dict:
    value: dict = {}
    for _ in range(depth):
        value = {"a": value}
    return value


@pytest.mark.parametrize(
    "config",
    [
        {"warehouse": "\u0000"},  # PostgreSQL jsonb refuses \u0000 (a 500 there)
        {"\u0000": True},
        {"sf_coverage": ["11", "a\u0000b"]},
        _nested(40),
    ],
    ids=["nul-value", "nul-key", "nul-in-list", "deep"],
)
def test_config_with_nul_characters_or_deep_nesting_is_400(api_for, owner_a, merchant_a, config):
    fund(merchant_a)
    client = api_for(owner_a)
    r = _create(client, "sf_free_shipping", submit=False, config=config)
    assert r.status_code == 400
    assert r.json()["code"] == "invalid"
    assert list(r.json()["fields"]) == ["config"]
    assert not TagApplication.objects.exists()
    draft = _create(client, "sf_free_shipping", submit=False, config={"warehouse": True}).json()
    r = client.patch(f"{APPS}/{draft['id']}", {"config": config}, format="json")
    assert r.status_code == 400
    assert list(r.json()["fields"]) == ["config"]
    assert TagApplication.objects.get(pk=draft["id"]).config == {"warehouse": True}


@pytest.mark.parametrize(
    "body",
    [[1], {"reason": "a\u0000b"}, {"reason": {"x": 1}}, {"reason": "x" * 301}],
    ids=["list", "nul", "object", "long"],
)
def test_withdraw_with_a_bad_body_is_400_and_changes_nothing(api_for, owner_a, merchant_a, body):
    holding = grant(merchant_a, "ship_24h")
    r = api_for(owner_a).post(f"/api/v1/merchant/tag-holdings/{holding.pk}/withdraw", body, format="json")
    assert r.status_code == 400
    assert set(r.json()) == {"code", "message", "fields"}
    holding.refresh_from_db()
    assert holding.state == "active"


def test_withdraw_records_the_reason(api_for, owner_a, merchant_a):
    holding = grant(merchant_a, "ship_24h")
    client = api_for(owner_a)
    r = client.post(f"/api/v1/merchant/tag-holdings/{holding.pk}/withdraw", {"reason": "停售"}, format="json")
    assert r.status_code == 200
    assert r.json()["state"] == "withdrawn"
    assert r.json()["history"][0] == {
        "at": r.json()["history"][0]["at"],
        "kind": "withdrawn",
        "reason": "停售",
    }
    other = grant(merchant_a, "worry_free_returns")
    r = client.post(f"/api/v1/merchant/tag-holdings/{other.pk}/withdraw")
    assert r.status_code == 200
    assert r.json()["history"][0]["reason"] == "withdrawn by the merchant"
