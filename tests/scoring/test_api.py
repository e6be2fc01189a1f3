"""Score API: the merchant's latest day with the documented shape, history on request, the staff list
and one merchant; errors in the one error shape; merchants see only their own score."""

import pytest

from core import roles
from scoring.models import MerchantScore
from scoring.services.scores import score_day
from tests.factories import MerchantFactory, UserFactory

from .factories import TODAY, scored

pytestmark = pytest.mark.django_db


@pytest.fixture
def peers(merchant_a):
    others = [MerchantFactory(main_category=merchant_a.main_category) for _ in range(11)]
    scored([merchant_a, *others])
    return others


def test_merchant_latest_day_shape(client, owner_a, merchant_a, peers):
    client.force_login(owner_a)
    body = client.get("/api/v1/merchant/score").json()
    row = MerchantScore.objects.get(merchant=merchant_a)
    assert body["date"] == "2026-03-20"
    assert body["total"] == str(row.total)
    assert body["total_display"] == row.total_display
    assert (body["warning"], body["change_7d"], body["orders"]) == (False, None, 100)
    assert body["peer"] == {"percentile": "50.00", "decile": 6, "mean": str(row.total), "p90": str(row.total),
                            "count": 12}  # fmt: skip
    assert list(body["parts"]) == ["product", "dispatch", "logistics", "basic_service"]
    product = body["parts"]["product"]
    assert list(product["indicators"]) == ["rating", "quality_refund"]
    assert product["indicators"]["rating"] == {
        "numerator": "190.0000", "denominator": "40.0000", "value": "4.7500", "score": "93.75", "status": "ok",
        "peer": {"percentile": "50.00", "decile": 6, "mean": "93.75", "p90": "93.75", "count": 12},
    }  # fmt: skip
    assert body["parts"]["basic_service"]["indicators"]["handling_hours"]["value"] == "10.0000"
    assert "history" not in body


def test_history_on_request_and_bad_dates(client, owner_a, merchant_a, peers):
    score_day(day=TODAY.replace(day=21))
    client.force_login(owner_a)
    body = client.get("/api/v1/merchant/score", {"from": "2026-03-01", "to": "2026-03-21"}).json()
    assert [d["date"] for d in body["history"]] == ["2026-03-20", "2026-03-21"]
    assert body["date"] == "2026-03-21"
    bad = client.get("/api/v1/merchant/score", {"from": "March"})
    assert bad.status_code == 400
    assert bad.json()["fields"] == {"from": ["a date YYYY-MM-DD"]}
    backwards = client.get("/api/v1/merchant/score", {"from": "2026-03-21", "to": "2026-03-01"})
    assert backwards.status_code == 400


def test_no_score_yet_is_404(client, owner_b):
    client.force_login(owner_b)
    response = client.get("/api/v1/merchant/score")
    assert response.status_code == 404
    assert set(response.json()) == {"code", "message", "fields"}


def test_staff_list_and_merchant(client, merchant_a, peers, django_assert_max_num_queries):
    staff = UserFactory(roles=[roles.STAFF_OPS])
    client.force_login(staff)
    with django_assert_max_num_queries(8):
        body = client.get(
            "/api/v1/staff/scores", {"ordering": "-total", "category": "large_appliances"}
        ).json()
    assert body["count"] == 12
    assert set(body["results"][0]) >= {
        "merchant_id",
        "shop_code",
        "date",
        "total",
        "total_display",
        "warning",
    }
    assert client.get("/api/v1/staff/scores", {"category": "digital_3c"}).json()["count"] == 0
    assert client.get("/api/v1/staff/scores", {"ordering": "shoe_size"}).status_code == 400
    one = client.get(f"/api/v1/staff/scores/{merchant_a.pk}").json()
    assert one["total"] == str(MerchantScore.objects.get(merchant=merchant_a).total)
    assert client.get("/api/v1/staff/scores/999999").status_code == 404


def test_merchants_cannot_read_staff_endpoints(client, owner_a, merchant_a, peers):
    client.force_login(owner_a)
    assert client.get("/api/v1/staff/scores").status_code == 403
    assert client.get(f"/api/v1/staff/scores/{peers[0].pk}").status_code == 403


def test_schema_documents_the_endpoints(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert {"/api/v1/merchant/score", "/api/v1/staff/scores", "/api/v1/staff/scores/{merchant_id}"} <= set(
        schema["paths"]
    )
