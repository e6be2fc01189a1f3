import pytest

pytestmark = pytest.mark.django_db


def test_health_reports_database_cache_and_broker(client, settings):
    settings.HEALTH_TOKEN = "t0ken"
    response = client.get("/api/v1/health", HTTP_X_HEALTH_TOKEN="t0ken")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert all(check["ok"] for check in body["checks"].values())


def test_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/merchant/me" in schema.content
    assert client.get("/api/docs/").status_code == 200


def test_health_gives_anonymous_callers_a_bare_status(client, settings):
    settings.HEALTH_TOKEN = "t0ken"
    for headers in ({}, {"HTTP_X_HEALTH_TOKEN": "wrong"}):
        response = client.get("/health/", **headers)
        assert response.status_code == 200
        assert response.json() == {"ok": True}


def test_health_details_for_platform_staff(client, staff_ops, owner_a):
    client.force_login(owner_a)
    assert "checks" not in client.get("/health/").json()
    client.force_login(staff_ops)
    assert set(client.get("/health/").json()["checks"]) == {"database", "cache", "broker"}
