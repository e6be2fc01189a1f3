"""The foundation surfaces in a real browser: login, back office, language switch, staff directory, 403."""

import re
from decimal import Decimal

import pytest

from merchants.services import deposit_post_entry

from .conftest import login

pytestmark = pytest.mark.browser


@pytest.fixture
def funded_a(merchant_a):
    deposit_post_entry(
        merchant_id=merchant_a.pk, kind="top_up", amount=Decimal("1234.50"), memo="首次缴纳保证金"
    )
    return merchant_a


def test_owner_logs_in_and_sees_dashboard_and_ledger(browser_page, owner_a, funded_a, merchant_b):
    deposit_post_entry(merchant_id=merchant_b.pk, kind="top_up", amount=Decimal("777.00"), memo="B only")
    page = login(browser_page, "owner_a")

    assert page.url.endswith("/office/")
    assert "海尔官方旗舰店" in page.locator("h1").inner_text()
    assert page.locator("#deposit-balance").inner_text() == "¥1,234.50"
    assert page.locator("#topup-flag").is_visible()  # ¥1,234.50 < ¥50,000

    page.click('nav a[href="/office/deposit/"]')
    page.wait_for_url("**/office/deposit/")
    ledger = page.locator("table.ledger tbody").inner_text()
    assert "首次缴纳保证金" in ledger
    assert "B only" not in ledger


def test_language_switcher_changes_the_text(login_as, owner_a, funded_a):
    page = login_as(owner_a)
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "海尔官方旗舰店" in page.locator("h1").inner_text()

    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Haier Official Store" in page.locator("h1").inner_text()
    assert "Large appliances" in page.locator("h1").inner_text()  # the category's English name

    with page.expect_navigation():
        page.select_option("select[name=language]", "zh-hans")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "大家电" in page.locator("h1").inner_text()


def test_staff_searches_the_directory_and_opens_a_merchant(login_as, staff_reviewer, merchant_a, merchant_b):
    page = login_as(staff_reviewer)
    assert page.url.endswith("/staff/")

    page.click('nav a[href="/staff/merchants/"]')
    page.wait_for_url("**/staff/merchants/")
    rows = page.locator("table tbody tr")
    assert rows.count() == 2

    page.fill("#q", "小米")
    with page.expect_navigation():
        page.press("#q", "Enter")
    assert re.search(r"[?&]q=", page.url)
    assert rows.count() == 1
    assert "小米数码专营店" in rows.first.inner_text()

    with page.expect_navigation():
        rows.first.locator("a", has_text="B0000001").click()
    assert page.url.endswith(f"/staff/merchants/{merchant_b.pk}/")
    assert "小米数码专营店" in page.locator("h1").inner_text()


def test_merchant_user_gets_403_on_a_staff_page(login_as, owner_a, merchant_b):
    page = login_as(owner_a)
    response = page.goto(f"/staff/merchants/{merchant_b.pk}/")
    assert response.status == 403
    assert "小米数码专营店" not in page.content()
