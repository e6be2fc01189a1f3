"""Malformed input on the merchant and staff sides gives a 4xx (or a form message), never a 500."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from commitments.models import Breach, BreachAppeal, ForceMajeure
from commitments.services import breach_appeal_decide, breach_appeal_submit, force_majeure_declare
from core.errors import ApplicationError
from tags.models import Tag

from .factories import place_order, send_event

pytestmark = pytest.mark.django_db

PAID = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def _breach(product):
    order = place_order(product, paid_at=PAID)
    with time_machine.travel(PAID + timedelta(hours=30), tick=False):
        send_event(order, "pickup_scanned", PAID + timedelta(hours=28), carrier="SF")
    return Breach.objects.get(commitment__order=order)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([1], "text"),
        ("just a string", "text"),
        ({"text": ["a"]}, "text"),
        ({"text": {"a": 1}}, "text"),
        ({"text": 5}, "text"),
        ({"text": "late\u0000"}, "text"),
        ({"text": "late\ud800"}, "text"),
    ],
)
def test_appeal_with_malformed_json_is_400(api_for, owner_a, product, body, field):
    breach = _breach(product)
    with time_machine.travel(PAID + timedelta(days=2), tick=False):
        response = api_for(owner_a).post(
            f"/api/v1/merchant/breaches/{breach.pk}/appeal",
            data=json.dumps(body),
            content_type="application/json",
        )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    assert not BreachAppeal.objects.exists()


def test_appeal_form_with_nul_text_shows_a_message(client, owner_a, product):
    breach = _breach(product)
    client.force_login(owner_a)
    with time_machine.travel(PAID + timedelta(days=2), tick=False):
        response = client.post(f"/office/commitments/breaches/{breach.pk}/appeal/", {"text": "late\x00"})
    assert response.status_code == 400
    assert not BreachAppeal.objects.exists()


def test_decision_note_and_force_majeure_reason_must_be_storable_text(owner_a, staff_ops, product):
    breach = _breach(product)
    with time_machine.travel(PAID + timedelta(days=2), tick=False):
        appeal = breach_appeal_submit(breach_id=breach.pk, merchant=breach.merchant, text="late", files=[])
    with pytest.raises(ApplicationError) as exc:
        breach_appeal_decide(appeal_id=appeal.pk, uphold=True, note="ok\x00", actor=staff_ops)
    assert exc.value.fields == {"note": ["not valid text"]}
    appeal.refresh_from_db()
    assert appeal.state == "submitted"
    tag = Tag.objects.get(code="ship_24h")
    with pytest.raises(ApplicationError) as exc:
        force_majeure_declare(
            provinces=["310000"], starts_at=PAID, ends_at=PAID + timedelta(days=1), tag_ids=[tag.pk],
            reason="typhoon\x00", actor=staff_ops,
        )  # fmt: skip
    assert exc.value.fields == {"reason": ["not valid text"]}
    assert not ForceMajeure.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"tags": ["²"], "starts_at": "2026-03-02T00:00", "ends_at": "2026-03-03T00:00"},
        {"tags": ["9" * 30], "starts_at": "2026-03-02T00:00", "ends_at": "2026-03-03T00:00"},
        {"tags": ["1"], "starts_at": "2026-02-30T00:00", "ends_at": "2026-03-03T00:00"},
        {"tags": ["1"], "starts_at": "0001-01-01T00:00", "ends_at": "9999-12-31T23:59"},
    ],
)
def test_force_majeure_form_garbage_is_a_message(client, staff_ops, data):
    client.force_login(staff_ops)
    response = client.post(
        "/staff/commitments/force-majeure/", {"provinces": ["310000"], "reason": "typhoon", **data}
    )
    assert response.status_code == 200
    assert not ForceMajeure.objects.exists()


def test_force_majeure_form_with_nul_is_400(client, staff_ops):
    client.force_login(staff_ops)
    response = client.post(
        "/staff/commitments/force-majeure/",
        {"provinces": ["310000"], "tags": ["1"], "starts_at": "2026-03-02T00:00", "ends_at": "2026-03-03T00:00",
         "reason": "a\x00"},
    )  # fmt: skip
    assert response.status_code == 400
    assert not ForceMajeure.objects.exists()


def test_staff_breach_search_with_nul_is_400(client, staff_reviewer):
    client.force_login(staff_reviewer)
    response = client.get("/staff/commitments/breaches/", {"order": "DM\x00"})
    assert response.status_code == 400
    assert "\x00" not in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/merchant/commitments?paid_after=9999-12-31T23:59:59-14:00",
        "/api/v1/merchant/commitments?paid_before=0001-01-01T00:00:00%2B14:00",
        "/api/v1/merchant/breaches?detected_after=9999-12-31T23:59:59-14:00",
    ],
)
def test_out_of_range_date_filters_are_400(api_for, owner_a, query):
    response = api_for(owner_a).get(query)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


@pytest.mark.parametrize(
    "query",
    [
        {"since": "2026-02-30"},
        {"until": "9999-12-31"},
        {"since": "0001-01-01"},
        {"tag": "²"},
        {"tag": "9" * 30},
        {"since": "x", "until": "", "tag": "-1"},
    ],
)
@pytest.mark.parametrize("path", ["/office/commitments/", "/office/commitments/breaches/"])
def test_office_list_filters_ignore_garbage(client, owner_a, product, path, query):
    _breach(product)
    client.force_login(owner_a)
    response = client.get(path, query)
    assert response.status_code == 200
    # An ignored filter shows everything: the breached order is listed.
    assert Breach.objects.get().commitment.order.external_id in response.content.decode()
