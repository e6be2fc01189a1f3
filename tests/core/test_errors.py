"""The one error shape: {"code", "message", "fields"} for validation, 401/403, 404, 409 and our own."""

from decimal import Decimal

import pytest

from merchants.models import DepositEntry

pytestmark = pytest.mark.django_db


def test_validation_error_shape(api_for, staff_ops, merchant_a):
    response = api_for(staff_ops).post(
        f"/api/v1/staff/merchants/{merchant_a.pk}/deposit/entries", {"kind": "top_up", "amount": "-5"}
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == "invalid"
    assert "amount" in body["fields"]
    assert not DepositEntry.objects.exists()


def test_not_found_shape(api_for, staff_ops):
    response = api_for(staff_ops).get("/api/v1/staff/merchants/999999")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "No such merchant.", "fields": {}}


def test_forbidden_shape(api_for, owner_a, merchant_a):
    response = api_for(owner_a).get("/api/v1/staff/merchants")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert set(response.json()) == {"code", "message", "fields"}


def test_unauthenticated_shape(api):
    response = api.get("/api/v1/merchant/me")
    assert response.status_code in (401, 403)
    assert response.json()["code"] == "not_authenticated"


def test_unknown_api_url_is_404_in_our_shape(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_application_error_shape(api_for, staff_ops, merchant_a):
    """A domain rule broken inside a service: refund more than zero works, a zero amount does not."""
    response = api_for(staff_ops).post(
        f"/api/v1/staff/merchants/{merchant_a.pk}/deposit/entries", {"kind": "refund", "amount": "0.001"}
    )
    assert response.status_code == 400
    assert response.json()["code"] in {"invalid"}
    assert merchant_a.deposit.entries.count() == 0
    ok = api_for(staff_ops).post(
        f"/api/v1/staff/merchants/{merchant_a.pk}/deposit/entries", {"kind": "top_up", "amount": "100.00"}
    )
    assert ok.status_code == 201
    assert Decimal(ok.json()["balance_after"]) == Decimal("100.00")


def test_json_nested_too_deep_is_a_400_everywhere(api_for, staff_ops, merchant_a):
    body = "[" * 100_000 + "]" * 100_000
    response = api_for(staff_ops).generic(
        "POST",
        f"/api/v1/staff/merchants/{merchant_a.pk}/deposit/entries",
        body,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert merchant_a.deposit.entries.count() == 0


def test_too_many_query_parameters_is_a_400_in_our_shape(api_for, staff_ops):
    query = "&".join(f"q{n}=%41" for n in range(1500))
    response = api_for(staff_ops).get(f"/api/v1/staff/merchants?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()) == {"code", "message", "fields"}
