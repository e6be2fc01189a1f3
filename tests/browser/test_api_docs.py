"""The API docs render in headless Chromium with every request outside the live server cut off."""

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def offline_page(browser_page, live_server):
    """The page, with any request to another host aborted (and recorded)."""
    own_host = urlsplit(live_server.url).netloc
    blocked: list[str] = []

    def only_our_server(route):
        url = route.request.url
        if urlsplit(url).scheme in {"http", "https", "ws", "wss"} and urlsplit(url).netloc != own_host:
            blocked.append(url)
            return route.abort("internetdisconnected")
        return route.continue_()

    browser_page.context.route("**/*", only_our_server)
    browser_page.blocked = blocked
    return browser_page


def test_swagger_ui_renders_the_operations_offline(offline_page):
    page = offline_page
    page.goto("/api/docs/")

    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/health" in [path.replace("\u200b", "") for path in paths]
    assert len(paths) > 20
    assert page.blocked == []
