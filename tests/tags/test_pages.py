from datetime import timedelta

import pytest
from django.test import Client

from core.periods import local_today
from tags.models import TagAgreement, TagApplication, TagHolding

from .factories import fund, grant, grant_badge_set

pytestmark = pytest.mark.django_db


def _client(user, lang="en"):
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_catalog_page(owner_a, merchant_a, lang, django_assert_max_num_queries):
    grant(merchant_a, "ship_24h")
    client = _client(owner_a, lang)
    with django_assert_max_num_queries(12):
        r = client.get("/office/tags/")
    assert r.status_code == 200
    html = r.content.decode()
    assert ("24h发货" if lang == "zh-hans" else "24-hour dispatch") in html
    assert "price_protect_30d" in html


def test_apply_flow_in_the_browser(owner_a, merchant_a):
    fund(merchant_a, "100")
    c = _client(owner_a)
    assert c.get("/office/tags/apply/worry_free_returns/").status_code == 200
    r = c.post("/office/tags/apply/worry_free_returns/", {"category": "large_appliances"})
    app = TagApplication.objects.get(merchant=merchant_a)
    assert r.status_code == 302
    page = c.get(f"/office/tags/applications/{app.pk}/").content.decode()
    assert app.state == "rejected"
    assert "Deposit ¥100.00 is below the category requirement of ¥50000.00: top up." in page
    assert "Top up your deposit to the category requirement" in page
    assert "Accept the 7-day return / 15-day exchange terms." in page


def test_apply_sign_and_see_my_tags(owner_a, merchant_a):
    fund(merchant_a)
    c = _client(owner_a)
    c.post("/office/tags/apply/ship_24h/", {"category": "large_appliances"})
    app = TagApplication.objects.get(merchant=merchant_a)
    assert app.state == "awaiting_agreement"
    page = c.get(f"/office/tags/applications/{app.pk}/").content.decode()
    assert "service agreement" in page
    c.post(f"/office/tags/applications/{app.pk}/sign/", {"accept": "on", "signer_name": "Wang Hai"})
    app.refresh_from_db()
    assert app.state == "active"
    mine = c.get("/office/tags/mine/").content.decode()
    assert "24-hour dispatch" in mine


def test_withdraw_from_my_tags(owner_a, merchant_a):
    holdings = grant_badge_set(merchant_a)
    c = _client(owner_a, "zh-hans")
    page = c.get("/office/tags/mine/").content.decode()
    assert "大家电电器城" in page
    c.post(f"/office/tags/holdings/{holdings[0].pk}/withdraw/")
    holdings[0].refresh_from_db()
    assert holdings[0].state == "withdrawn"


def test_merchant_cannot_open_another_merchants_pages(owner_a, owner_b, merchant_b):
    fund(merchant_b)
    h = grant(merchant_b, "ship_24h", cat="digital_3c")
    _client(owner_b).post("/office/tags/apply/ship_48h/", {"category": "large_appliances"})
    app = TagApplication.objects.get(merchant=merchant_b)
    assert app.state == "awaiting_agreement"
    c = _client(owner_a)
    assert c.get(f"/office/tags/applications/{app.pk}/").status_code == 404
    assert c.post(f"/office/tags/holdings/{h.pk}/withdraw/").status_code == 404
    assert c.post(
        f"/office/tags/applications/{app.pk}/sign/", {"accept": "on", "signer_name": "x"}
    ).status_code in (302, 404)
    h.refresh_from_db()
    app.refresh_from_db()
    assert h.state == "active"
    assert app.state == "awaiting_agreement"
    assert not TagAgreement.objects.exists()


def test_staff_review_pages(owner_a, merchant_a, staff_reviewer, staff_adjudicator):
    fund(merchant_a)
    c = _client(owner_a)
    c.post("/office/tags/apply/sf_free_shipping/", {"category": "large_appliances", "sf_mode": "warehouse"})
    app = TagApplication.objects.get(merchant=merchant_a)
    c.post(f"/office/tags/applications/{app.pk}/sign/", {"accept": "on", "signer_name": "Wang Hai"})
    app.refresh_from_db()
    assert app.state == "under_review"
    # merchants are kept out of the staff console
    assert c.get("/staff/tags/review/").status_code == 403
    assert c.post(f"/staff/tags/applications/{app.pk}/decide/", {"decision": "approve"}).status_code == 403
    # an adjudicator reads but cannot decide
    adj = _client(staff_adjudicator)
    assert adj.get("/staff/tags/review/").status_code == 200
    assert adj.post(f"/staff/tags/applications/{app.pk}/decide/", {"decision": "approve"}).status_code == 403
    s = _client(staff_reviewer, "zh-hans")
    page = s.get("/staff/tags/review/").content.decode()
    assert "顺丰包邮" in page
    s.post(f"/staff/tags/applications/{app.pk}/decide/", {"decision": "reject", "reason": ""})
    app.refresh_from_db()
    assert app.state == "under_review"  # a reason is required
    s.post(f"/staff/tags/applications/{app.pk}/decide/", {"decision": "reject", "reason": "没有仓库履约证明"})
    app.refresh_from_db()
    assert (app.state, app.rejection_reason) == ("rejected", "没有仓库履约证明")
    assert not TagHolding.objects.filter(merchant=merchant_a).exists()
    assert s.get(f"/staff/tags/applications/{app.pk}/").status_code == 200
    assert s.get("/staff/tags/warranty-services/").status_code == 200


def test_apply_form_with_a_nul_character_is_refused_not_a_500(owner_a, merchant_a):
    fund(merchant_a)
    c = _client(owner_a)
    form = {"category": "large_appliances", "warranty_option": "certified_provider", "provider": "a\x00b"}
    r = c.post("/office/tags/apply/nationwide_warranty/", form)
    assert r.status_code == 400
    assert "\x00" not in r.content.decode()
    assert not TagApplication.objects.exists()


def test_nul_characters_in_forms_are_refused_not_a_500(owner_a, merchant_a, staff_reviewer):
    fund(merchant_a)
    c = _client(owner_a)
    assert c.post("/office/tags/apply/ship_24h/", {"category": "nope\x00"}).status_code == 400
    assert not TagApplication.objects.exists()
    c.post("/office/tags/apply/ship_24h/", {"category": "large_appliances"})
    app = TagApplication.objects.get(merchant=merchant_a)
    r = c.post(f"/office/tags/applications/{app.pk}/sign/", {"accept": "on", "signer_name": "Wang\x00 Hai"})
    assert r.status_code == 400
    assert not TagAgreement.objects.filter(application=app).exists()
    s = _client(staff_reviewer)
    assert s.get("/staff/tags/warranty-services/", {"state": "\x00"}).status_code == 400


def test_review_queue_queries_do_not_grow_with_pending_warranty_services(staff_reviewer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tags.services import warranty_service_create
    from tests.factories import BrandFactory

    def publish(n):
        for _ in range(n):
            warranty_service_create(
                brand=BrandFactory(is_large_appliance=True), hotline="400", warranty_period_months=12,
                policy_zh="一年", response_hours=24, repair_days=30, integration_mode="portal",
                outlets=[{"name": "网点", "city": "北京"}],
            )  # fmt: skip

    c = _client(staff_reviewer)
    publish(1)
    with CaptureQueriesContext(connection) as one:
        assert c.get("/staff/tags/review/").status_code == 200
    publish(5)
    with CaptureQueriesContext(connection) as six:
        page = c.get("/staff/tags/review/").content.decode()
    assert page.count("1 outlets, at least 60 needed") == 6
    assert len(six) == len(one)


def test_staff_ops_revoke_a_tag_for_another_reason_from_the_merchant_page(
    merchant_a, staff_ops, staff_reviewer
):
    holdings = grant_badge_set(merchant_a)
    target = holdings[0]
    page_url = f"/staff/merchants/{merchant_a.pk}/"
    revoke_url = f"/staff/tags/holdings/{target.pk}/revoke/"
    # a reviewer sees the tags but neither the form nor the right to post it
    reviewer = _client(staff_reviewer, "zh-hans")
    assert revoke_url not in reviewer.get(page_url).content.decode()
    assert reviewer.post(revoke_url, {"reason": "x"}).status_code == 403
    ops = _client(staff_ops, "zh-hans")
    assert revoke_url in ops.get(page_url).content.decode()
    # no reason: refused in the reader's language, nothing changed
    page = ops.post(revoke_url, {"reason": "  "}, follow=True).content.decode()
    assert "请填写撤销原因" in page
    target.refresh_from_db()
    assert target.state == "active"
    assert not target.history.filter(kind="revoked").exists()
    ops.post(revoke_url, {"reason": "虚假发货被查实"}, follow=True)
    target.refresh_from_db()
    assert (target.state, target.history.first().kind, target.history.first().reason) == (
        "rectifying",
        "revoked",
        "虚假发货被查实",
    )
    this_month = local_today().replace(day=1)
    assert target.rectification_month == (this_month + timedelta(days=32)).replace(day=1)  # next month
    assert merchant_a.badge_holdings.get().active is False
    # a second post: the tag is no longer active, refused, nothing changed
    page = ops.post(revoke_url, {"reason": "again"}, follow=True).content.decode()
    assert "只有生效中的标签可以撤销" in page
    assert target.history.filter(kind="revoked").count() == 1
