"""tags.dashboard: the merchant's tags and badge card, the staff review queues, the merchant page section."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from tags.models import BrandWarrantyService, TagApplication, TagHolding

from .factories import grant, grant_badge_set, tag

pytestmark = pytest.mark.django_db


def _card(html: str, card_id: str) -> str:
    start = html.index(f'id="{card_id}"')
    return html[start : html.index("</section>", start)]


def test_office_card_shows_held_rectifying_and_barred_tags_with_dates(
    client, owner_a, merchant_a, merchant_b, django_assert_max_num_queries
):
    grant_badge_set(merchant_a)
    rectifying = grant(merchant_a, "installments")
    TagHolding.objects.filter(pk=rectifying.pk).update(
        state="rectifying", rectification_month=date(2024, 5, 1)
    )
    barred = grant(merchant_a, "fast_refund")
    TagHolding.objects.filter(pk=barred.pk).update(state="barred", barred_until=date(2025, 5, 1))
    grant(merchant_b, "genuine_invoice")
    client.force_login(owner_a)

    # Every registered card counts here; the experience score card (order 20) reads one row.
    with django_assert_max_num_queries(21):
        response = client.get("/office/", HTTP_ACCEPT_LANGUAGE="en")

    card = _card(response.content.decode(), "card-tags")
    assert "held since" in card
    assert "rectification month 2024-05" in card
    assert "may apply again from 2025-05-01" in card
    assert tag("installments").name_en in card
    assert tag("genuine_invoice").name_en not in card  # merchant B's
    assert 'href="/office/tags/mine/"' in card


def test_office_card_in_chinese(client, owner_a, merchant_a):
    grant(merchant_a, "ship_24h")
    client.force_login(owner_a)

    card = _card(client.get("/office/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode(), "card-tags")

    assert tag("ship_24h").name_zh in card
    assert "服务标签与品类标志" in card


@time_machine.travel(datetime(2024, 6, 3, 4, 0, tzinfo=UTC), tick=False)
def test_staff_card_counts_the_review_queues_with_the_oldest_item(
    client, staff_reviewer, merchant_a, merchant_b
):
    for merchant, submitted in ((merchant_a, datetime(2024, 6, 1, 1, 0, tzinfo=UTC)), (merchant_b, None)):
        TagApplication.objects.create(
            merchant=merchant,
            category=merchant.main_category,
            tag=tag("nationwide_warranty"),
            state=TagApplication.State.UNDER_REVIEW,
            submitted_at=submitted or datetime(2024, 6, 2, 1, 0, tzinfo=UTC),
        )
    client.force_login(staff_reviewer)

    card = _card(client.get("/staff/", HTTP_ACCEPT_LANGUAGE="en").content.decode(), "card-tag-queues")

    assert '<td class="num">2</td><td>2024-06-01 09:00</td>' in card  # Asia/Shanghai
    assert '<td class="num">0</td><td>—</td>' in card  # no warranty service waiting
    assert BrandWarrantyService.objects.count() == 0


def test_merchant_page_lists_the_merchants_tags(client, staff_reviewer, merchant_a, merchant_b):
    grant(merchant_a, "ship_24h")
    grant(merchant_b, "genuine_invoice")
    client.force_login(staff_reviewer)

    section = _card(
        client.get(f"/staff/merchants/{merchant_a.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode(),
        "merchant-tags",
    )

    assert tag("ship_24h").name_en in section
    assert tag("genuine_invoice").name_en not in section
