"""Core problems in a real browser: the dashboard card beside the score, the page with tip and
course links and order numbers, in zh-hans and en; staff on the merchant page."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from complaints.models import HelpRequest
from scoring.core_problems.services import core_problems_compute

from ..complaints.factories import ComplaintFactory, OrderFactory, standard
from .conftest import login

pytestmark = pytest.mark.browser
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def problems(merchant_a):
    today = datetime.now(SH).date()
    at = datetime.combine(today - timedelta(days=1), datetime.min.time(), tzinfo=SH) + timedelta(hours=9)
    orders = [
        OrderFactory(merchant=merchant_a, external_id=f"PA{n:04d}", paid_at=at - timedelta(days=5))
        for n in range(5)
    ]
    for n, order in enumerate(orders[:3]):
        HelpRequest.objects.create(
            external_id=f"HA{n}", order=order, merchant=merchant_a, scenario="urge_dispatch", requested_at=at
        )
    ComplaintFactory(order=orders[3], standard=standard("installation"), filed_at=at - timedelta(days=10))
    core_problems_compute(day=today)


@pytest.mark.parametrize(
    ("language", "name", "tip"),
    [("zh-hans", "发货慢（催发货）", "催发货"), ("en", "Slow dispatch (urge dispatch)", "Urge")],
)
def test_owner_follows_a_core_problem_to_the_tip_and_the_order(
    browser_page, owner_a, problems, language, name, tip
):
    page = login(browser_page, "owner_a")
    if language == "en":
        with page.expect_navigation():
            page.select_option("select[name=language]", "en")
    card = page.locator("#core-problems-card")
    assert name in card.inner_text()
    with page.expect_navigation():
        card.locator("p a").click()
    row = page.locator("#core-problem-slow_dispatch")
    assert "60%" in row.inner_text()  # 3 of 5 orders
    page.screenshot(path=f"/tmp/core-problems-{language}.png", full_page=True)
    with page.expect_navigation():
        row.locator('a[href^="/office/courses/tips/"]').click()
    assert tip in page.locator("h1").inner_text()
    page.go_back()
    with page.expect_navigation():
        page.locator("#core-problem-slow_dispatch a", has_text="PA0002").click()
    assert "PA0002" in page.locator("#order-number").inner_text()


def test_staff_sees_core_problems_on_the_merchant_page(login_as, staff_reviewer, merchant_a, problems):
    page = login_as(staff_reviewer)
    page.goto(f"/staff/merchants/{merchant_a.pk}/")
    section = page.locator("#merchant-core-problems")
    assert "发货慢（催发货）" in section.inner_text()
