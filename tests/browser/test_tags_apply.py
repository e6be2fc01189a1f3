"""Service tags in a real browser: apply, see each check, sign; staff review; zh-hans and en."""

from decimal import Decimal

import pytest

from merchants.models import DepositAccount
from tags.models import TagApplication, TagHolding

from .conftest import login

pytestmark = pytest.mark.browser


def _fund(merchant, amount="100000.00"):
    DepositAccount.objects.filter(merchant=merchant).update(balance=Decimal(amount))


def test_owner_applies_sees_checks_signs_and_holds_the_tag(browser_page, owner_a, merchant_a):
    _fund(merchant_a)
    page = login(browser_page, "owner_a")
    page.click('nav a[href="/office/tags/"]')
    page.wait_for_url("**/office/tags/")
    assert "24h发货" in page.locator("#tag-ship_24h").inner_text()  # zh-hans by default

    page.goto("/office/tags/apply/ship_24h/")
    with page.expect_navigation():
        page.click("#apply-submit")
    checks = page.locator("#checks").inner_text()
    assert "保证金" in checks or "Deposit" in checks
    application = TagApplication.objects.get(merchant=merchant_a, tag__code="ship_24h")
    assert application.state == "awaiting_agreement"

    page.check("input[name=accept]")
    page.fill("#signer_name", "王海")
    with page.expect_navigation():
        page.click("#sign-submit")
    application.refresh_from_db()
    assert application.state == "active"

    page.goto("/office/tags/mine/")
    assert "24h发货" in page.locator("#holdings").inner_text()
    assert TagHolding.objects.get(merchant=merchant_a, tag__code="ship_24h").state == "active"


def test_failed_checks_are_explained_in_english(browser_page, owner_a, merchant_a):
    _fund(merchant_a, "10.00")
    page = login(browser_page, "owner_a")
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    page.goto("/office/tags/apply/worry_free_returns/")
    with page.expect_navigation():
        page.click("#apply-submit")
    checks = page.locator("#checks").inner_text()
    assert "Deposit ¥10.00 is below the category requirement of ¥50000.00: top up." in checks
    assert "Accept the 7-day return / 15-day exchange terms." in checks
    assert "What to fix" in checks


def test_reviewer_rejects_with_a_reason(browser_page, owner_a, merchant_a, staff_reviewer):
    from tags.services import application_create, application_sign, application_submit
    from tests.factories import category

    _fund(merchant_a)
    from tags.models import Tag

    app = application_create(
        merchant=merchant_a,
        category=category(),
        tag=Tag.objects.get(code="sf_free_shipping"),
        config={"warehouse": True},
    )
    application_submit(application_id=app.pk, merchant=merchant_a)
    app.refresh_from_db()
    if app.state != "awaiting_agreement":
        pytest.skip(f"a registered metric check refused the application: {app.rejection_reason}")
    application_sign(
        application_id=app.pk, merchant=merchant_a, actor=owner_a, signer_name="王海", accept=True
    )

    page = login(browser_page, "reviewer")
    page.click('nav a[href="/staff/tags/review/"]')
    page.wait_for_url("**/staff/tags/review/")
    row = page.locator("#queue tbody tr").first
    assert "顺丰包邮" in row.inner_text()
    row.locator("input[name=reason]").fill("仓库履约证明缺失")
    with page.expect_navigation():
        row.locator("button[value=reject]").click()
    app.refresh_from_db()
    assert (app.state, app.rejection_reason) == ("rejected", "仓库履约证明缺失")
