"""merchants.services.notices_create: the batch form of notice_create (once per key, e-mailed once)."""

import pytest
from django.core import mail

from merchants.models import Merchant, Notice
from merchants.services import notice_create, notices_create

pytestmark = pytest.mark.django_db


def test_many_notices_once_per_key_in_fixed_queries_emailed_after_commit(
    merchant_a, merchant_b, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    Merchant.objects.filter(pk=merchant_a.pk).update(contact_email="shop@example.com")
    notice_create(merchant_id=merchant_b.pk, key="k:old", code="evaluation.revoked", params={"n": 1})
    drafts = [
        (merchant_a.pk, "k:1", "evaluation.revoked", {"n": 2}),
        (merchant_b.pk, "k:2", "evaluation.barred", {"n": 3}),
        (merchant_b.pk, "k:old", "evaluation.revoked", {"n": 9}),  # already there: left alone
    ]
    with django_capture_on_commit_callbacks(execute=True), django_assert_max_num_queries(6):
        assert notices_create(drafts) == 2
    assert sorted(Notice.objects.values_list("key", "merchant__shop_code", "code", "params", "email_to")) == [
        ("k:1", "A0000001", "evaluation.revoked", {"n": 2}, "shop@example.com"),
        ("k:2", "B0000001", "evaluation.barred", {"n": 3}, ""),
        ("k:old", "B0000001", "evaluation.revoked", {"n": 1}, ""),
    ]
    assert [m.to for m in mail.outbox] == [["shop@example.com"]]
    with django_capture_on_commit_callbacks(execute=True):
        assert notices_create(drafts) == 0  # a rerun writes and sends nothing
    assert Notice.objects.count() == 3
    assert len(mail.outbox) == 1


def test_a_key_given_twice_in_one_batch_is_written_once(merchant_a):
    drafts = [
        (merchant_a.pk, "k:twice", "evaluation.revoked", {"n": 1}),
        (merchant_a.pk, "k:twice", "evaluation.revoked", {"n": 2}),
    ]
    assert notices_create(drafts) == 1
    assert list(Notice.objects.values_list("key", "params")) == [("k:twice", {"n": 1})]
