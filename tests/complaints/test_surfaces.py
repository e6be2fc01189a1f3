"""Pages and API: the permission matrix, bounded queries, both languages."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from commitments.models import Voucher
from complaints.models import Complaint, Notification
from complaints.services import complaint_accept, complaint_decide
from merchants.models import DepositEntry

from .conftest import png
from .factories import ComplaintFactory, OrderFactory, standard

pytestmark = pytest.mark.django_db


def _open_complaint(merchant, **kwargs):
    now = timezone.now()
    return ComplaintFactory(
        order=OrderFactory(merchant=merchant),
        filed_at=now - timedelta(hours=3),
        due_at=now + timedelta(days=4),
        **kwargs,
    )


def _awaiting(merchant):
    complaint = _open_complaint(merchant)
    complaint_accept(complaint_id=complaint.pk)
    return complaint


# --- permission matrix -------------------------------------------------------------------------


def test_merchant_b_cannot_see_or_answer_merchant_a_complaints(client, api_for, merchant_a, owner_b):
    complaint = _awaiting(merchant_a)
    client.force_login(owner_b)
    assert client.get(f"/office/complaints/{complaint.pk}/").status_code == 404
    assert client.post(f"/office/complaints/{complaint.pk}/respond/", {"text": "我来回复"}).status_code == 404
    assert complaint.external_id not in client.get("/office/complaints/").content.decode()
    api = api_for(owner_b)
    assert api.get(f"/api/v1/merchant/complaints/{complaint.pk}").status_code == 404
    assert api.get("/api/v1/merchant/complaints").json()["count"] == 0
    response = api.post(f"/api/v1/merchant/complaints/{complaint.pk}/response", {"text": "我来回复"})
    assert response.status_code == 404
    evidence_id = complaint.evidence.create(party="shopper", original_name="x.png", size=1, file="x.png").pk
    assert client.get(f"/office/complaints/evidence/{evidence_id}/").status_code == 404
    complaint.refresh_from_db()
    assert complaint.state == "awaiting_merchant"
    assert complaint.response_text == ""


def test_merchant_a_responds_with_evidence_in_the_back_office(client, merchant_a, owner_a):
    complaint = _awaiting(merchant_a)
    client.force_login(owner_a)
    page = client.get(f"/office/complaints/{complaint.pk}/")
    assert 'id="response-form"' in page.content.decode()
    response = client.post(
        f"/office/complaints/{complaint.pk}/respond/", {"text": "已补送上门", "evidence": [png("pod.png")]}
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.state, complaint.response_text) == ("under_review", "已补送上门")
    assert list(complaint.evidence.values_list("party", "original_name")) == [("merchant", "pod.png")]
    evidence = complaint.evidence.get()
    assert client.get(f"/office/complaints/evidence/{evidence.pk}/").status_code == 200


def test_only_adjudicators_decide(
    api_for, client, merchant_a, owner_a, staff_reviewer, staff_ops, integration_user
):
    complaint = _open_complaint(merchant_a, state="under_review")
    body = {"outcome": "upheld", "responsibility": "merchant", "reason": "成立"}
    for user in (owner_a, staff_reviewer, staff_ops, integration_user):
        assert (
            api_for(user).post(f"/api/v1/staff/complaints/{complaint.pk}/decision", body).status_code == 403
        )
        client.force_login(user)
        assert client.post(f"/staff/complaints/{complaint.pk}/decide/", body).status_code == 403
    complaint.refresh_from_db()
    assert complaint.state == "under_review"
    assert Voucher.objects.count() == DepositEntry.objects.count() == 0


def test_adjudicator_decides_over_the_api_and_a_second_decision_is_409(
    api_for, staff_adjudicator, merchant_a
):
    complaint = _open_complaint(merchant_a, state="under_review")
    api = api_for(staff_adjudicator)
    body = {
        "outcome": "upheld",
        "responsibility": "merchant",
        "reason": "成立",
        "compensation_amount": "25.00",
    }
    first = api.post(f"/api/v1/staff/complaints/{complaint.pk}/decision", body)
    assert first.status_code == 200, first.json()
    assert first.json()["state"] == "upheld"
    assert first.json()["compensation_amount"] == "25.00"
    assert first.json()["voucher_code"].startswith("V")
    second = api.post(
        f"/api/v1/staff/complaints/{complaint.pk}/decision", {**body, "responsibility": "platform"}
    )
    assert second.status_code == 409
    assert Voucher.objects.count() == 1
    assert list(DepositEntry.objects.values_list("amount", flat=True)) == [Decimal("-25.00")]


def test_staff_console_pages_need_staff_and_merchant_pages_need_a_merchant(
    client, owner_a, staff_reviewer, merchant_a
):
    complaint = _open_complaint(merchant_a)
    client.force_login(owner_a)
    assert client.get("/staff/complaints/").status_code == 403
    assert client.get(f"/staff/complaints/{complaint.pk}/").status_code == 403
    assert client.get("/staff/complaints/statistics/").status_code == 403
    client.force_login(staff_reviewer)
    assert client.get("/office/complaints/").status_code == 403
    assert client.get(f"/staff/complaints/{complaint.pk}/").status_code == 200
    # a reviewer sees the page but gets no decision form
    assert 'id="decision-form"' not in client.get(f"/staff/complaints/{complaint.pk}/").content.decode()


# --- pages -------------------------------------------------------------------------------------


def test_queue_is_sorted_by_urgency_then_time_left_with_bounded_queries(
    client, staff_adjudicator, merchant_a, merchant_b, django_assert_max_num_queries
):
    now = timezone.now()
    ComplaintFactory(
        order=OrderFactory(merchant=merchant_a), due_at=now + timedelta(days=3), external_id="C-LATE"
    )
    ComplaintFactory(
        order=OrderFactory(merchant=merchant_b), due_at=now + timedelta(hours=5), external_id="C-SOON"
    )
    ComplaintFactory(
        order=OrderFactory(merchant=merchant_a),
        due_at=now + timedelta(days=4),
        urgent=True,
        standard=standard("personal_injury"),
        external_id="C-URGENT",
    )
    ComplaintFactory(order=OrderFactory(merchant=merchant_a), state="upheld", external_id="C-CLOSED")
    for i in range(20):
        ComplaintFactory(order=OrderFactory(merchant=merchant_b), due_at=now + timedelta(days=5, minutes=i))
    client.force_login(staff_adjudicator)
    with django_assert_max_num_queries(10):
        body = client.get("/staff/complaints/").content.decode()
    positions = [body.index(x) for x in ("C-URGENT", "C-SOON", "C-LATE")]
    assert positions == sorted(positions)
    assert "C-CLOSED" not in body
    only_a = client.get(f"/staff/complaints/?merchant={merchant_a.shop_code}").content.decode()
    assert "C-SOON" not in only_a
    assert "C-LATE" in only_a
    injury = client.get("/staff/complaints/?standard=personal_injury").content.decode()
    assert "C-URGENT" in injury
    assert "C-LATE" not in injury


def test_overdue_filter_and_notifications_in_the_console(client, staff_adjudicator, merchant_a):
    from complaints.services import complaints_escalate_overdue

    overdue = _open_complaint(merchant_a)
    Complaint.objects.filter(pk=overdue.pk).update(
        due_at=timezone.now() - timedelta(hours=2), external_id="C-OVER"
    )
    _open_complaint(merchant_a)
    assert complaints_escalate_overdue() == 1
    client.force_login(staff_adjudicator)
    body = client.get("/staff/complaints/?overdue=1").content.decode()
    assert 'id="desk-notifications"' in body
    assert "C-OVER" in body
    assert body.count('class="badge bad">') == 1  # the time-left cell of the one overdue complaint
    client.post("/staff/complaints/notifications/read/")
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


@pytest.mark.parametrize(("lang", "word"), [("en", "Logistics"), ("zh-hans", "物流")])
def test_complaint_page_shows_everything_in_both_languages(client, staff_adjudicator, merchant_a, lang, word):
    complaint = _open_complaint(merchant_a, state="under_review")
    client.force_login(staff_adjudicator)
    body = client.get(f"/staff/complaints/{complaint.pk}/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    for marker in (
        'id="decision-form"',
        'id="timeline"',
        'id="merchant-response"',
        complaint.order.external_id,
    ):
        assert marker in body
    assert word in body


def test_decision_through_the_console_form(client, staff_adjudicator, merchant_a):
    complaint = _open_complaint(merchant_a, state="under_review")
    client.force_login(staff_adjudicator)
    response = client.post(
        f"/staff/complaints/{complaint.pk}/decide/",
        {
            "outcome": "upheld",
            "responsibility": "third_party",
            "third_party_name": "某快递",
            "reason": "快递未送货上门",
            "compensation_amount": "",
            "payout": "voucher",
        },
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.state, complaint.recovery, complaint.compensation_amount) == (
        "upheld",
        "third_party_claim",
        Decimal("50.00"),
    )
    body = client.get(f"/staff/complaints/{complaint.pk}/").content.decode()
    assert 'id="recovery-claim"' in body


def test_statistics_page_and_api(client, api_for, staff_reviewer, merchant_a):
    filed = datetime.now(tz=UTC) - timedelta(days=3)
    inside = ComplaintFactory(
        order=OrderFactory(merchant=merchant_a),
        state="under_review",
        filed_at=filed,
        due_at=filed + timedelta(days=7),
    )
    outside = ComplaintFactory(
        order=OrderFactory(merchant=merchant_a),
        state="under_review",
        filed_at=filed,
        due_at=filed + timedelta(hours=1),
    )
    for c in (inside, outside):
        complaint_decide(
            complaint_id=c.pk,
            outcome="rejected",
            responsibility="shopper",
            reason="不成立",
            now=filed + timedelta(hours=10),
        )
    stats = api_for(staff_reviewer).get("/api/v1/staff/complaints/statistics").json()
    assert stats["decided"] == 2
    assert stats["decided_within_sla"] == 1
    assert stats["share_within_sla"] == "0.5000"
    assert stats["median_hours_to_decision"] == 10.0
    client.force_login(staff_reviewer)
    page = client.get("/staff/complaints/statistics/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert 'id="share-within-sla">50%' in page.content.decode()


def test_merchant_appeal_form_in_the_back_office(client, merchant_a, owner_a):
    complaint = _open_complaint(merchant_a, state="under_review")
    complaint_decide(complaint_id=complaint.pk, outcome="upheld", responsibility="merchant", reason="成立")
    client.force_login(owner_a)
    assert 'id="appeal-form"' in client.get(f"/office/complaints/{complaint.pk}/").content.decode()
    response = client.post(
        f"/office/complaints/{complaint.pk}/appeal/", {"reason": "有签收单", "evidence": [png()]}
    )
    assert response.status_code == 302
    assert complaint.__class__.objects.get(pk=complaint.pk).appeal.state == "filed"


def test_office_list_has_bounded_queries(client, merchant_a, owner_a, django_assert_max_num_queries):
    for _ in range(15):
        _awaiting(merchant_a)
    client.force_login(owner_a)
    with django_assert_max_num_queries(12):
        body = client.get("/office/complaints/").content.decode()
    assert 'id="awaiting-response"' in body
    assert body.count('href="/office/complaints/') >= 15


def test_api_lists_have_bounded_queries(
    api_for, staff_reviewer, owner_a, merchant_a, django_assert_max_num_queries
):
    for _ in range(12):
        complaint = _awaiting(merchant_a)
        complaint.evidence.create(party="shopper", original_name="x.png", size=1, file="x.png")
    with django_assert_max_num_queries(8):
        staff = api_for(staff_reviewer).get("/api/v1/staff/complaints?standard=logistics")
    assert staff.json()["count"] == 12
    assert len(staff.json()["results"][0]["evidence"]) == 1
    with django_assert_max_num_queries(10):
        mine = api_for(owner_a).get("/api/v1/merchant/complaints?state=awaiting_merchant")
    assert mine.json()["count"] == 12
