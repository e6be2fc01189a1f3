"""Query parameters and form values that once gave a 500: a 4xx in our shape, or a page that ignores them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from commitments.models import Voucher
from complaints.services import complaint_decide
from core.errors import ApplicationError
from merchants.models import DepositEntry

from .factories import ComplaintFactory, OrderFactory

pytestmark = pytest.mark.django_db

NOT_IDS = ["99999999999999999999999", "²", "1" * 5000, "-3", "abc", "0"]


def _open(merchant, **kwargs):
    now = timezone.now()
    return ComplaintFactory(
        order=OrderFactory(merchant=merchant),
        filed_at=now - timedelta(hours=3),
        due_at=now + timedelta(days=4),
        **kwargs,
    )


@pytest.mark.parametrize("value", NOT_IDS)
def test_api_queue_refuses_a_merchant_that_is_not_an_id(api_for, staff_reviewer, merchant_a, value):
    _open(merchant_a)
    response = api_for(staff_reviewer).get("/api/v1/staff/complaints", {"merchant": value})
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"code", "message", "fields"}
    assert "merchant" in response.json()["fields"]


def test_api_queue_filters_by_merchant_id(api_for, staff_reviewer, merchant_a, merchant_b):
    mine = _open(merchant_a)
    _open(merchant_b)
    body = api_for(staff_reviewer).get("/api/v1/staff/complaints", {"merchant": f" {merchant_a.pk} "}).json()
    assert [row["id"] for row in body["results"]] == [mine.pk]


@pytest.mark.parametrize("value", ["²", "99999999999999999999999", "1" * 5000, "0", "367"])
def test_statistics_fall_back_to_30_days_on_a_bad_window(api_for, client, staff_reviewer, value):
    response = api_for(staff_reviewer).get("/api/v1/staff/complaints/statistics", {"days": value})
    assert response.status_code == 200
    assert response.json()["decided"] == 0
    client.force_login(staff_reviewer)
    page = client.get("/staff/complaints/statistics/", {"days": value})
    assert page.status_code == 200
    assert page.context["days"] == 30


@pytest.mark.parametrize("value", NOT_IDS)
def test_console_queue_shows_nothing_for_a_merchant_that_is_not_an_id(
    client, staff_reviewer, merchant_a, value
):
    _open(merchant_a)
    client.force_login(staff_reviewer)
    response = client.get("/staff/complaints/", {"merchant": value})
    assert response.status_code == 200
    assert list(response.context["page"]) == []


@pytest.mark.parametrize("params", [{"standard": "logistics\x00"}, {"merchant": "SHOP\x00"}])
def test_console_queue_refuses_nul_in_a_filter(client, staff_reviewer, merchant_a, params):
    _open(merchant_a)
    client.force_login(staff_reviewer)
    response = client.get("/staff/complaints/", params)
    assert response.status_code == 400
    assert "\x00" not in response.content.decode()


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity", "sNaN", "1e999999"])
def test_console_decision_with_a_non_finite_amount_is_refused(client, staff_adjudicator, merchant_a, amount):
    complaint = _open(merchant_a, state="under_review")
    client.force_login(staff_adjudicator)
    response = client.post(
        f"/staff/complaints/{complaint.pk}/decide/",
        {
            "outcome": "upheld",
            "responsibility": "merchant",
            "reason": "成立",
            "compensation_amount": amount,
            "payout": "voucher",
        },
    )
    assert response.status_code == 302
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    complaint.refresh_from_db()
    assert (complaint.state, complaint.compensation_amount) == ("under_review", None)
    assert Voucher.objects.count() == DepositEntry.objects.count() == 0


@pytest.mark.parametrize("amount", [Decimal("NaN"), Decimal("Infinity"), "ten", 10.5])
def test_service_refuses_a_non_finite_or_non_decimal_amount(merchant_a, amount):
    complaint = _open(merchant_a, state="under_review")
    with pytest.raises(ApplicationError) as info:
        complaint_decide(
            complaint_id=complaint.pk,
            outcome="upheld",
            responsibility="merchant",
            reason="成立",
            compensation_amount=amount,
        )
    assert info.value.fields == {"compensation_amount": [info.value.fields["compensation_amount"][0]]}
    complaint.refresh_from_db()
    assert complaint.state == "under_review"
    assert Voucher.objects.count() == 0
