from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from commitments.models import Breach, BreachAppeal, Commitment, ForceMajeure, FulfilmentEvent, Order, Voucher
from commitments.texts import BREACH_DEADLINE_PASSED
from merchants.models import DepositAccount, DepositEntry
from tags.models import Tag

from .factories import committed, event_payload, hold, order_payload, place_order, product_of, send_event

pytestmark = pytest.mark.django_db

PAID = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


def test_order_batch_keeps_good_items_and_rejects_bad_ones(api_for, integration_user, product):
    good = order_payload(product, paid_at=PAID, external_id="O-1")
    bad_province = order_payload(product, paid_at=PAID, external_id="O-2", province="999999")
    float_amount = order_payload(product, paid_at=PAID, external_id="O-3", paid_amount=12.5)
    naive = order_payload(product, paid_at=PAID, external_id="O-4")
    naive["paid_at"] = "2026-03-02T06:00:00"
    unknown_product = order_payload(product, paid_at=PAID, external_id="O-5", product_id=999999)
    with committed():
        response = api_for(integration_user).post(
            "/api/v1/integration/orders",
            {"items": [good, bad_province, float_amount, naive, unknown_product, good, "junk"]},
        )
    assert response.status_code == 200
    body = response.json()
    assert (body["accepted"], body["duplicate"], body["rejected"]) == (1, 1, 5)
    assert [i["status"] for i in body["items"]] == [
        "accepted", "rejected", "rejected", "rejected", "rejected", "duplicate", "rejected",
    ]  # fmt: skip
    assert body["items"][1]["reason"] == "province: unknown province code"
    assert body["items"][4]["reason"] == "product_id: unknown product"
    assert list(Order.objects.values_list("external_id", flat=True)) == ["O-1"]
    assert Commitment.objects.filter(order__external_id="O-1").count() == 3
    again = api_for(integration_user).post("/api/v1/integration/orders", {"items": [good]}).json()
    assert again["items"][0]["status"] == "duplicate"
    assert Commitment.objects.count() == 3


def test_event_batch_with_a_malformed_item_keeps_the_others(api_for, integration_user, product):
    order = place_order(product, paid_at=PAID)
    ok = event_payload(order.external_id, "pickup_scanned", PAID + timedelta(hours=2), carrier="SF")
    no_carrier = event_payload(order.external_id, "pickup_scanned", PAID + timedelta(hours=1))
    unknown_order = event_payload("nope", "delivered", PAID + timedelta(hours=3))
    bad_kind = {**event_payload(order.external_id, "delivered", PAID), "kind": "teleported"}
    with committed():
        body = (
            api_for(integration_user)
            .post("/api/v1/integration/events", {"items": [ok, no_carrier, unknown_order, bad_kind]})
            .json()
        )
    assert [i["status"] for i in body["items"]] == ["accepted", "rejected", "rejected", "rejected"]
    assert body["items"][1]["reason"] == "data.carrier: required for pickup_scanned"
    assert body["items"][2]["reason"] == "order_external_id: unknown order"
    assert list(FulfilmentEvent.objects.values_list("external_id", flat=True)) == [ok["external_id"]]
    assert Commitment.objects.get(order=order, tag__code="ship_24h").state == "met"


def test_batches_over_1000_are_refused_whole(api_for, integration_user, product):
    items = [order_payload(product, paid_at=PAID) for _ in range(1001)]
    response = api_for(integration_user).post("/api/v1/integration/orders", {"items": items})
    assert response.status_code == 400
    assert response.json()["fields"] == {"items": ["1001 sent"]}
    assert not Order.objects.exists()


def test_integration_endpoints_need_the_integration_role(api_for, owner_a, staff_ops, api, product):
    item = order_payload(product, paid_at=PAID)
    for client in (api, api_for(owner_a), api_for(staff_ops)):
        response = client.post("/api/v1/integration/orders", {"items": [item]})
        assert response.status_code in (401, 403)
    assert not Order.objects.exists()


def test_token_auth_works(integration_user, product):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    token = Token.objects.create(user=integration_user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    with committed():
        body = client.post(
            "/api/v1/integration/orders", {"items": [order_payload(product, paid_at=PAID)]}, format="json"
        ).json()
    assert body["accepted"] == 1


def _breach(product, shopper_ref="shopper-7f3a91"):
    order = place_order(product, paid_at=PAID, shopper_ref=shopper_ref)
    with time_machine.travel(PAID + timedelta(hours=30), tick=False):
        send_event(order, "pickup_scanned", PAID + timedelta(hours=28), carrier="SF")
    return Breach.objects.get(commitment__order=order)


def test_voucher_cursor_and_idempotent_redeem(api_for, integration_user, product):
    breaches = [_breach(product, shopper_ref=f"s{n}") for n in range(3)]
    client = api_for(integration_user)
    page = client.get("/api/v1/integration/vouchers?after=0&limit=2").json()
    assert len(page["results"]) == 2
    assert page["next_after"] == page["results"][-1]["id"]
    rest = client.get(f"/api/v1/integration/vouchers?after={page['next_after']}&limit=2").json()
    assert [v["breach_id"] for v in page["results"]] == [breaches[0].pk, breaches[1].pk]
    assert [v["breach_id"] for v in rest["results"]] == [breaches[2].pk]
    assert rest["next_after"] is None
    code = page["results"][0]["code"]
    with time_machine.travel(PAID + timedelta(days=2), tick=False):
        first = client.post(f"/api/v1/integration/vouchers/{code}/redeem", {}).json()
        second = client.post(f"/api/v1/integration/vouchers/{code}/redeem", {}).json()
    assert (first["already_redeemed"], second["already_redeemed"]) == (False, True)
    assert first["voucher"]["state"] == "redeemed"
    assert client.post("/api/v1/integration/vouchers/NOPE/redeem", {}).status_code == 404


def test_merchant_sees_only_its_breaches_and_appeals_with_evidence(
    api_for, owner_a, owner_b, product, staff_adjudicator, django_assert_max_num_queries
):
    breach = _breach(product)
    client = api_for(owner_a)
    with django_assert_max_num_queries(8):
        listing = client.get("/api/v1/merchant/breaches").json()
    assert [b["id"] for b in listing["results"]] == [breach.pk]
    assert listing["results"][0]["voucher_amount"] == "50.00"
    assert api_for(owner_b).get(f"/api/v1/merchant/breaches/{breach.pk}").status_code == 404
    detail = client.get(f"/api/v1/merchant/breaches/{breach.pk}").json()
    assert [e["what"] for e in detail["timeline"]][:2] == ["Paid", "Deadline"]

    bad = SimpleUploadedFile("x.exe", b"MZ" + b"0" * 20)
    with time_machine.travel(PAID + timedelta(days=3), tick=False):
        refused = client.post(
            f"/api/v1/merchant/breaches/{breach.pk}/appeal",
            {"text": "scan was late", "evidence": [bad]},
            format="multipart",
        )
        assert refused.status_code == 400
        assert not BreachAppeal.objects.exists()
        denied = api_for(owner_b).post(
            f"/api/v1/merchant/breaches/{breach.pk}/appeal", {"text": "mine"}, format="multipart"
        )
        assert denied.status_code == 404
        ok = client.post(
            f"/api/v1/merchant/breaches/{breach.pk}/appeal",
            {"text": "carrier system outage", "evidence": [SimpleUploadedFile("scan.png", PNG)]},
            format="multipart",
        )
    assert ok.status_code == 201, ok.json()
    appeal = BreachAppeal.objects.get()
    assert appeal.evidence.count() == 1

    balance_before = DepositAccount.objects.get(merchant=breach.merchant).balance
    assert (
        api_for(owner_a)
        .post(f"/api/v1/staff/breach-appeals/{appeal.pk}/decide", {"uphold": True})
        .status_code
        == 403
    )
    decided = api_for(staff_adjudicator).post(
        f"/api/v1/staff/breach-appeals/{appeal.pk}/decide", {"uphold": True, "note": "outage confirmed"}
    )
    assert decided.status_code == 200
    assert decided.json()["state"] == "upheld"
    breach.refresh_from_db()
    assert breach.counts_in_metrics is False
    reversal = DepositEntry.objects.get(kind="reversal")
    assert reversal.amount == Decimal("50.00")
    assert DepositAccount.objects.get(merchant=breach.merchant).balance == balance_before + Decimal("50.00")
    voucher = Voucher.objects.get(breach=breach)
    assert (voucher.state, voucher.funded_by) == ("issued", "platform")
    again = api_for(staff_adjudicator).post(
        f"/api/v1/staff/breach-appeals/{appeal.pk}/decide", {"uphold": True}
    )
    assert again.status_code == 409
    assert DepositEntry.objects.filter(kind="reversal").count() == 1


def test_appeal_window_is_seven_days(api_for, owner_a, product):
    breach = _breach(product)
    with time_machine.travel(breach.detected_at + timedelta(days=7, minutes=1), tick=False):
        response = api_for(owner_a).post(
            f"/api/v1/merchant/breaches/{breach.pk}/appeal", {"text": "late"}, format="multipart"
        )
    assert response.status_code == 409
    assert not BreachAppeal.objects.exists()


def test_force_majeure_exempts_pending_and_unpaid_breached(api_for, staff_ops, owner_a, product, shop):
    shanghai = place_order(product, paid_at=PAID)
    beijing = place_order(product, paid_at=PAID, province="110000")
    # A breach not yet paid (compensation lost): exempted too.
    unpaid = Commitment.objects.get(order=beijing, tag__code="ship_24h")
    from commitments.services import commitments_breach_many

    commitments_breach_many(
        items=[(unpaid.pk, BREACH_DEADLINE_PASSED, "late", PAID)], source="sweep"
    )  # on_commit never runs here
    payload = {
        "provinces": ["310000", "110000"],
        "starts_at": PAID.isoformat(),
        "ends_at": (PAID + timedelta(days=2)).isoformat(),
        "tags": ["ship_24h"],
        "reason": "typhoon",
    }
    assert api_for(owner_a).post("/api/v1/staff/force-majeure", payload).status_code == 403
    response = api_for(staff_ops).post("/api/v1/staff/force-majeure", payload)
    assert response.status_code == 201, response.json()
    assert response.json()["exempted_count"] == 2
    fm = ForceMajeure.objects.get()
    for order in (shanghai, beijing):
        c = Commitment.objects.get(order=order, tag__code="ship_24h")
        assert c.state == "exempted"
        assert c.exemption_reason == f"force majeure #{fm.pk}: typhoon"
        assert (c.exemption_reason_code, c.exemption_reason_params) == (
            "exemption.force_majeure",
            {"declaration": fm.pk, "reason": "typhoon"},
        )
    assert Breach.objects.get(commitment=unpaid).counts_in_metrics is False
    # Other tags untouched.
    assert Commitment.objects.get(order=shanghai, tag__code="delivery_install").state == "pending"
    bad = api_for(staff_ops).post("/api/v1/staff/force-majeure", {**payload, "ends_at": PAID.isoformat()})
    assert bad.status_code == 400
    assert ForceMajeure.objects.count() == 1


def test_staff_breach_search_by_order(api_for, staff_reviewer, product):
    breach = _breach(product)
    _breach(product)
    order_no = breach.commitment.order.external_id
    body = api_for(staff_reviewer).get(f"/api/v1/staff/breaches?order={order_no}").json()
    assert [b["id"] for b in body["results"]] == [breach.pk]


def test_sf_outside_coverage_and_remote_free_shipping_are_exempt(merchant_b):
    hold(merchant_b, "sf_free_shipping", config={"sf_coverage": ["310000"]})
    hold(merchant_b, "free_shipping")
    product = product_of(merchant_b)
    inside = place_order(product, paid_at=PAID)
    outside = place_order(product, paid_at=PAID, province="650000", shipping_fee="12.00")
    assert Commitment.objects.get(order=inside, tag__code="sf_free_shipping").state == "pending"
    exempt = Commitment.objects.get(order=outside, tag__code="sf_free_shipping")
    assert exempt.exemption_reason == "address outside the merchant's SF coverage"
    assert (exempt.exemption_reason_code, exempt.exemption_reason_params) == (
        "exemption.outside_sf_coverage",
        {},
    )
    assert Commitment.objects.get(order=outside, tag__code="free_shipping").state == "exempted"
    send_event(inside, "pickup_scanned", PAID + timedelta(hours=1), carrier="YTO")
    c = Commitment.objects.get(order=inside, tag__code="sf_free_shipping")
    assert c.breach.detail == "picked up by YTO, not SF"
    assert (c.breach.detail_code, c.breach.detail_params) == ("breach.not_sf", {"carrier": "YTO"})
    with translation.override("zh-hans"):
        assert c.breach.detail_text == "由YTO揽收，不是顺丰"


def test_cancelled_before_deadline_is_exempt(product):
    order = place_order(product, paid_at=PAID)
    send_event(order, "cancelled", PAID + timedelta(hours=3))
    c = Commitment.objects.get(order=order, tag__code="ship_24h")
    assert (c.state, c.exemption_reason) == ("exempted", "order cancelled before the deadline")


def test_tag_change_never_alters_existing_commitments(product, shop):
    order = place_order(product, paid_at=PAID)
    tag = Tag.objects.get(code="ship_24h")
    before = Commitment.objects.get(order=order, tag=tag)
    shop.tag_holdings.filter(tag=tag).update(state="withdrawn", ended_at=PAID + timedelta(hours=1))
    later = place_order(product, paid_at=PAID + timedelta(hours=2))
    assert Commitment.objects.get(pk=before.pk).terms_version_id == before.terms_version_id
    assert not Commitment.objects.filter(order=later, tag=tag).exists()
