"""Filing through the integration API: due dates, urgency, and bad input that writes nothing."""

import os
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from complaints.models import Complaint, Evidence, HelpRequest
from complaints.services import complaint_due
from core.calendar import end_of_local_day
from core.models import AuditEvent, CalendarDay

from .conftest import pdf, png
from .factories import OrderFactory, commitment_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/integration/complaints"


def _payload(the_order, **extra):
    data = {
        "external_id": "CMP-1",
        "order": the_order.external_id,
        "merchant_id": the_order.merchant_id,
        "standard": "logistics",
        "text": "说好送货上门，结果放在驿站让我自己去搬。",
        "claimed_amount": "50.00",
        "filed_at": "2024-03-04T10:00:00+08:00",
    }
    data.update(extra)
    return data


# --- due dates ---------------------------------------------------------------------------------


def test_due_is_end_of_5th_working_day_after_filing_date():
    # Filed Mon 2024-03-04 10:00 Shanghai: Tue..Mon → 2024-03-11 23:59:59 +08:00.
    due, fallback = complaint_due(datetime(2024, 3, 4, 2, 0, tzinfo=UTC))
    assert due == end_of_local_day(date(2024, 3, 11))
    assert due.astimezone(UTC) == datetime(2024, 3, 11, 15, 59, 59, tzinfo=UTC)
    assert fallback is False


def test_filing_late_evening_shanghai_uses_the_local_date():
    # 2024-03-04 23:30 Shanghai is still Monday there although 15:30 UTC.
    due, _ = complaint_due(datetime(2024, 3, 4, 15, 30, tzinfo=UTC))
    assert due == end_of_local_day(date(2024, 3, 11))


def test_due_across_national_day_with_make_up_saturday():
    # Filed 2020-09-30: 10-01..08 off, Sat 10-10 is a make-up working day → 9, 10, 12, 13, 14.
    due, fallback = complaint_due(datetime(2020, 9, 30, 1, 0, tzinfo=UTC))
    assert due == end_of_local_day(date(2020, 10, 14))
    assert fallback is False


def test_due_across_spring_festival_2025():
    # Filed Sat 2025-01-25: Sun 01-26 and Mon 01-27 work, 01-28..02-04 off, then 02-05, 02-06, 02-07.
    due, _ = complaint_due(datetime(2025, 1, 25, 3, 0, tzinfo=UTC))
    assert due == end_of_local_day(date(2025, 2, 7))


def test_due_in_a_year_the_calendar_does_not_know_is_flagged():
    due, fallback = complaint_due(datetime(2031, 1, 2, 3, 0, tzinfo=UTC))  # Thursday
    assert due == end_of_local_day(date(2031, 1, 9))
    assert fallback is True


def test_staff_override_for_an_unknown_year_is_used():
    CalendarDay.objects.create(date=date(2031, 1, 3), is_workday=False, note="元旦")
    due, _ = complaint_due(datetime(2031, 1, 2, 3, 0, tzinfo=UTC))
    assert due == end_of_local_day(date(2031, 1, 10))


# --- filing ------------------------------------------------------------------------------------


def test_filing_stores_complaint_evidence_due_and_audit(api_for, integration_user, merchant_a):
    order = OrderFactory(merchant=merchant_a)
    commitment_for(order, "home_delivery")
    response = api_for(integration_user).post(
        URL, _payload(order, tag="home_delivery", evidence=[png(), pdf()]), format="multipart"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    complaint = Complaint.objects.get(external_id="CMP-1")
    assert body["id"] == complaint.pk
    assert body["state"] == "filed"
    assert complaint.merchant_id == merchant_a.pk
    assert complaint.tag.code == "home_delivery"
    assert complaint.claimed_amount == Decimal("50.00")
    assert complaint.due_at == end_of_local_day(date(2024, 3, 11))
    assert complaint.urgent is False
    assert sorted(Evidence.objects.filter(complaint=complaint).values_list("party", "original_name")) == [
        ("shopper", "photo.png"),
        ("shopper", "proof.pdf"),
    ]
    assert AuditEvent.objects.filter(verb="complaint.filed", target_id=str(complaint.pk)).count() == 1


def test_filing_twice_is_idempotent(api_for, integration_user, merchant_a):
    order = OrderFactory(merchant=merchant_a)
    client = api_for(integration_user)
    first = client.post(URL, _payload(order), format="multipart")
    again = client.post(URL, _payload(order), format="multipart")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Complaint.objects.count() == 1


def test_external_id_reused_for_another_order_is_409_and_writes_nothing(
    api_for, integration_user, merchant_a
):
    first_order, other_order = OrderFactory(merchant=merchant_a), OrderFactory(merchant=merchant_a)
    client = api_for(integration_user)
    assert client.post(URL, _payload(first_order), format="multipart").status_code == 201
    again = client.post(URL, _payload(other_order, evidence=[png()]), format="multipart")
    assert again.status_code == 409
    assert again.json()["code"] == "external_id_reused"
    assert list(again.json()["fields"]) == ["external_id"]
    assert list(Complaint.objects.values_list("order__external_id", flat=True)) == [first_order.external_id]
    assert Evidence.objects.count() == 0


def test_personal_injury_is_urgent(api_for, integration_user, merchant_a):
    order = OrderFactory(merchant=merchant_a)
    response = api_for(integration_user).post(
        URL, _payload(order, standard="personal_injury"), format="multipart"
    )
    assert response.status_code == 201
    assert Complaint.objects.get().urgent is True


def _bad_cases(order, other_merchant):
    big = SimpleUploadedFile(
        "huge.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (5 * 1024 * 1024), content_type="image/png"
    )
    exe = SimpleUploadedFile("virus.png", b"MZ\x90\x00" + b"\x00" * 64, content_type="image/png")
    return {
        "unknown_order": (_payload(order, order="PDD-NOPE"), "order"),
        "other_merchant": (_payload(order, merchant_id=other_merchant.pk), "merchant"),
        "file_too_large": (_payload(order, evidence=[big]), "evidence"),
        "wrong_file_type": (_payload(order, evidence=[png(), exe]), "evidence"),
        "amount_above_paid": (_payload(order, claimed_amount="3000.00"), "claimed_amount"),
        "unknown_standard": (_payload(order, standard="weather"), "standard"),
        "tag_without_commitment": (_payload(order, tag="home_delivery"), "tag"),
        "evidence_not_a_file": (_payload(order, evidence="photo.png"), "evidence"),
        "good_file_then_text": (_payload(order, evidence=[png(), "second.png"]), "evidence"),
        "too_many_files": (_payload(order, evidence=[png(f"{i}.png") for i in range(7)]), "evidence"),
        "naive_filed_at": (_payload(order, filed_at="2024-03-04T10:00:00", evidence=[png()]), "filed_at"),
        "amount_not_a_number": (_payload(order, claimed_amount="fifty", evidence=[png()]), "claimed_amount"),
        "amount_nan": (_payload(order, claimed_amount="NaN"), "claimed_amount"),
        "merchant_not_a_number": (_payload(order, merchant_id="haier", evidence=[png()]), "merchant_id"),
        "blank_text": (_payload(order, text="  ", evidence=[png()]), "text"),
        "filed_in_year_one": (_payload(order, filed_at="0001-01-02T00:00:00+00:00"), "filed_at"),
        "filed_before_paid": (_payload(order, filed_at="2024-03-03T10:00:00+08:00"), "filed_at"),
        "missing_text": ({k: v for k, v in _payload(order, evidence=[png()]).items() if k != "text"}, "text"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "unknown_order",
        "other_merchant",
        "file_too_large",
        "wrong_file_type",
        "amount_above_paid",
        "unknown_standard",
        "tag_without_commitment",
        "evidence_not_a_file",
        "good_file_then_text",
        "too_many_files",
        "naive_filed_at",
        "amount_not_a_number",
        "amount_nan",
        "merchant_not_a_number",
        "blank_text",
        "missing_text",
        "filed_in_year_one",
        "filed_before_paid",
    ],
)
def test_bad_filing_is_a_400_that_writes_nothing(
    api_for, integration_user, merchant_a, merchant_b, case, settings
):
    order = OrderFactory(merchant=merchant_a, paid_amount=Decimal("2999.00"))
    payload, field = _bad_cases(order, merchant_b)[case]
    response = api_for(integration_user).post(URL, payload, format="multipart")
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert field in body["fields"]
    assert Complaint.objects.count() == 0
    assert Evidence.objects.count() == 0
    assert AuditEvent.objects.filter(verb__startswith="complaint.").count() == 0
    assert not os.path.exists(settings.MEDIA_ROOT) or not any(os.scandir(settings.MEDIA_ROOT))


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"text": {"zh": "没送货"}}, "text"),
        ({"text": ["没送货"]}, "text"),
        ({"claimed_amount": [50]}, "claimed_amount"),
        ({"merchant_id": "1.5"}, "merchant_id"),
        ({"evidence": ["aGVsbG8="]}, "evidence"),
        ({"filed_at": 1709517600}, "filed_at"),
        ({"filed_at": "2024-03-04T10:00:00"}, "filed_at"),
        ({"external_id": None}, "external_id"),
    ],
)
def test_json_filing_with_wrong_types_is_a_400_that_writes_nothing(
    api_for, integration_user, merchant_a, extra, field
):
    order = OrderFactory(merchant=merchant_a)
    response = api_for(integration_user).post(URL, _payload(order, **extra), format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == [field]
    assert Complaint.objects.count() == Evidence.objects.count() == 0


def test_naive_help_request_time_is_refused(api_for, integration_user, merchant_a):
    order = OrderFactory(merchant=merchant_a)
    item = {"external_id": "H-1", "order": order.external_id, "scenario": "logistics_stalled"}
    response = api_for(integration_user).post(
        "/api/v1/integration/help-requests",
        {"items": [{**item, "requested_at": "2024-03-05T09:00:00"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "requested_at" in str(response.json()["fields"]["items"])
    assert HelpRequest.objects.count() == 0


def test_only_the_integration_role_files(api_for, owner_a, staff_adjudicator, merchant_a):
    order = OrderFactory(merchant=merchant_a)
    for user in (owner_a, staff_adjudicator):
        assert api_for(user).post(URL, _payload(order), format="multipart").status_code == 403
    assert Complaint.objects.count() == 0


# --- help requests -----------------------------------------------------------------------------


def test_help_requests_batch_is_idempotent(api_for, integration_user, merchant_a):
    order = OrderFactory(merchant=merchant_a)
    items = [
        {
            "external_id": "H1",
            "order": order.external_id,
            "scenario": "urge_dispatch",
            "requested_at": "2024-03-05T09:00:00+08:00",
        },
        {
            "external_id": "H2",
            "order": order.external_id,
            "scenario": "logistics_stalled",
            "requested_at": "2024-03-06T09:00:00+08:00",
        },
    ]
    client = api_for(integration_user)
    first = client.post("/api/v1/integration/help-requests", {"items": items}, format="json")
    assert first.status_code == 200, first.json()
    assert first.json() == {"received": 2, "created": 2, "duplicates": 0}
    again = client.post("/api/v1/integration/help-requests", {"items": items}, format="json")
    assert again.json() == {"received": 2, "created": 0, "duplicates": 2}
    assert sorted(HelpRequest.objects.values_list("external_id", "scenario", "merchant_id")) == [
        ("H1", "urge_dispatch", merchant_a.pk),
        ("H2", "logistics_stalled", merchant_a.pk),
    ]


def test_help_requests_with_one_bad_item_write_nothing(api_for, integration_user, merchant_a):
    order = OrderFactory(merchant=merchant_a)
    items = [
        {
            "external_id": "H1",
            "order": order.external_id,
            "scenario": "urge_dispatch",
            "requested_at": "2024-03-05T09:00:00+08:00",
        },
        {
            "external_id": "H2",
            "order": "PDD-NOPE",
            "scenario": "urge_dispatch",
            "requested_at": "2024-03-05T09:00:00+08:00",
        },
    ]
    response = api_for(integration_user).post(
        "/api/v1/integration/help-requests", {"items": items}, format="json"
    )
    assert response.status_code == 400
    assert "items[1].order" in response.json()["fields"]
    assert HelpRequest.objects.count() == 0


def test_filing_in_the_future_is_refused(api_for, integration_user, merchant_a):
    order = OrderFactory(merchant=merchant_a)
    response = api_for(integration_user).post(
        URL, _payload(order, filed_at="2099-01-01T00:00:00+08:00"), format="multipart"
    )
    assert response.status_code == 400
    assert "filed_at" in response.json()["fields"]
    assert Complaint.objects.count() == 0


def test_admin_refuses_an_unknown_compensation_formula():
    from complaints.admin import ServiceStandardForm
    from complaints.models import ServiceStandard

    instance = ServiceStandard.objects.get(code="invoice")
    data = {
        "code": "invoice",
        "name_zh": "发票",
        "name_en": "Invoice",
        "process_zh": "x",
        "process_en": "x",
        "default_compensation": '{"formula": "lottery"}',
        "max_compensation": "200.00",
        "cap_at_paid_amount": True,
        "sort_order": 7,
    }
    form = ServiceStandardForm(data=data, instance=instance)
    assert not form.is_valid()
    assert "default_compensation" in form.errors
