"""The monthly evaluation in a real browser: the merchant reads its notices (zh-hans) and its
evaluation page; staff_ops inspects a run, previews a threshold change and saves it (en)."""

from datetime import date

import pytest
import time_machine

from core import roles
from scoring.evaluation.services import evaluation_run
from scoring.models import EvaluationSettings
from tests.browser.conftest import login
from tests.factories import UserFactory
from tests.scoring.evaluation_factories import at, fault, holding_set, orders

pytestmark = pytest.mark.browser

SEP = date(2026, 9, 1)


@pytest.fixture
def evaluated(merchant_a, merchant_b):
    holding_set(merchant_a)
    holding_set(merchant_b)
    fault(orders(merchant_a, 100, SEP)[0], date(2026, 9, 20))
    orders(merchant_b, 100, SEP)
    with time_machine.travel(at(date(2026, 10, 8), 3), tick=False):
        return evaluation_run(period=SEP)


def test_merchant_reads_the_revocation_notice_and_its_evaluation_in_chinese(
    login_as, owner_a, evaluated, tmp_path
):
    page = login_as(owner_a)
    assert page.locator("#unread-notices").inner_text() == "3"
    assert "月度考核" in page.locator("#evaluation-card").inner_text()
    page.click("#notice-bell")
    page.wait_for_url("**/office/notices/")
    notices = page.locator("#notices").inner_text()
    assert "2026年9月 考核未通过" in notices
    assert "过失投诉率：100 个订单中 1 个 = 1.00%（达到 0.50% 即不合格）" in notices
    page.screenshot(path=str(tmp_path / "notices-zh.png"), full_page=True)
    with page.expect_navigation():
        page.click("#mark-all-read")
    assert page.locator("#unread-notices").count() == 0
    page.click('nav a[href="/office/evaluation/"]')
    page.wait_for_url("**/office/evaluation/")
    history = page.locator("#evaluation-history").inner_text()
    assert "1 / 100 = 1.00%" in history
    assert "取消：进入整改期" in history
    assert "整改期 2026-10" in page.locator("#evaluation-status").inner_text()
    # All three tags are in rectification: nothing is held, so there is no what-if to show.
    assert "您没有需要考核的标签。" in page.locator("#what-if").inner_text()
    page.screenshot(path=str(tmp_path / "evaluation-zh.png"), full_page=True)


def test_ops_inspects_a_run_previews_a_threshold_and_saves_it_in_english(
    browser_page, live_server, evaluated, tmp_path
):

    UserFactory(username="ops_user", roles=[roles.STAFF_OPS])
    browser_page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = browser_page
    login(page, "ops_user")
    page.click('nav a[href="/staff/evaluation/"]')
    page.wait_for_url("**/staff/evaluation/")
    assert "Monthly evaluation runs" in page.locator("h1").inner_text()
    page.click("#evaluation-runs >> text=2026-09")
    page.wait_for_url("**/staff/evaluation/2026-09/")
    page.select_option("#outcome", "fail")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    rows = page.locator("#evaluation-results tbody tr")
    assert rows.count() == 3
    assert "1 / 100 = 1.00%" in rows.first.inner_text()
    page.screenshot(path=str(tmp_path / "run-en.png"), full_page=True)

    page.click('nav a[href="/staff/evaluation/rules/"]')
    page.fill("#fault_rate_fail_percent", "1.01")
    with page.expect_navigation():
        page.click("#preview-impact")
    assert (
        page.locator("#impact-summary").inner_text()
        == "pass → fail: 0 tags of 0 merchants; fail → pass: 3 tags of 1 merchants."
    )
    assert EvaluationSettings.current().rule_version == 1
    with page.expect_navigation():
        page.click("#save-rules")
    assert "Evaluation rules saved." in page.content()
    assert EvaluationSettings.current().rule_version == 2
