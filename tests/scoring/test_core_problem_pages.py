"""Core problems on the pages: the back-office card and page, the order page, the staff merchant
page; a merchant sees only its own; both languages; bounded queries."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from complaints.models import HelpRequest
from scoring.core_problems.services import core_problems_compute

from ..complaints.factories import ComplaintFactory, OrderFactory, standard

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def problems(merchant_a, merchant_b):
    today = datetime.now(SH).date()
    at = datetime.combine(today - timedelta(days=1), datetime.min.time(), tzinfo=SH) + timedelta(hours=9)
    orders = [
        OrderFactory(merchant=merchant_a, external_id=f"PA{n:04d}", paid_at=at - timedelta(days=5))
        for n in range(4)
    ]
    for n, order in enumerate(orders[:3]):
        HelpRequest.objects.create(
            external_id=f"HA{n}", order=order, merchant=merchant_a, scenario="urge_dispatch", requested_at=at
        )
    ComplaintFactory(order=orders[3], standard=standard("installation"), filed_at=at - timedelta(days=10))
    order_b = OrderFactory(merchant=merchant_b, external_id="PB0001", paid_at=at - timedelta(days=5))
    HelpRequest.objects.create(
        external_id="HB0", order=order_b, merchant=merchant_b, scenario="invoice", requested_at=at
    )
    core_problems_compute(day=today)
    return orders


def test_dashboard_card_beside_the_score(client, owner_a, problems, django_assert_max_num_queries):
    client.force_login(owner_a)
    client.cookies["django_language"] = "en"
    html = client.get("/office/").content.decode()
    card = html.split('id="core-problems-card"')[1].split("</div>")[0]
    assert "Slow dispatch (urge dispatch)" in card
    assert "75%" in card  # 3 of 4 orders
    assert "PB0001" not in html


def test_office_page_in_both_languages_with_links(client, owner_a, problems, django_assert_max_num_queries):
    client.force_login(owner_a)
    client.cookies["django_language"] = "zh-hans"
    with django_assert_max_num_queries(12):
        html = client.get("/office/core-problems/").content.decode()
    row = html.split('id="core-problem-slow_dispatch"')[1].split("</tr>")[0]
    assert "发货慢（催发货）" in row
    cells = [c.split(">")[-1] for c in row.split("</td>")[1:4]]
    assert cells == ["3", "75%", "3"]
    assert '<a href="/office/core-problems/orders/PA0002/">PA0002</a>' in row
    assert 'href="/office/courses/tips/urge_dispatch/"' in row
    assert 'href="/office/courses/part_dispatch/"' in row
    assert "安装预约与上门" in html
    assert "发票问题" not in html  # merchant B's
    client.cookies["django_language"] = "en"
    html = client.get("/office/core-problems/").content.decode()
    assert "Installation booking and visits" in html
    assert "Last 2 days" in html


def test_order_page_is_only_for_the_shops_own_orders(client, owner_a, problems):
    client.force_login(owner_a)
    client.cookies["django_language"] = "en"
    html = client.get("/office/core-problems/orders/PA0000/").content.decode()
    assert "urge dispatch (催发货)" in html
    assert client.get("/office/core-problems/orders/PB0001/").status_code == 404


def test_staff_merchant_page_shows_the_core_problems(client, staff_reviewer, merchant_a, problems):
    client.force_login(staff_reviewer)
    client.cookies["django_language"] = "en"
    html = client.get(f"/staff/merchants/{merchant_a.pk}/").content.decode()
    section = html.split('id="merchant-core-problems"')[1].split("</section>")[0]
    assert "Slow dispatch (urge dispatch)" in section
    assert "/staff/core-problems/orders/PA0000/" in section
    html = client.get(f"/staff/merchants/{merchant_a.pk}/core-problems/").content.decode()
    assert "Installation booking and visits" in html
    assert client.get("/staff/core-problems/orders/PB0001/").status_code == 200


def test_merchant_cannot_open_the_staff_pages(client, owner_a, merchant_b, problems):
    client.force_login(owner_a)
    assert client.get(f"/staff/merchants/{merchant_b.pk}/core-problems/").status_code == 403
    assert client.get("/staff/core-problems/orders/PB0001/").status_code == 403


def test_before_the_first_run_the_panel_says_so(client, owner_a):
    client.force_login(owner_a)
    client.cookies["django_language"] = "en"
    html = client.get("/office/core-problems/").content.decode()
    assert "none have been computed yet" in html
