"""complaints.dashboard: replies the shop owes with the 48 h countdown; the desk's queues for staff."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from complaints.models import Appeal, Complaint

from .factories import ComplaintFactory, OrderFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2024, 3, 6, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def _card(html: str, card_id: str) -> str:
    start = html.index(f'id="{card_id}"')
    return html[start : html.index("</section>", start)]


@time_machine.travel(NOW, tick=False)
def test_office_card_lists_complaints_awaiting_our_reply_with_the_countdown(
    client, owner_a, merchant_a, merchant_b, django_assert_max_num_queries
):
    soon = ComplaintFactory(
        order=OrderFactory(merchant=merchant_a),
        state=Complaint.State.AWAITING_MERCHANT,
        merchant_response_due_at=NOW + timedelta(hours=5, minutes=30),
    )
    late = ComplaintFactory(
        order=OrderFactory(merchant=merchant_a),
        state=Complaint.State.AWAITING_MERCHANT,
        merchant_response_due_at=NOW - timedelta(hours=2),
    )
    ComplaintFactory(order=OrderFactory(merchant=merchant_a), state=Complaint.State.UNDER_REVIEW)
    other = ComplaintFactory(
        order=OrderFactory(merchant=merchant_b),
        state=Complaint.State.AWAITING_MERCHANT,
        merchant_response_due_at=NOW + timedelta(hours=1),
    )
    client.force_login(owner_a)

    with django_assert_max_num_queries(20):
        response = client.get("/office/", HTTP_ACCEPT_LANGUAGE="en")

    card = _card(response.content.decode(), "card-complaints")
    assert '<span class="badge warn">2</span>' in card
    assert card.index(late.external_id) < card.index(soon.external_id)  # least time left first
    assert "2024-03-06 15:30" in card
    assert "5 h 30 min left" in card
    assert "overdue by 2 h 0 min" in card
    assert other.external_id not in card
    assert f'href="/office/complaints/{soon.pk}/"' in card


@time_machine.travel(NOW, tick=False)
def test_staff_card_counts_overdue_due_today_urgent_and_appeals(client, staff_adjudicator):
    ComplaintFactory(due_at=NOW - timedelta(hours=1), filed_at=NOW - timedelta(days=8), urgent=True)
    ComplaintFactory(due_at=datetime(2024, 3, 6, 15, 59, 59, tzinfo=UTC), filed_at=NOW - timedelta(days=6))
    ComplaintFactory(due_at=NOW + timedelta(days=3))
    ComplaintFactory(due_at=NOW - timedelta(days=1), state=Complaint.State.UPHELD)  # closed: not overdue
    upheld = ComplaintFactory(state=Complaint.State.UPHELD)
    Appeal.objects.create(complaint=upheld, reason="已送货上门，有签收照片。")
    client.force_login(staff_adjudicator)

    card = _card(client.get("/staff/", HTTP_ACCEPT_LANGUAGE="en").content.decode(), "card-desk-queues")

    rows = card.split("<tr>")[2:]
    assert "Complaints overdue" in rows[0]
    assert '<span class="badge bad">1</span>' in rows[0]
    assert "2024-02-27 10:00" in rows[0]
    assert "Complaints due today" in rows[1]
    assert '<td class="num">1</td>' in rows[1]
    assert "2024-02-29 10:00" in rows[1]
    assert "Urgent complaints" in rows[2]
    assert '<td class="num">1</td>' in rows[2]
    assert "Complaint appeals" in rows[3]
    assert '<td class="num">1</td>' in rows[3]


@time_machine.travel(NOW, tick=False)
def test_queue_filters_behind_the_card_links(client, staff_adjudicator):
    overdue = ComplaintFactory(due_at=NOW - timedelta(hours=1))
    today = ComplaintFactory(due_at=datetime(2024, 3, 6, 15, 59, 59, tzinfo=UTC))
    later = ComplaintFactory(due_at=NOW + timedelta(days=3), urgent=True)
    upheld = ComplaintFactory(state=Complaint.State.UPHELD)
    Appeal.objects.create(complaint=upheld, reason="有签收照片。")
    client.force_login(staff_adjudicator)

    def listed(query: str) -> set[str]:
        body = client.get(f"/staff/complaints/?{query}").content.decode()
        return {c.external_id for c in (overdue, today, later, upheld) if c.external_id in body}

    assert listed("due=today") == {today.external_id}
    assert listed("overdue=1") == {overdue.external_id}
    assert listed("urgent=1") == {later.external_id}
    assert listed("appealed=1") == {upheld.external_id}


def test_merchant_page_lists_the_merchants_complaints(client, staff_reviewer, merchant_a, merchant_b):
    mine = ComplaintFactory(order=OrderFactory(merchant=merchant_a))
    theirs = ComplaintFactory(order=OrderFactory(merchant=merchant_b))
    client.force_login(staff_reviewer)

    section = _card(client.get(f"/staff/merchants/{merchant_a.pk}/").content.decode(), "merchant-complaints")

    assert mine.external_id in section
    assert theirs.external_id not in section
