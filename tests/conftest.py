"""Personas shared by every test: merchant_a, merchant_b (each with an owner), staff users, a shopper."""

import os

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from core import roles

from .factories import MembershipFactory, MerchantFactory, UserFactory, category


def pytest_collection_modifyitems(config, items):
    """`postgres` tests need row locks: skip them only when no PostgreSQL is configured."""
    _serialize_transactional_tests(items)
    if settings.DATABASE_IS_POSTGRES:
        return
    if os.environ.get("CI_REQUIRE_POSTGRES"):
        raise pytest.UsageError("CI_REQUIRE_POSTGRES is set but DATABASE_URL is not PostgreSQL")
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL (CI does)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def _serialize_transactional_tests(items):
    """A transactional test ends by emptying every table, rows seeded by data migrations included
    (categories, tag catalog, groups ...). Serialized rollback reloads them before each such test."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            kwargs = {**marker.kwargs, "serialized_rollback": True}
            item.add_marker(pytest.mark.django_db(*marker.args, **kwargs), append=False)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _isolated_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def merchant_a(db):
    return MerchantFactory(name="海尔官方旗舰店", name_en="Haier Official Store", shop_code="A0000001")


@pytest.fixture
def merchant_b(db):
    return MerchantFactory(
        name="小米数码专营店",
        name_en="Mi Digital Store",
        shop_code="B0000001",
        main_category=category("digital_3c"),
    )


@pytest.fixture
def owner_a(merchant_a):
    return MembershipFactory(merchant=merchant_a, user=UserFactory(username="owner_a")).user


@pytest.fixture
def owner_b(merchant_b):
    return MembershipFactory(merchant=merchant_b, user=UserFactory(username="owner_b")).user


@pytest.fixture
def staff_reviewer(db):
    return UserFactory(username="reviewer", roles=[roles.STAFF_REVIEWER])


@pytest.fixture
def staff_adjudicator(db):
    return UserFactory(username="adjudicator", roles=[roles.STAFF_ADJUDICATOR])


@pytest.fixture
def staff_ops(db):
    return UserFactory(username="ops", roles=[roles.STAFF_OPS])


@pytest.fixture
def integration_user(db):
    return UserFactory(username="upstream", roles=[roles.INTEGRATION])


@pytest.fixture
def shopper():
    """Shoppers are references from the upstream order system, not users of ours."""
    return "shopper-7f3a91"


@pytest.fixture
def api():
    return APIClient()


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def api_for():
    return api_as


@pytest.fixture(autouse=True, scope="session")
def _celery_in_process():
    """Tests run jobs in-process (against the real database and cache); the broker is not under test."""
    from config.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
