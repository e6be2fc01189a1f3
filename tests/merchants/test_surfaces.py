"""Pages and API: the merchant-isolation rule and role checks."""

from decimal import Decimal

import pytest

from merchants.services import deposit_post_entry

pytestmark = pytest.mark.django_db


def test_login_page_renders_in_both_languages(client):
    zh = client.get("/login/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert zh.status_code == 200
    assert "登录" in zh.content.decode()
    en = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Log in" in en.content.decode()


def test_office_dashboard_and_ledger_show_only_my_merchant(
    client, owner_a, merchant_a, merchant_b, django_assert_max_num_queries
):
    deposit_post_entry(merchant_id=merchant_a.pk, kind="top_up", amount=Decimal("1234.50"), memo="首次缴纳")
    deposit_post_entry(merchant_id=merchant_b.pk, kind="top_up", amount=Decimal("777.00"), memo="B only")
    client.force_login(owner_a)
    with django_assert_max_num_queries(12):
        page = client.get("/office/deposit/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "¥1,234.50" in body
    assert "B only" not in body
    assert 'id="topup-flag"' in body  # below ¥50,000
    assert client.get("/office/").status_code == 200


def test_staff_pages_need_a_staff_role(client, owner_a, staff_ops, merchant_b):
    client.force_login(owner_a)
    assert client.get("/staff/merchants/").status_code == 403
    assert client.get(f"/staff/merchants/{merchant_b.pk}/").status_code == 403
    client.force_login(staff_ops)
    assert client.get("/office/").status_code == 403
    assert client.get(f"/staff/merchants/{merchant_b.pk}/").status_code == 200


def test_staff_directory_has_bounded_queries(client, staff_reviewer, django_assert_max_num_queries):
    from merchants.services import deposit_refresh_topup_flags
    from tests.factories import MerchantFactory

    MerchantFactory.create_batch(30)
    assert deposit_refresh_topup_flags()["raised"] == 30
    client.force_login(staff_reviewer)
    with django_assert_max_num_queries(8):
        response = client.get("/staff/merchants/?flagged=1")
    assert response.status_code == 200
    assert response.content.decode().count('class="badge warn"') == 30


def test_anonymous_is_sent_to_login(client):
    response = client.get("/office/deposit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_api_merchant_sees_only_own_ledger(api_for, owner_a, owner_b, merchant_a, merchant_b):
    deposit_post_entry(merchant_id=merchant_a.pk, kind="top_up", amount=Decimal("10"))
    deposit_post_entry(merchant_id=merchant_b.pk, kind="top_up", amount=Decimal("20"))
    body = api_for(owner_b).get("/api/v1/merchant/deposit/entries").json()
    assert [r["amount"] for r in body["results"]] == ["20.00"]
    assert api_for(owner_b).get("/api/v1/merchant/me").json()["shop_code"] == "B0000001"


def test_only_staff_ops_posts_ledger_entries(api_for, staff_reviewer, owner_a, merchant_a):
    for user in (staff_reviewer, owner_a):
        response = api_for(user).post(
            f"/api/v1/staff/merchants/{merchant_a.pk}/deposit/entries", {"kind": "top_up", "amount": "10"}
        )
        assert response.status_code == 403
    assert merchant_a.deposit.entries.count() == 0


def test_staff_ops_posts_a_top_up_through_the_console(client, staff_ops, merchant_a):
    client.force_login(staff_ops)
    response = client.post(
        f"/staff/merchants/{merchant_a.pk}/deposit/",
        {"kind": "top_up", "amount": "50000", "memo": "年度缴纳"},
    )
    assert response.status_code == 302
    merchant_a.deposit.refresh_from_db()
    assert merchant_a.deposit.balance == Decimal("50000.00")
    bad = client.post(
        f"/staff/merchants/{merchant_a.pk}/deposit/", {"kind": "top_up", "amount": "abc"}, follow=True
    )
    assert "Enter an amount" in bad.content.decode() or "请输入" in bad.content.decode()
    merchant_a.deposit.refresh_from_db()
    assert merchant_a.deposit.balance == Decimal("50000.00")
