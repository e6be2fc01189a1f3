"""The experience score page in a real browser, zh-hans and en: ECharts (from our static files) draws
the 90-day trend; the staff histogram draws too."""

import pytest

from core import roles
from scoring.services.scores import score_day
from tests.factories import MerchantFactory, UserFactory
from tests.scoring.factories import TODAY, rollup

from .conftest import login

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("language", "title", "better"),
    [("zh-hans", "服务体验分", "超过"), ("en", "Experience score", "Better than")],
)
def test_score_page_draws_its_chart(browser_page, owner_a, merchant_a, language, title, better):
    for merchant in [
        merchant_a,
        *(MerchantFactory(main_category=merchant_a.main_category) for _ in range(10)),
    ]:
        rollup(merchant)
    for days in (2, 1, 0):
        score_day(day=TODAY.replace(day=TODAY.day - days))
    page = login(browser_page, "owner_a")
    if language == "en":
        with page.expect_navigation():
            page.select_option("select[name=language]", "en")
    page.click('nav a[href="/office/score/"]')
    page.wait_for_url("**/office/score/")
    assert page.locator("h1").inner_text() == title
    page.wait_for_selector('#score-trend[data-chart-drawn="1"]')
    assert page.locator("#score-trend canvas").count() >= 1
    series = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('score-trend')).getOption().series.length"
    )
    assert series == 5  # the total and four parts
    assert better in page.locator("#score-peers").inner_text()
    page.screenshot(path=f"/tmp/score-{language}.png", full_page=True)


def test_staff_histogram_draws(browser_page, merchant_a):
    UserFactory(username="ops_user", roles=[roles.STAFF_OPS])
    rollup(merchant_a)
    score_day(day=TODAY)
    page = login(browser_page, "ops_user")
    page.goto("/staff/scores/")
    page.wait_for_selector('#score-histogram[data-chart-drawn="1"]')
    assert page.locator("#score-histogram canvas").count() >= 1
