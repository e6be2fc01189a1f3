"""The data migration that turns stored English ledger memos into code + parameters (merchants 0005)."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import translation

from merchants.models import DepositEntry
from merchants.services import deposit_post_entry

pytestmark = pytest.mark.django_db

merchants_convert = importlib.import_module("merchants.migrations.0005_stored_texts_data").convert


def test_ledger_memos_are_parsed_and_typed_memos_kept_verbatim(merchant_a):
    memos = [
        "voucher V00000042 for order O-2026-1",
        "appeal upheld: voucher V1, V2",
        "appeal upheld: complaint C-5",
        "complaint C-5",
        "开店保证金缴纳",
    ]
    entries = []
    for n, memo in enumerate(memos):
        entry = deposit_post_entry(merchant_id=merchant_a.pk, kind="top_up", amount=Decimal("10.00") + n)
        DepositEntry.objects.filter(pk=entry.pk).update(memo=memo)
        entries.append(entry)

    merchants_convert(apps, None)
    merchants_convert(apps, None)

    assert [DepositEntry.objects.values_list("memo_code", "memo_params").get(pk=e.pk) for e in entries] == [
        ("deposit.voucher_recovery", {"voucher": "V00000042", "order": "O-2026-1"}),
        ("deposit.appeal_upheld_vouchers", {"vouchers": ["V1", "V2"]}),
        ("complaint.appeal_upheld", {"complaint": "C-5"}),
        ("deposit.complaint_recovery", {"complaint": "C-5"}),
        ("text", {"text": "开店保证金缴纳"}),
    ]
    with translation.override("zh-hans"):
        assert [DepositEntry.objects.get(pk=e.pk).memo_text for e in entries] == [
            "订单 O-2026-1 的代金券 V00000042",
            "申诉成立：代金券 V1、V2",
            "申诉成立：投诉 C-5",
            "投诉 C-5",
            "开店保证金缴纳",
        ]
