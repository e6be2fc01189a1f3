"""Browser fixtures: Playwright driving Debian's Chromium (/usr/bin/chromium) against `live_server`.

Put browser tests in this directory (tests/browser/test_<app>_*.py) so these fixtures apply:

    import pytest

    pytestmark = pytest.mark.browser

    def test_my_page(login_as, owner_a):
        page = login_as(owner_a)            # logs in through the login form, returns the page
        page.goto("/office/my-thing/")      # relative to the live server
        assert page.locator("h1").inner_text() == "..."

Fixtures:
- `browser_page`: a fresh page (own cookies) whose base URL is the live server, Accept-Language zh-CN.
- `login(page, username, password="pass-1234")`: fills and submits the login form (a plain function).
- `login_as(user_or_username, password="pass-1234")`: `login` on `browser_page`, returns the page.
  `pass-1234` is the password of every user made by tests.factories.UserFactory.

`login` is a plain function: `from .conftest import login`.

The live server needs real commits, so these are transactional tests: each ends by emptying every
table. They run last (see pytest_collection_modifyitems below), and `browser_page` requests
serialized rollback, which reloads the rows seeded by data migrations (categories, tag catalog,
groups ...) before each browser test. When /usr/bin/chromium is missing the tests are skipped
(CI installs it and sets CI_REQUIRE_BROWSER=1, which turns the skip into a failure).
Never `playwright install`: the browser is the Debian package.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse ORM calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TEST_PASSWORD = "pass-1234"
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(config, items):
    """Mark the tests of this directory `browser` and run them last.

    Transactional tests end by emptying every table; running them last keeps that flush away from
    the rest of the suite (pytest-django has already put plain `db` tests first).
    """
    here = Path(__file__).parent
    browser_items = [item for item in items if here in Path(item.path).parents]
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
    if browser_items:
        chosen = set(browser_items)
        items[:] = [item for item in items if item not in chosen] + browser_items


@pytest.fixture(scope="session")
def _chromium():
    if not CHROMIUM.exists():
        if os.environ.get("CI_REQUIRE_BROWSER"):
            pytest.fail(f"CI_REQUIRE_BROWSER is set but {CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Django keeps DB connections in a thread-critical asgiref Local: plain thread-local storage,
    # but per-context storage while an event loop runs in the thread, which Playwright's sync API
    # does. Carry the existing connection objects over, or tests would see fresh ones without
    # the test database's serialized contents (and SQLite's in-memory sharing with live_server).
    existing = {alias: connections[alias] for alias in connections}
    with sync_playwright() as playwright:
        for alias, connection in existing.items():
            connections[alias] = connection
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def _empty_tables_before_first_browser_test(django_db_setup, django_db_blocker):
    """Serialized rollback re-inserts the saved rows into EMPTY tables before each browser test.

    A transactional test without serialized rollback ends with a flush that re-runs post_migrate,
    which recreates groups, content types and permissions under new ids; restoring the saved rows
    on top of them would collide. Browser tests run last, so empty the tables once before the
    first of them (as a serialized test's own teardown does between the others).
    """
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)


@pytest.fixture
def browser_page(
    _chromium, _empty_tables_before_first_browser_test, django_db_serialized_rollback, live_server
):
    context = _chromium.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def login(page, username: str, password: str = TEST_PASSWORD):
    """Log in through the form; afterwards the page shows the user's home surface."""
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click(".login button[type=submit]")
    if "/login/" in page.url:
        raise AssertionError(f"login as {username!r} failed")
    return page


@pytest.fixture
def login_as(browser_page):
    def _login_as(user, password: str = TEST_PASSWORD):
        username = user if isinstance(user, str) else user.get_username()
        return login(browser_page, username, password)

    return _login_as
