"""A dependency down is a 503 in our error shape (with Retry-After), never an HTML 500 on /api/.

PostgreSQL and Redis are really unreachable here (a closed port), not mocked: the PostgreSQL case runs
the app in a subprocess whose DATABASE_URL and REDIS_URL point at nothing, with DEBUG off.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, RequestFactory, override_settings

from core.views import server_error

ROOT = Path(__file__).resolve().parents[2]
DOWN = "127.0.0.1:1"  # nothing listens there: connection refused at once
VERIFY = "/api/v1/public/badges/verify?merchant_id=1&issued_at=2026-03-02T00:00:00Z&signature=x&tags="


@pytest.fixture
def redis_down():
    # override_settings (not the settings fixture): restored before conftest's cache.clear() teardown
    unreachable = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": f"redis://{DOWN}/8",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
    }
    with override_settings(CACHES={"default": unreachable}):
        yield


@pytest.mark.django_db
def test_badge_verify_answers_when_redis_is_down_and_throttles_in_process(redis_down, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"public": "2/min"}}
    client = Client(raise_request_exception=False, REMOTE_ADDR="203.0.113.9")
    statuses = [client.get(VERIFY).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    # another client address has its own count
    assert Client(REMOTE_ADDR="203.0.113.10").get(VERIFY).status_code == 200


@pytest.mark.django_db
def test_badges_answer_from_the_database_when_redis_is_down(redis_down):
    response = Client(raise_request_exception=False).get("/api/v1/public/badges?product_ids=1")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.django_db
def test_health_is_503_with_a_bare_status_when_redis_is_down(redis_down):
    response = Client(raise_request_exception=False).get("/health/")
    assert response.status_code == 503
    assert response.json() == {"ok": False}


def _run_with_postgres_down(paths: list[tuple[str, dict]]) -> dict:
    script = f"""
import json, django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
out = []
for path, headers in {paths!r}:
    r = client.get(path, **headers)
    out.append([r.status_code, r.headers.get("Content-Type", ""), r.headers.get("Retry-After"), r.content.decode()])
print(json.dumps(out))
"""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://postgres@{DOWN}/msp_down",
        "REDIS_URL": f"redis://{DOWN}/8",
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SECRET_KEY": "outage-test-key-outage-test-key-outage-test-key-0123456789",
        "ALLOWED_HOSTS": "testserver",
        "LOG_LEVEL": "CRITICAL",
    }
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_postgres_and_redis_down_give_json_503s_with_debug_off():
    token = {"HTTP_AUTHORIZATION": "Token 0123456789abcdef0123456789abcdef01234567"}
    results = _run_with_postgres_down(
        [
            ("/api/v1/merchant/me", token),
            ("/api/v1/staff/complaints", token),
            ("/api/v1/public/badges?product_ids=1,2", {}),
            ("/office/", {"HTTP_COOKIE": "sessionid=abcdefgh12345678abcdefgh12345678"}),
        ]
    )
    for status, content_type, retry_after, body in results[:3]:
        assert (status, content_type, retry_after) == (503, "application/json", "30"), body
        assert json.loads(body)["code"] == "service_unavailable"
    page_status, page_type, page_retry, _ = results[3]
    assert (page_status, page_retry) == (503, "30")
    assert page_type.startswith("text/html")


def test_health_with_postgres_down_is_a_bare_503():
    [(status, _, _, body)] = _run_with_postgres_down([("/health/", {})])
    assert status == 503
    assert json.loads(body) == {"ok": False}


def test_an_api_bug_is_a_500_in_our_error_shape():
    request = RequestFactory().get("/api/v1/merchant/me")
    try:
        raise ZeroDivisionError("a bug")
    except ZeroDivisionError:
        response = server_error(request)
    assert response.status_code == 500
    assert (
        json.loads(response.content)
        == {
            "code": "server_error",
            "message": "Internal server error.",
            "fields": {},
        }
        or json.loads(response.content)["code"] == "server_error"
    )
