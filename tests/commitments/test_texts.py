"""The stored texts commitments writes (commitments.texts): each message in both languages, exactly."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext as _

from commitments import terms as T
from commitments import texts

DONE = datetime(2026, 8, 31, 4, 42, tzinfo=UTC)  # 12:42 in Shanghai
DEADLINE = datetime(2026, 8, 30, 3, 48, tzinfo=UTC)  # 11:48


@pytest.mark.parametrize(
    ("text", "english", "chinese"),
    [
        (
            texts.breach_late("signed", done_at=DONE, deadline=DEADLINE),
            "signed for at 2026-08-31 12:42, deadline 2026-08-30 11:48",
            "签收于 2026-08-31 12:42，截止时间 2026-08-30 11:48",
        ),
        (texts.breach_not_sf("YTO"), "picked up by YTO, not SF", "由YTO揽收，不是顺丰"),
        (texts.breach_not_sf(""), "picked up by an unknown carrier, not SF", "由未知承运商揽收，不是顺丰"),
        (texts.breach_shipping_fee("12.00"), "shipping fee ¥12.00 charged", "收取了运费 ¥12.00"),
        (
            texts.BREACH_DEADLINE_PASSED,
            "deadline passed without the fulfilling event",
            "截止时间已过，未收到履约事件",
        ),
        (texts.breach_complaint("C-9", "未送货上门"), "complaint C-9: 未送货上门", "投诉 C-9：未送货上门"),
        (
            texts.breach_repair_late("RT1", missed_response=True),
            "repair ticket RT1 not accepted in time",
            "维修工单 RT1 未按时受理",
        ),
        (
            texts.breach_repair_late("RT1", missed_response=False),
            "repair ticket RT1 not completed in time",
            "维修工单 RT1 未按时完成",
        ),
        (
            texts.EXEMPT_REMOTE_PROVINCE,
            "remote province: free shipping does not cover it",
            "偏远省份：包邮不覆盖",
        ),
        (
            texts.EXEMPT_OUTSIDE_SF_COVERAGE,
            "address outside the merchant's SF coverage",
            "收货地址不在商家的顺丰覆盖范围内",
        ),
        (texts.EXEMPT_RETURN_WINDOW, "return outside the covered window", "退货超出保障期限"),
        (texts.EXEMPT_CANCELLED, "order cancelled before the deadline", "订单在截止时间前已取消"),
        (
            texts.exempt_force_majeure(4, "台风"),
            "force majeure #4: 台风",
            "不可抗力声明 #4：台风",
        ),
        (
            texts.memo_voucher_recovery("V8", "O-1"),
            "voucher V8 for order O-1",
            "订单 O-1 的代金券 V8",
        ),
        (
            texts.memo_appeal_upheld_vouchers(["V8", "V9"]),
            "appeal upheld: voucher V8, V9",
            "申诉成立：代金券 V8、V9",
        ),
    ],
)
def test_each_message_in_english_and_chinese(text, english, chinese):
    with translation.override("en"):
        assert str(text) == english
    with translation.override("zh-hans"):
        assert str(text) == chinese


def test_the_rules_store_codes_and_language_neutral_parameters():
    facts = T.OrderFacts(paid_at=DEADLINE, province="310000", first_pickup_at=DONE, carrier="")
    late = T.evaluate({"kind": "pickup_within_hours", "hours": 0}, deadline=DEADLINE, facts=facts)
    assert (late.action, late.detail.code, late.detail.params) == (
        T.BREACHED,
        "breach.late",
        {
            "what": "first_pickup",
            "done_at": "2026-08-31T04:42:00+00:00",
            "deadline": "2026-08-30T03:48:00+00:00",
        },
    )
    fee = T.evaluate(
        {"kind": "free_shipping"},
        deadline=None,
        facts=T.OrderFacts(paid_at=DEADLINE, province="310000", shipping_fee=Decimal("8.50")),
    )
    assert (fee.detail.code, fee.detail.params) == ("breach.shipping_fee", {"fee": "8.50"})
    assert T.initial_exemption({"kind": "free_shipping"}, province="650000", holding_config={}) == (
        texts.EXEMPT_REMOTE_PROVINCE
    )


@pytest.mark.django_db
def test_the_breach_timeline_states_the_detail_in_the_readers_language(merchant_a):
    from commitments.models import Breach
    from commitments.selectors import breach_timeline
    from tests.commitments.test_dashboard import _breach

    breach = _breach(merchant_a, DONE)  # written without a detail: the source alone

    def detected(breach) -> str:
        return next(e.detail for e in breach_timeline(breach) if str(e.what) == str(_("Breach detected")))

    with translation.override("en"):
        assert detected(breach) == "deadline sweep"
    Breach.objects.filter(pk=breach.pk).update(**texts.BREACH_DEADLINE_PASSED.fields(Breach, "detail"))
    breach.refresh_from_db()
    with translation.override("zh-hans"):
        assert detected(breach) == "超时巡检：截止时间已过，未收到履约事件"
    with translation.override("en"):
        assert detected(breach) == "deadline sweep: deadline passed without the fulfilling event"
