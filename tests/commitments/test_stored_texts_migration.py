"""The data migration that turns stored English breach details and exemption reasons into code +
parameters (commitments 0012)."""

import importlib
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.utils import translation

from commitments.models import Breach, Commitment, ForceMajeure
from tests.commitments.test_dashboard import _breach

pytestmark = pytest.mark.django_db

DETECTED = datetime(2026, 8, 31, 5, 0, tzinfo=UTC)
commitments_convert = importlib.import_module("commitments.migrations.0012_stored_texts_data").convert


def _legacy_breach(merchant, detail: str) -> Breach:
    breach = _breach(merchant, DETECTED)
    Breach.objects.filter(pk=breach.pk).update(detail=detail)
    return breach


def test_breach_details_are_parsed_into_codes_and_parameters(merchant_a):
    rows = {
        detail: _legacy_breach(merchant_a, detail)
        for detail in [
            "first pickup scan at 2026-08-31 12:42, deadline 2026-08-30 11:48",
            "invoice issued at 2026-01-05 09:00, deadline 2026-01-04 23:59",
            "picked up by YTO, not SF",
            "picked up by unknown, not SF",
            "shipping fee ¥1,012.00 charged",
            "deadline passed without the fulfilling event",
            "complaint C-77: 未送货上门: 楼下放下",
            "something an older release wrote",
        ]
    }
    empty = _breach(merchant_a, DETECTED)  # no detail: nothing to convert

    commitments_convert(apps, None)
    commitments_convert(apps, None)  # a second run changes nothing

    stored = {
        detail: Breach.objects.values_list("detail_code", "detail_params").get(pk=breach.pk)
        for detail, breach in rows.items()
    }
    assert stored == {
        "first pickup scan at 2026-08-31 12:42, deadline 2026-08-30 11:48": (
            "breach.late",
            {"what": "first_pickup", "done_at": "2026-08-31T12:42:00+08:00", "deadline": "2026-08-30T11:48:00+08:00"},
        ),
        "invoice issued at 2026-01-05 09:00, deadline 2026-01-04 23:59": (
            "breach.late",
            {"what": "invoice_issued", "done_at": "2026-01-05T09:00:00+08:00", "deadline": "2026-01-04T23:59:00+08:00"},
        ),
        "picked up by YTO, not SF": ("breach.not_sf", {"carrier": "YTO"}),
        "picked up by unknown, not SF": ("breach.not_sf", {"carrier": ""}),
        "shipping fee ¥1,012.00 charged": ("breach.shipping_fee", {"fee": "1012.00"}),
        "deadline passed without the fulfilling event": ("breach.deadline_passed", {}),
        "complaint C-77: 未送货上门: 楼下放下": ("breach.complaint", {"complaint": "C-77", "reason": "未送货上门: 楼下放下"}),
        "something an older release wrote": ("text", {"text": "something an older release wrote"}),
    }  # fmt: skip
    assert Breach.objects.values_list("detail_code", "detail_params").get(pk=empty.pk) == ("", {})
    # Rendered again from the parameters: the same words in English, Chinese in zh-hans.
    for detail, breach in rows.items():
        breach.refresh_from_db()
        with translation.override("en"):
            assert breach.detail_text == detail.replace("unknown", "an unknown carrier")
    with translation.override("zh-hans"):
        late = rows["first pickup scan at 2026-08-31 12:42, deadline 2026-08-30 11:48"]
        late.refresh_from_db()
        assert late.detail_text == "首次揽收扫描于 2026-08-31 12:42，截止时间 2026-08-30 11:48"


def test_exemption_reasons_are_parsed_and_a_force_majeure_takes_its_declarations_whole_reason(merchant_a):
    whole = "台风" * 150  # the old column kept 200 characters of "force majeure #N: <reason>"
    fm = ForceMajeure.objects.create(
        provinces=["460000"], starts_at=DETECTED, ends_at=DETECTED + timedelta(days=2), reason=whole
    )
    reasons = [
        f"force majeure #{fm.pk}: {whole}"[:200],
        "force majeure #999999: a declaration since deleted",
        "remote province: free shipping does not cover it",
        "address outside the merchant's SF coverage",
        "return outside the covered window",
        "order cancelled before the deadline",
        "legacy words",
    ]
    commitments = []
    for reason in reasons:
        commitment = _breach(merchant_a, DETECTED).commitment
        Commitment.objects.filter(pk=commitment.pk).update(state="exempted", exemption_reason=reason)
        commitments.append(commitment)

    commitments_convert(apps, None)

    stored = [
        Commitment.objects.values_list("exemption_reason_code", "exemption_reason_params").get(pk=c.pk)
        for c in commitments
    ]
    assert stored == [
        ("exemption.force_majeure", {"declaration": fm.pk, "reason": whole}),
        ("exemption.force_majeure", {"declaration": 999999, "reason": "a declaration since deleted"}),
        ("exemption.remote_province", {}),
        ("exemption.outside_sf_coverage", {}),
        ("exemption.return_window", {}),
        ("exemption.cancelled", {}),
        ("text", {"text": "legacy words"}),
    ]
