"""Login throttling (django-axes) for the site and admin login, per user and per client address;
unlock by staff_ops; wrong API tokens throttled per client address; X-Forwarded-For only from a
trusted proxy."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "right-pass-2024"


@pytest.fixture
def alice(db):
    user = UserFactory(username="alice")
    user.set_password(PASSWORD)
    user.save()
    return user


def _login(client, path, username, password):
    return client.post(path, {"username": username, "password": password})


@pytest.mark.parametrize("path", ["/login/", "/admin/login/"])
def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(alice, settings, path):
    settings.LANGUAGE_CODE = "en"
    client = Client(REMOTE_ADDR="198.51.100.1")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, path, "alice", "wrong").status_code == 200
    locked = _login(client, path, "alice", "wrong")
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert "staff_ops" in locked.content.decode()
    # the right password from another address does not get in either: the user is locked
    other = Client(REMOTE_ADDR="198.51.100.2")
    assert _login(other, path, "alice", PASSWORD).status_code == 429
    assert "_auth_user_id" not in other.session


def test_one_address_trying_many_users_is_locked(alice, settings):
    client = Client(REMOTE_ADDR="198.51.100.7")
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "/login/", f"nobody{i}", "wrong")
    assert _login(client, "/login/", "alice", PASSWORD).status_code == 429
    # alice from her own address still gets in
    assert _login(Client(REMOTE_ADDR="198.51.100.8"), "/login/", "alice", PASSWORD).status_code == 302


def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted(alice, settings):
    client = Client(REMOTE_ADDR="198.51.100.9")
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": f"x{i}", "password": "no"}, HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.9"}
    settings.TRUSTED_PROXIES = ["198.51.100.9"]
    client.post(
        "/login/", {"username": "y", "password": "no"}, HTTP_X_FORWARDED_FOR="192.0.2.77, 198.51.100.9"
    )
    assert AccessAttempt.objects.filter(ip_address="192.0.2.77").exists()


def test_staff_ops_unlocks_in_the_admin(alice, staff_ops, settings):
    client = Client(REMOTE_ADDR="198.51.100.3")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "/login/", "alice", "wrong")
    assert _login(client, "/login/", "alice", PASSWORD).status_code == 429
    staff_ops.is_staff = True
    staff_ops.save()
    ops = Client()
    ops.force_login(staff_ops)
    assert ops.get("/admin/axes/accessattempt/").status_code == 200
    ids = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = ops.post(
        "/admin/axes/accessattempt/", {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert _login(client, "/login/", "alice", PASSWORD).status_code == 302


def test_wrong_api_tokens_are_throttled_per_client_address(alice, settings):
    settings.API_TOKEN_FAILURE_LIMIT = 3
    good = Token.objects.create(user=alice).key
    client = Client(REMOTE_ADDR="198.51.100.4")
    statuses = [
        client.get("/api/v1/merchant/me", HTTP_AUTHORIZATION=f"Token {'0' * 39}{i}").status_code
        for i in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
    locked = client.get("/api/v1/merchant/me", HTTP_AUTHORIZATION=f"Token {good}")
    assert locked.status_code == 429
    assert locked.json()["code"] == "throttled"
    other = Client(REMOTE_ADDR="198.51.100.5").get("/api/v1/merchant/me", HTTP_AUTHORIZATION=f"Token {good}")
    assert other.status_code != 429
