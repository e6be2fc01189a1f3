"""The public badge API is answered before sessions, auth, CSRF and URL resolution, with the same
language handling LocaleMiddleware would give it."""

import pytest

pytestmark = pytest.mark.django_db


def test_language_from_header_or_cookie_and_no_session_work(client, merchant_a):
    url = f"/api/v1/public/badges?merchant_ids={merchant_a.pk}"
    en = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert en.status_code == 200
    assert en.json()["language"] == "en"
    assert en["Content-Language"] == "en"
    assert "Accept-Language" in en["Vary"]
    assert "Cookie" not in en.get("Vary", "")
    assert not en.cookies  # no session, no CSRF cookie
    client.cookies["django_language"] = "en"
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["language"] == "en"
    client.cookies.clear()
    zh = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert zh.json()["language"] == "zh"
    assert zh["Content-Language"] == "zh-hans"


def test_other_paths_still_take_the_whole_stack(client):
    response = client.get("/api/v1/public/badges/verify")
    assert response.status_code == 400
    assert "Accept-Language" in response["Vary"]
