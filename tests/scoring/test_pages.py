"""Score pages: the back office page, the dashboard card, the staff list with its histogram, filters
and CSV, the staff's read-only merchant page; bounded queries; nothing computed on read."""

import pytest
from django.urls import reverse

from core import roles
from scoring.models import MerchantScore
from tests.factories import MerchantFactory, UserFactory, category

from .factories import TODAY, rollup, scored

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def peers(merchant_a):
    others = [MerchantFactory(main_category=merchant_a.main_category) for _ in range(11)]
    rollup(others[0], rating_sum=120)  # rating 3.0: a weaker product part
    scored([merchant_a, *others[1:]])
    return others


def _get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params, HTTP_ACCEPT_LANGUAGE="en")


def test_office_score_page(client, owner_a, merchant_a, peers, django_assert_max_num_queries):
    client.force_login(owner_a)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("office:score"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    text = response.content.decode()
    row = MerchantScore.objects.get(merchant=merchant_a, day=TODAY)
    assert row.total_display in text
    assert "/ 5.0" in text
    assert 'id="score-trend"' in text
    assert 'id="score-trend-data"' in text
    assert "vendor/echarts/echarts.min.js" in text
    assert "Better than" in text
    assert "of 12 peers" in text
    assert "Product rating" in text
    assert "insufficient" in text


def test_office_page_without_a_score(client, owner_b):
    response = _get(client, owner_b, reverse("office:score"))
    assert response.status_code == 200
    assert "No score yet" in response.content.decode()


def test_dashboard_card_shows_score_and_warning(client, owner_a, merchant_a):
    rollup(merchant_a, rating_sum=120)  # rating 3.0 scores 0: product part 50 (quality refunds 100)
    scored([])
    row = MerchantScore.objects.get(merchant=merchant_a)
    response = _get(client, owner_a, reverse("office:dashboard"))
    text = response.content.decode()
    assert 'id="score-card"' in text
    assert f"<strong>{row.total_display}</strong> / 5.0" in text


def test_warning_banner(client, owner_a, merchant_a):
    rollup(merchant_a, dispatch_kept=0, pickup_48h=0, dispatch_violations=10)  # dispatch part 0
    scored([])
    row = MerchantScore.objects.get(merchant=merchant_a)
    assert (row.dispatch, row.warning) == (0, True)
    text = _get(client, owner_a, reverse("office:score")).content.decode()
    assert 'id="score-warning"' in text


def test_staff_list_filters_orders_and_csv(client, merchant_a, peers, django_assert_max_num_queries):
    staff = UserFactory(roles=[roles.STAFF_OPS])
    client.force_login(staff)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("staff:scores"), {"ordering": "total"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="score-histogram"' in text
    assert 'id="score-histogram-data"' in text
    assert text.count('href="/staff/scores/merchant/') == 12
    other = _get(client, staff, reverse("staff:scores"), category=category("digital_3c").pk).content.decode()
    assert "No merchant matches." in other
    csv = b"".join(_get(client, staff, reverse("staff:scores-csv")).streaming_content).decode("utf-8-sig")
    lines = csv.strip().splitlines()
    assert lines[0].startswith("Day,Shop code,Shop,Main category,Orders (90 days),Total (of 5.0)")
    assert len(lines) == 13


def test_staff_merchant_page_is_read_only_and_merchants_cannot_open_it(client, owner_a, merchant_a, peers):
    staff = UserFactory(roles=[roles.STAFF_REVIEWER])
    url = reverse("staff:score-merchant", args=[merchant_a.pk])
    response = _get(client, staff, url)
    assert response.status_code == 200
    assert "<form" not in response.content.decode().split('id="score-total"')[1]
    assert _get(client, owner_a, url).status_code in (302, 403)


def test_office_history_csv(client, owner_a, merchant_a, peers):
    csv = b"".join(_get(client, owner_a, reverse("office:score-csv")).streaming_content).decode("utf-8-sig")
    lines = csv.strip().splitlines()
    row = MerchantScore.objects.get(merchant=merchant_a)
    assert len(lines) == 2
    assert lines[1].startswith(f"2026-03-20,{merchant_a.shop_code},")
    assert f",{row.total_display}," in lines[1]
