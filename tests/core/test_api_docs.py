"""/api/docs/ (Swagger UI) loads everything from our own static files."""

import re

import pytest

pytestmark = pytest.mark.django_db

EXTERNAL = re.compile(rb"""(?:src|href)=["']?(?:https?:)?//""")


def test_docs_page_loads_nothing_from_outside(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert EXTERNAL.search(response.content) is None
    assert b"/static/drf_spectacular_sidecar/" in response.content


def test_swagger_ui_has_no_inline_script(client):
    page = client.get("/api/docs/").content.decode()
    script = client.get("/api/docs/?script")

    assert re.findall(r"<script>", page) == []
    assert re.search(r'<script src="/api/docs/\?script=?"></script>', page)
    assert script.status_code == 200
    assert "/api/schema/" in script.content.decode()
