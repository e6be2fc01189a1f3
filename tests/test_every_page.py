"""Every page of the demo is reachable: each role crawls its surface in zh-hans and en.

The crawl follows every same-surface link (list → detail → ...) from the role's start page, on the
data the demo generates, and fails on any error status, a page that needs an unbounded number of
queries, and on what a reader must never see in the page text:

- raw values: a Python dict (`{'`), `True`/`False`, ISO timestamps (`2024-03-06T10:00:00+00:00`),
  dotted internal names (`complaints.complaint`);
- in zh-hans, English left untranslated: a text that is a msgid of our catalogue (rendered without
  its translation), or an English phrase of three words or more that the catalogue does not know
  (a string added without `makemessages`).

The catalogue itself must translate every msgid (test_catalogue_translates_every_msgid).
"""

import re
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
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


PO_FILE = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
RAW_PATTERNS = {
    "a Python dict": re.compile(r"\{'|\{\}"),
    "a raw boolean": re.compile(r"[:=] ?(True|False)\b|^(True|False)$", re.M),
    "an ISO timestamp": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"),
    "a dotted internal name": re.compile(
        r"\b(core|merchants|tags|commitments|complaints|scoring|courses)\.[a-z_]+\b"
    ),
}
# Three or more English words separated by spaces (not codes such as DEMO-EV-C-81).
ENGLISH_PHRASE = re.compile(r"\b[A-Za-z][a-z]+(?: [A-Za-z][a-z']*){2,}\b")


class _Text(HTMLParser):
    """The text a reader sees: text nodes outside <script>/<style>, and title/placeholder attributes."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("title", "placeholder") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def _texts(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.parts


def _catalogue() -> dict[str, str]:
    """msgid → msgstr of the zh_Hans catalogue (singular forms; plural msgids map to msgstr[0])."""
    entries: dict[str, str] = {}
    for block in PO_FILE.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        current = None
        for line in block.splitlines():
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[0\])?) (".*")$', line)
            if match:
                current = match.group(1)
                fields[current] = _unquote(match.group(2))
            elif line.startswith('"') and current:
                fields[current] += _unquote(line)
        if fields.get("msgid"):
            translation = fields.get("msgstr", fields.get("msgstr[0]", ""))
            fuzzy = re.search(r"^#, .*fuzzy", block, re.M) is not None
            entries[fields["msgid"]] = "" if fuzzy else translation
    return entries


def _unquote(quoted: str) -> str:
    import json

    return json.loads(quoted)


def _reader_problems(html: str, language: str, catalogue: dict[str, str]) -> list[str]:
    problems = []
    texts = _texts(html)
    joined = "\n".join(texts)
    for what, pattern in RAW_PATTERNS.items():
        for match in pattern.finditer(joined):
            line = joined[max(0, match.start() - 30) : match.end() + 30].replace("\n", " | ")
            problems.append(f"{what}: …{line}…")
    if language == "zh-hans":
        for text in texts:
            if catalogue.get(text) and catalogue[text] != text:
                problems.append(f"untranslated catalogue string: {text!r}")
            elif ENGLISH_PHRASE.search(text) and not any(text.startswith(name) for name in ALLOWED_ENGLISH):
                problems.append(f"English on a zh-hans page: {text!r}")
    return problems


ALLOWED_ENGLISH: set[str] = set()  # filled with the merchants' English names (data, not UI text)


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


def _crawl(
    client, start: str, prefix: str, language: str = "", problems: list | None = None
) -> dict[str, int]:
    seen: dict[str, int] = {}
    queue = [start]
    catalogue = _catalogue() if problems is not None else {}
    while queue and len(seen) < MAX_PAGES_PER_ROLE:
        url = queue.pop(0)
        if url in seen:
            continue
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        seen[url] = response.status_code
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        assert len(queries) <= MAX_QUERIES_PER_PAGE, f"{url} ran {len(queries)} queries"
        if problems is not None:
            problems += [
                f"{url}: {p}" for p in _reader_problems(response.content.decode(), language, catalogue)
            ]
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
    from merchants.models import Merchant

    ALLOWED_ENGLISH.update(name for name in Merchant.objects.values_list("name_en", flat=True) if name)
    problems: list[str] = []
    seen = _crawl(client, start, prefix, language, problems)
    assert len(seen) >= 8, f"{username} reached only {sorted(seen)}"
    assert problems == [], "\n".join(sorted(set(problems))[:200])
    home = client.get(start).content.decode()
    if language == "zh-hans":
        assert "工作台" in home
    else:
        assert "Dashboard" in home


def test_catalogue_translates_every_msgid():
    untranslated = sorted(msgid for msgid, msgstr in _catalogue().items() if not msgstr)
    assert untranslated == [], f"run makemessages and translate: {untranslated}"


def test_every_stored_text_of_the_demo_has_a_code(demo):
    """Texts users read are stored as a code + parameters (core.texts), never as bare English."""
    from commitments.models import Breach, Commitment
    from merchants.models import DepositEntry
    from tags.models import BadgeEvent, HoldingEvent, TagApplication

    bare = {
        f"{model.__name__}.{field}": model.objects.exclude(**{field: ""})
        .filter(**{f"{field}_code": ""})
        .count()
        for model, field in [
            (Breach, "detail"),
            (Commitment, "exemption_reason"),
            (DepositEntry, "memo"),
            (HoldingEvent, "reason"),
            (BadgeEvent, "reason"),
            (TagApplication, "rejection_reason"),
        ]
    }
    assert bare == dict.fromkeys(bare, 0)
    assert Breach.objects.exclude(detail_code="").exists()
    assert HoldingEvent.objects.exclude(reason_code="").exists()
