"""The stored texts tags and the evaluation write (tags.texts, scoring.evaluation.texts): each message
in both languages, exactly, with tags shown by their name and metrics by theirs."""

import pytest
from django.utils import translation

from scoring.evaluation.texts import evaluation_text
from tags import texts
from tags.models import ApplicationCheck

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "english", "chinese"),
    [
        (texts.HOLDING_APPLICATION_APPROVED, "application approved", "申请已通过"),
        (texts.holding_agreement_signed(12), "application #12: agreement signed", "申请 #12：已签署协议"),
        (
            texts.holding_approved_by_staff(12),
            "application #12 approved by staff",
            "申请 #12 已由平台审核通过",
        ),
        (
            texts.holding_approved_by_staff(12, "资料齐全"),
            "application #12 approved by staff: 资料齐全",
            "申请 #12 已由平台审核通过：资料齐全",
        ),
        (texts.HOLDING_WITHDRAWN_BY_MERCHANT, "withdrawn by the merchant", "商家主动退出"),
        (texts.BADGE_ALL_TAGS_HELD, "all required tags held", "已具备全部所需标签"),
        (texts.badge_tag_changed("ship_24h", "granted"), "24-hour dispatch granted", "已获得24h发货"),
        (texts.badge_tag_changed("ship_24h", "revoked"), "24-hour dispatch revoked", "24h发货被取消"),
        (texts.badge_tag_changed("ship_24h", "restored"), "24-hour dispatch restored", "24h发货已恢复"),
        (texts.badge_tag_changed("ship_24h", "barred"), "24-hour dispatch barred", "24h发货被禁止申请"),
        (
            texts.badge_missing_tags(["ship_24h", "no_such_tag"]),
            "missing: 24-hour dispatch, no_such_tag",
            "缺少：24h发货、no_such_tag",
        ),
        (
            texts.badge_missing_tags(["ship_24h"], cause=texts.badge_tag_changed("ship_24h", "withdrawn")),
            "24-hour dispatch withdrawn; missing: 24-hour dispatch",
            "已退出24h发货；缺少：24h发货",
        ),
        (
            evaluation_text("evaluation.failed", "2026-10", ["dsr_mean", "fault_complaint_rate"]),
            "evaluation 2026-10: failed shop rating (DSR) mean, fault complaint rate",
            "2026年10月评估：店铺动态评分（DSR）均值、过失投诉率未达标",
        ),
        (
            evaluation_text("evaluation.rectification_passed", "2026-10"),
            "evaluation 2026-10: rectification passed",
            "2026年10月评估：整改通过",
        ),
        (
            evaluation_text("reevaluation.rectification_failed", "2026-09", ["refund_dispute_rate"]),
            "re-evaluation 2026-09: rectification failed refund dispute rate",
            "2026年9月重新评估：整改未通过（退款纠纷率）",
        ),
    ],
)
def test_each_message_in_english_and_chinese(text, english, chinese):
    with translation.override("en"):
        assert str(text) == english
    with translation.override("zh-hans"):
        assert str(text) == chinese


def test_an_automatic_rejection_shows_each_failed_check_in_the_readers_language():
    checks = [
        ApplicationCheck(
            code="deposit",
            label_en="Deposit ≥ the category requirement",
            label_zh="保证金不低于类目要求",
            detail="Deposit ¥4100.00 is below the category requirement of ¥10000.00: top up.",
            detail_key="Deposit ¥%(balance)s is below the category requirement of ¥%(required)s: top up.",
            detail_params={"balance": "4100.00", "required": "10000.00"},
        ),
        ApplicationCheck(code="custom", label_en="Provider", label_zh="外部检查", detail="plain text"),
    ]
    text = texts.application_checks_failed(checks)
    assert text.code == "application.checks_failed"
    assert text.params["checks"][1] == {
        "code": "custom",
        "label_en": "Provider",
        "label_zh": "外部检查",
        "detail": "plain text",
        "detail_key": "",
        "detail_params": {},
    }
    with translation.override("en"):
        assert str(text) == (
            "Deposit ≥ the category requirement: Deposit ¥4100.00 is below the category requirement of "
            "¥10000.00: top up.; Provider: plain text"
        )
    with translation.override("zh-hans"):
        assert (
            str(text)
            == "保证金不低于类目要求：保证金¥4100.00，低于类目要求¥10000.00：请补缴。；外部检查：plain text"
        )
