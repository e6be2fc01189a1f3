"""core.audit: one event, many events as plain rows (batch jobs), the same columns either way."""

import pytest
from django.contrib.auth import get_user_model

from core.audit import audit_for, audit_record, audit_row, audit_rows_write
from core.bulk import json_text
from core.models import AuditEvent
from merchants.models import Merchant

pytestmark = pytest.mark.django_db


def test_many_events_are_rows_of_the_same_shape_as_one(merchant_a, merchant_b):
    user = get_user_model().objects.create_user("auditor", password="x-long-password-1")
    single = audit_record(actor=user, verb="probe.single", target=merchant_a, data={"n": 1})
    at = Merchant.objects.get(pk=merchant_a.pk).created_at
    assert (
        audit_rows_write(
            [
                audit_row(None, "probe.many", "merchants.merchant", merchant_a.pk, {"n": 2}, at),
                audit_row(None, "probe.many", "merchants.merchant", merchant_b.pk, {}, at),
            ]
        )
        == 2
    )
    assert audit_rows_write([]) == 0
    rows = list(
        AuditEvent.objects.order_by("pk").values_list(
            "actor_id", "actor_label", "verb", "target_type", "target_id", "data"
        )
    )
    assert rows == [
        (user.pk, "auditor", "probe.single", "merchants.merchant", str(merchant_a.pk), {"n": 1}),
        (None, "system", "probe.many", "merchants.merchant", str(merchant_a.pk), {"n": 2}),
        (None, "system", "probe.many", "merchants.merchant", str(merchant_b.pk), {}),
    ]
    assert list(audit_for(merchant_a).order_by("pk")) == [single, AuditEvent.objects.get(data={"n": 2})]


def test_rows_written_in_a_batch_carry_the_user_and_text_with_special_characters(merchant_a):
    user = get_user_model().objects.create_user("staff-1", password="x-long-password-1")
    at = Merchant.objects.get(pk=merchant_a.pk).created_at
    assert (
        audit_rows_write(
            [audit_row(user, "probe.batch", "merchants.merchant", merchant_a.pk, {"memo": "a\tb\\c 中"}, at)]
        )
        == 1
    )
    event = AuditEvent.objects.get(verb="probe.batch")
    assert (event.actor_id, event.actor_label, event.target_id, event.data) == (
        user.pk, "staff-1", str(merchant_a.pk), {"memo": "a\tb\\c 中"},
    )  # fmt: skip


def test_data_given_as_its_json_text_is_stored_as_the_same_data(merchant_a):
    at = Merchant.objects.get(pk=merchant_a.pk).created_at
    shared = json_text({"reason": "评价 2026-09", "badges": {"dian": "revoked"}})
    rows = [audit_row(None, "probe.text", "merchants.merchant", merchant_a.pk, shared, at) for _ in range(2)]
    assert rows[0][-1] is shared
    assert audit_rows_write(rows) == 2
    assert (
        list(AuditEvent.objects.filter(verb="probe.text").values_list("data", flat=True))
        == [{"reason": "评价 2026-09", "badges": {"dian": "revoked"}}] * 2
    )
