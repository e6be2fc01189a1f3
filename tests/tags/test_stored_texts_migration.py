"""The data migration that turns stored English holding and badge history reasons and automatic
rejection reasons into code + parameters (tags 0005)."""

import importlib
from datetime import UTC, datetime

import pytest
from django.apps import apps
from django.utils import translation

from tags.models import ApplicationCheck, BadgeEvent, HoldingEvent, Tag, TagApplication
from tests.factories import category
from tests.tags.factories import grant, grant_badge_set

pytestmark = pytest.mark.django_db

AT = datetime(2026, 10, 1, 2, 0, tzinfo=UTC)
convert = importlib.import_module("tags.migrations.0005_stored_texts_data").convert


def test_holding_reasons_are_parsed_into_codes_and_parameters(merchant_a):
    holding = grant(merchant_a, "ship_24h")
    reasons = [
        "application approved",
        "application #12: agreement signed",
        "application #12 approved by staff",
        "application #12 approved by staff: 资料齐全",
        "withdrawn by the merchant",
        "evaluation 2026-09: failed dsr_mean, fault_complaint_rate",
        "evaluation 2026-09: rectification passed",
        "evaluation 2026-09: rectification failed refund_dispute_rate",
        "re-evaluation 2026-08: failed dsr_mean",
        "re-evaluation 2026-08: rectification failed dsr_mean",
        "多次虚假发货",  # typed by staff
    ]
    events = [HoldingEvent.objects.create(holding=holding, at=AT, kind="revoked", reason=r) for r in reasons]

    convert(apps, None)
    convert(apps, None)  # a second run changes nothing

    assert [
        HoldingEvent.objects.values_list("reason_code", "reason_params").get(pk=e.pk) for e in events
    ] == [
        ("holding.application_approved", {}),
        ("holding.agreement_signed", {"application": 12}),
        ("holding.approved_by_staff", {"application": 12}),
        ("holding.approved_by_staff_note", {"application": 12, "note": "资料齐全"}),
        ("holding.withdrawn_by_merchant", {}),
        ("evaluation.failed", {"month": "2026-09", "metrics": ["dsr_mean", "fault_complaint_rate"]}),
        ("evaluation.rectification_passed", {"month": "2026-09"}),
        ("evaluation.rectification_failed", {"month": "2026-09", "metrics": ["refund_dispute_rate"]}),
        ("reevaluation.failed", {"month": "2026-08", "metrics": ["dsr_mean"]}),
        ("reevaluation.rectification_failed", {"month": "2026-08", "metrics": ["dsr_mean"]}),
        ("text", {"text": "多次虚假发货"}),
    ]
    with translation.override("zh-hans"):
        assert HoldingEvent.objects.get(pk=events[5].pk).reason_text == (
            "2026年9月评估：店铺动态评分（DSR）均值、过失投诉率未达标"
        )


def test_badge_reasons_are_parsed_with_tags_by_code(merchant_a):
    grant_badge_set(merchant_a)
    badge_holding = merchant_a.badge_holdings.get()
    reasons = [
        "all required tags held",
        "home_delivery granted",
        "nationwide_warranty barred",
        "missing: home_delivery, nationwide_warranty",
        "nationwide_warranty withdrawn; missing: nationwide_warranty",
        "something else; missing: home_delivery",
    ]
    events = [
        BadgeEvent.objects.create(holding=badge_holding, at=AT, kind="revoked", reason=r) for r in reasons
    ]

    convert(apps, None)

    assert [BadgeEvent.objects.values_list("reason_code", "reason_params").get(pk=e.pk) for e in events] == [
        ("badge.all_tags_held", {}),
        ("badge.tag_granted", {"tag": "home_delivery"}),
        ("badge.tag_barred", {"tag": "nationwide_warranty"}),
        ("badge.missing_tags", {"missing": ["home_delivery", "nationwide_warranty"]}),
        (
            "badge.missing_tags_after",
            {"cause": {"code": "badge.tag_withdrawn", "params": {"tag": "nationwide_warranty"}}, "missing": ["nationwide_warranty"]},
        ),
        (
            "badge.missing_tags_after",
            {"cause": {"code": "text", "params": {"text": "something else"}}, "missing": ["home_delivery"]},
        ),
    ]  # fmt: skip
    names = dict(Tag.objects.filter(code__in=["nationwide_warranty"]).values_list("code", "name_zh"))
    with translation.override("zh-hans"):
        assert BadgeEvent.objects.get(pk=events[4].pk).reason_text == (
            f"已退出{names['nationwide_warranty']}；缺少：{names['nationwide_warranty']}"
        )


def test_an_automatic_rejection_is_rebuilt_from_its_failed_checks_and_a_staff_one_kept(merchant_a):
    def application(reason: str, tag_code: str) -> TagApplication:
        return TagApplication.objects.create(
            merchant=merchant_a,
            category=category("large_appliances"),
            tag=Tag.objects.get(code=tag_code),
            state="rejected",
            rejection_reason=reason,
        )

    automatic = application(
        "Deposit ≥ the category requirement: Deposit ¥4100.00 is below the category requirement of ¥10000.00: "
        "top up.",
        "ship_24h",
    )
    key = "Deposit ¥%(balance)s is below the category requirement of ¥%(required)s: top up."
    ApplicationCheck.objects.create(
        application=automatic, position=1, code="eligible", label_en="Eligible", label_zh="可申请",
        status="passed", detail="ok", checked_at=AT,
    )  # fmt: skip
    ApplicationCheck.objects.create(
        application=automatic, position=2, code="deposit", label_en="Deposit ≥ the category requirement",
        label_zh="保证金不低于类目要求", status="failed",
        detail="Deposit ¥4100.00 is below the category requirement of ¥10000.00: top up.",
        detail_key=key, detail_params={"balance": "4100.00", "required": "10000.00"}, checked_at=AT,
    )  # fmt: skip
    by_staff = application("资料不全", "home_delivery")

    convert(apps, None)

    automatic.refresh_from_db()
    by_staff.refresh_from_db()
    assert (automatic.rejection_reason_code, automatic.rejection_reason_params) == (
        "application.checks_failed",
        {
            "checks": [
                {
                    "code": "deposit",
                    "label_en": "Deposit ≥ the category requirement",
                    "label_zh": "保证金不低于类目要求",
                    "detail": "Deposit ¥4100.00 is below the category requirement of ¥10000.00: top up.",
                    "detail_key": key,
                    "detail_params": {"balance": "4100.00", "required": "10000.00"},
                }
            ]
        },
    )
    assert (by_staff.rejection_reason_code, by_staff.rejection_reason_params) == (
        "text",
        {"text": "资料不全"},
    )
    with translation.override("zh-hans"):
        assert (
            automatic.rejection_reason_text
            == "保证金不低于类目要求：保证金¥4100.00，低于类目要求¥10000.00：请补缴。"
        )
    with translation.override("en"):
        assert automatic.rejection_reason_text == automatic.rejection_reason
