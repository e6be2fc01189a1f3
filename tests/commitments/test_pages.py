from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from commitments.models import Breach, BreachAppeal, Commitment, ForceMajeure
from tags.models import Tag

from .factories import place_order, send_event

pytestmark = pytest.mark.django_db

PAID = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


def _breach(product, shopper="s1"):
    order = place_order(product, paid_at=PAID, shopper_ref=shopper)
    with time_machine.travel(PAID + timedelta(hours=30), tick=False):
        send_event(order, "pickup_scanned", PAID + timedelta(hours=28), carrier="SF")
    return Breach.objects.get(commitment__order=order)


def test_office_lists_with_filters(client, owner_a, product, django_assert_max_num_queries):
    breach = _breach(product)
    for n in range(5):
        _breach(product, shopper=f"x{n}")
    client.force_login(owner_a)
    ship_24h = Tag.objects.get(code="ship_24h")
    with django_assert_max_num_queries(12):
        page = client.get(
            f"/office/commitments/?tag={ship_24h.pk}&state=compensated&since=2026-03-01&until=2026-03-02"
        )
    assert page.status_code == 200
    assert page.content.decode().count('class="badge state-compensated"') == 6
    empty = client.get(f"/office/commitments/?tag={ship_24h.pk}&state=met")
    assert "No commitments match." in empty.content.decode()
    with django_assert_max_num_queries(12):
        breaches = client.get("/office/commitments/breaches/")
    assert breach.commitment.order.external_id in breaches.content.decode()
    with django_assert_max_num_queries(12):
        vouchers = client.get("/office/commitments/vouchers/")
    assert vouchers.content.decode().count("¥50.00") == 6


def test_breach_page_timeline_and_appeal_form(client, owner_a, owner_b, product):
    breach = _breach(product)
    client.force_login(owner_b)
    assert client.get(f"/office/commitments/breaches/{breach.pk}/").status_code == 404
    assert client.post(f"/office/commitments/breaches/{breach.pk}/appeal/", {"text": "x"}).status_code == 404
    assert not BreachAppeal.objects.exists()
    client.force_login(owner_a)
    with time_machine.travel(PAID + timedelta(days=1), tick=False):
        page = client.get(f"/office/commitments/breaches/{breach.pk}/").content.decode()
        assert "Submit appeal" in page
        for label in (
            "Paid",
            "Deadline",
            "pickup scanned",
            "Breach detected",
            "Voucher issued",
            "compensation recovery",
        ):
            assert label in page
        response = client.post(
            f"/office/commitments/breaches/{breach.pk}/appeal/",
            {"text": "the carrier scanned late", "evidence": SimpleUploadedFile("a.png", PNG)},
        )
    assert response.status_code == 302
    appeal = BreachAppeal.objects.get()
    assert appeal.text == "the carrier scanned late"
    assert appeal.evidence.count() == 1


def test_staff_appeal_queue_and_decision(client, owner_a, product, staff_reviewer, staff_adjudicator):
    breach = _breach(product)
    from commitments.services import breach_appeal_submit

    with time_machine.travel(PAID + timedelta(days=1), tick=False):
        appeal = breach_appeal_submit(breach_id=breach.pk, merchant=breach.merchant, text="outage", files=[])
    client.force_login(staff_reviewer)
    assert "outage" in client.get("/staff/commitments/appeals/").content.decode()
    assert (
        client.post(f"/staff/commitments/appeals/{appeal.pk}/decide/", {"decision": "uphold"}).status_code
        == 403
    )
    assert BreachAppeal.objects.get().state == "submitted"
    client.force_login(staff_adjudicator)
    client.post(f"/staff/commitments/appeals/{appeal.pk}/decide/", {"decision": "reject", "note": "no proof"})
    assert BreachAppeal.objects.get().state == "rejected"
    assert Breach.objects.get().counts_in_metrics is True


def test_force_majeure_page_needs_staff_ops(client, staff_reviewer, staff_ops, product):
    order = place_order(product, paid_at=PAID)
    tag = Tag.objects.get(code="ship_24h")
    data = {
        "provinces": ["310000"], "tags": [str(tag.pk)], "starts_at": "2026-03-02T00:00",
        "ends_at": "2026-03-04T00:00", "reason": "snowstorm",
    }  # fmt: skip
    client.force_login(staff_reviewer)
    assert client.get("/staff/commitments/force-majeure/").status_code == 200
    assert client.post("/staff/commitments/force-majeure/", data).status_code == 403
    assert not ForceMajeure.objects.exists()
    client.force_login(staff_ops)
    assert client.post("/staff/commitments/force-majeure/", data).status_code == 302
    c = Commitment.objects.get(order=order, tag=tag)
    assert c.state == "exempted"
    assert "snowstorm" in c.exemption_reason
    assert "snowstorm" in client.get("/staff/commitments/force-majeure/").content.decode()


def test_staff_breach_search(client, staff_reviewer, product):
    breach = _breach(product)
    client.force_login(staff_reviewer)
    page = client.get(
        f"/staff/commitments/breaches/?order={breach.commitment.order.external_id}"
    ).content.decode()
    assert breach.voucher.code in page
    assert (
        "No breaches for this order."
        in client.get("/staff/commitments/breaches/?order=nope").content.decode()
    )


def test_appeal_evidence_is_served_to_staff_only(
    client, owner_a, product, staff_reviewer, settings, tmp_path
):
    from commitments.services import breach_appeal_submit

    settings.MEDIA_ROOT = tmp_path
    breach = _breach(product)
    with time_machine.travel(PAID + timedelta(days=1), tick=False):
        appeal = breach_appeal_submit(
            breach_id=breach.pk,
            merchant=breach.merchant,
            text="scan delayed by the carrier",
            files=[SimpleUploadedFile("scan.html", PNG, content_type="text/html")],
        )
    evidence = appeal.evidence.get()
    url = f"/staff/commitments/appeals/evidence/{evidence.pk}/"
    client.force_login(owner_a)
    assert client.get(url).status_code == 403
    client.force_login(staff_reviewer)
    assert url in client.get("/staff/commitments/appeals/").content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"  # from the bytes, not the name
    assert b"".join(response.streaming_content) == PNG
    assert client.get("/media/" + evidence.file.name).status_code == 404
