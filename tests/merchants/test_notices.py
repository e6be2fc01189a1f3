"""merchants.services.notices_create: the batch form of notice_create (once per key, e-mailed once)."""

import pytest
from django.core import mail

from merchants.models import Merchant, Notice
from merchants.services import notice_create, notices_create
from merchants.tasks import send_notice_emails

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


def test_many_notices_are_emailed_by_one_task_per_hundred_each_once(
    merchant_a, merchant_b, django_capture_on_commit_callbacks
):
    Merchant.objects.filter(pk=merchant_a.pk).update(contact_email="shop@example.com")
    drafts = [
        (merchant_a.pk if i % 5 else merchant_b.pk, f"k:{i}", "evaluation.revoked", {"n": i})
        for i in range(300)
    ]
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert notices_create(drafts) == 300
    assert len(queued) == 3  # 240 e-mails (merchant_b has no address): tasks of 100, 100 and 40
    assert len(mail.outbox) == 240
    assert Notice.objects.filter(email_sent_at__isnull=False).count() == 240
    # A task run again (a retry after a failure, a duplicate message) sends nothing already sent.
    assert send_notice_emails(list(Notice.objects.values_list("pk", flat=True))) == 0
    assert len(mail.outbox) == 240
