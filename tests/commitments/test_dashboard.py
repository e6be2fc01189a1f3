"""commitments.dashboard: breaches still open to appeal, recent vouchers, the staff appeal queue."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from commitments.models import Breach, BreachAppeal, Voucher
from tests.complaints.factories import OrderFactory, commitment_for

pytestmark = pytest.mark.django_db
NOW = datetime(2024, 3, 20, 2, 0, tzinfo=UTC)


def _card(html: str, card_id: str) -> str:
    start = html.index(f'id="{card_id}"')
    return html[start : html.index("</section>", start)]


def _breach(merchant, detected_at, *, tag_code="ship_24h") -> Breach:
    commitment = commitment_for(OrderFactory(merchant=merchant), tag_code, state="breached")
    return Breach.objects.create(
        commitment=commitment, merchant=merchant, detected_at=detected_at, source="sweep"
    )


def _voucher(
    breach: Breach | None, merchant, amount: str, *, source_type="commitments.breach", n=1
) -> Voucher:
    order = breach.commitment.order if breach else OrderFactory(merchant=merchant)
    return Voucher.objects.create(
        code=f"V{n:08d}",
        shopper_ref=order.shopper_ref,
        merchant=merchant,
        order=order,
        amount=Decimal(amount),
        valid_until=NOW + timedelta(days=30),
        breach=breach,
        source_type=source_type,
        source_id=str(breach.pk if breach else order.pk),
    )


@time_machine.travel(NOW, tick=False)
def test_office_cards_show_appealable_breaches_and_recent_vouchers(
    client, owner_a, merchant_a, merchant_b, django_assert_max_num_queries
):
    open_breach = _breach(merchant_a, NOW - timedelta(days=2))
    appealed = _breach(merchant_a, NOW - timedelta(days=1))
    BreachAppeal.objects.create(breach=appealed, merchant=merchant_a, text="已按时揽收")
    closed_window = _breach(merchant_a, NOW - timedelta(days=60))
    theirs = _breach(merchant_b, NOW - timedelta(days=1))
    _voucher(open_breach, merchant_a, "30.00", n=1)
    _voucher(None, merchant_a, "50.00", source_type="complaints.complaint", n=2)
    _voucher(theirs, merchant_b, "70.00", n=3)
    client.force_login(owner_a)

    with django_assert_max_num_queries(25):
        body = client.get("/office/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    breaches = _card(body, "card-breaches")
    assert f'href="/office/commitments/breaches/{open_breach.pk}/"' in breaches
    assert f"/breaches/{appealed.pk}/" not in breaches
    assert f"/breaches/{closed_window.pk}/" not in breaches
    assert f"/breaches/{theirs.pk}/" not in breaches
    assert '<span class="badge warn">1</span>' in breaches
    assert "1 appeal is under review." in breaches
    vouchers = _card(body, "card-vouchers")
    assert "¥30.00" in vouchers
    assert "¥50.00" in vouchers
    assert "¥70.00" not in vouchers
    assert "complaint decision" in vouchers
    assert "complaints.complaint" not in vouchers


@time_machine.travel(NOW, tick=False)
def test_staff_card_counts_breach_appeals(client, staff_adjudicator, merchant_a):
    first = _breach(merchant_a, NOW - timedelta(days=3))
    BreachAppeal.objects.create(breach=first, merchant=merchant_a, text="签收照片")
    client.force_login(staff_adjudicator)

    card = _card(client.get("/staff/", HTTP_ACCEPT_LANGUAGE="en").content.decode(), "card-appeal-queue")

    assert '<td class="num">1</td><td>2024-03-20 10:00</td>' in card


def test_merchant_page_lists_breaches_and_vouchers_of_that_merchant(
    client, staff_ops, merchant_a, merchant_b
):
    mine = _breach(merchant_a, NOW)
    theirs = _breach(merchant_b, NOW)
    _voucher(mine, merchant_a, "30.00", n=1)
    _voucher(theirs, merchant_b, "70.00", n=2)
    client.force_login(staff_ops)

    body = client.get(f"/staff/merchants/{merchant_a.pk}/").content.decode()

    assert mine.commitment.order.external_id in _card(body, "merchant-breaches")
    assert theirs.commitment.order.external_id not in _card(body, "merchant-breaches")
    assert "¥30.00" in _card(body, "merchant-vouchers")
    assert "¥70.00" not in _card(body, "merchant-vouchers")
