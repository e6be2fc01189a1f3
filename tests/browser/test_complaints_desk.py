"""The complaints desk in a real browser: the merchant responds with evidence, the adjudicator decides."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from complaints.models import Complaint
from complaints.services import complaint_accept
from merchants.models import DepositAccount
from tests.complaints.conftest import PNG
from tests.complaints.factories import ComplaintFactory, OrderFactory

pytestmark = pytest.mark.browser


def _complaint(merchant) -> Complaint:
    now = timezone.now()
    complaint = ComplaintFactory(
        external_id="C-BROWSER-1",
        order=OrderFactory(merchant=merchant),
        filed_at=now - timedelta(hours=2),
        due_at=now + timedelta(days=5),
    )
    complaint_accept(complaint_id=complaint.pk)
    return complaint


def test_merchant_responds_then_adjudicator_upholds(
    login_as, owner_a, merchant_a, staff_adjudicator, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    complaint = _complaint(merchant_a)
    page = login_as(owner_a)
    page.click('nav a[href="/office/complaints/"]')
    page.wait_for_url("**/office/complaints/")
    assert page.locator("#awaiting-response").is_visible()
    page.click("text=C-BROWSER-1")
    proof = tmp_path / "pod.png"
    proof.write_bytes(PNG)
    page.fill("#text", "已安排师傅补送上门，附签收照片。")
    page.set_input_files("#evidence", str(proof))
    with page.expect_navigation():
        page.click("#response-form button[type=submit]")
    assert "已安排师傅补送上门" in page.content()
    complaint.refresh_from_db()
    assert complaint.state == "under_review"

    page.context.clear_cookies()
    from tests.browser.conftest import login

    login(page, staff_adjudicator.username)
    page.goto("/staff/complaints/")
    page.click("text=C-BROWSER-1")
    assert "pod.png" in page.locator("#merchant-response").inner_text()
    page.select_option("#responsibility", "merchant")
    page.fill("#compensation_amount", "40.00")
    page.fill("#reason", "商家未按承诺送货上门")
    with page.expect_navigation():
        page.click("#decision-form button[type=submit]")
    assert "¥40.00" in page.locator("#decision").inner_text()
    complaint.refresh_from_db()
    assert (complaint.state, complaint.compensation_amount) == ("upheld", Decimal("40.00"))
    assert DepositAccount.objects.get(merchant=merchant_a).balance == Decimal("-40.00")
