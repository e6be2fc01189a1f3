"""Rows with absurd values stored before the input boundary existed cannot break a page."""

from datetime import UTC, datetime

import pytest

from commitments.models import ForceMajeure
from tags.models import Tag

pytestmark = pytest.mark.django_db


def test_force_majeure_page_renders_a_stored_year_9999_declaration(client, staff_ops):
    declaration = ForceMajeure.objects.create(
        provinces=["310000"],
        starts_at=datetime(1, 1, 1, tzinfo=UTC),
        ends_at=datetime(9999, 12, 31, 23, 0, tzinfo=UTC),
        reason="typhoon",
    )
    declaration.tags.set([Tag.objects.get(code="ship_24h")])
    client.force_login(staff_ops)
    for language in ("zh-hans", "en"):
        response = client.get("/staff/commitments/force-majeure/", HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        assert "9999" in response.content.decode()
