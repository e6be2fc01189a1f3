import threading
from decimal import Decimal

import pytest
from django.db import connection

from core.errors import ApplicationError
from merchants.models import DepositAccount, DepositEntry
from merchants.services import deposit_post_entry, deposit_refresh_topup_flags

pytestmark = pytest.mark.django_db


def _sum(merchant) -> Decimal:
    return sum((e.amount for e in DepositEntry.objects.filter(account__merchant=merchant)), Decimal("0.00"))


def test_entries_move_the_balance_and_the_topup_flag(merchant_a):
    # large_appliances requires ¥50,000.
    deposit_post_entry(merchant_id=merchant_a.pk, kind="top_up", amount=Decimal("50000"))
    account = DepositAccount.objects.get(merchant=merchant_a)
    assert account.balance == Decimal("50000.00")
    assert account.topup_required_since is None

    entry = deposit_post_entry(
        merchant_id=merchant_a.pk,
        kind="compensation_recovery",
        amount=Decimal("12.345"),
        source_type="commitments.voucher",
        source_id="7",
    )
    assert entry.amount == Decimal("-12.35")
    assert entry.balance_after == Decimal("49987.65")
    account.refresh_from_db()
    assert account.balance == Decimal("49987.65") == _sum(merchant_a)
    assert account.topup_required_since is not None
    assert (account.topup_due_at - account.topup_required_since).days == 14

    deposit_post_entry(merchant_id=merchant_a.pk, kind="top_up", amount=Decimal("12.35"))
    account.refresh_from_db()
    assert account.topup_required_since is None


def test_same_source_posts_once(merchant_a):
    first = deposit_post_entry(
        merchant_id=merchant_a.pk,
        kind="complaint_recovery",
        amount=Decimal("30"),
        source_type="complaints.complaint",
        source_id="1",
    )
    again = deposit_post_entry(
        merchant_id=merchant_a.pk,
        kind="complaint_recovery",
        amount=Decimal("30"),
        source_type="complaints.complaint",
        source_id="1",
    )
    assert first.pk == again.pk
    assert DepositAccount.objects.get(merchant=merchant_a).balance == Decimal("-30.00")


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-1"), Decimal("0.004")])
def test_non_positive_amounts_are_refused_and_write_nothing(merchant_a, amount):
    with pytest.raises(ApplicationError):
        deposit_post_entry(merchant_id=merchant_a.pk, kind="top_up", amount=amount)
    assert not DepositEntry.objects.exists()
    assert DepositAccount.objects.get(merchant=merchant_a).balance == Decimal("0.00")


def test_set_based_flag_refresh_after_requirement_change(
    merchant_a, merchant_b, django_assert_max_num_queries
):
    deposit_post_entry(merchant_id=merchant_a.pk, kind="top_up", amount=Decimal("50000"))
    deposit_post_entry(merchant_id=merchant_b.pk, kind="top_up", amount=Decimal("30000"))
    merchant_a.main_category.required_deposit = Decimal("60000")
    merchant_a.main_category.save()
    with django_assert_max_num_queries(4):
        result = deposit_refresh_topup_flags()
    assert result == {"raised": 1, "cleared": 0}
    assert DepositAccount.objects.get(merchant=merchant_a).topup_required_since is not None
    assert DepositAccount.objects.get(merchant=merchant_b).topup_required_since is None
    assert deposit_refresh_topup_flags() == {"raised": 0, "cleared": 0}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_deductions_keep_balance_equal_to_sum(merchant_a):
    deposit_post_entry(merchant_id=merchant_a.pk, kind="top_up", amount=Decimal("1000"))
    threads_count, per_thread = 8, 10
    errors = []

    def worker(n):
        try:
            for i in range(per_thread):
                deposit_post_entry(
                    merchant_id=merchant_a.pk,
                    kind="compensation_recovery",
                    amount=Decimal("1.11"),
                    source_type="test",
                    source_id=f"{n}-{i}",
                )
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(threads_count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    account = DepositAccount.objects.get(merchant=merchant_a)
    expected = Decimal("1000.00") - Decimal("1.11") * threads_count * per_thread
    assert account.balance == expected == _sum(merchant_a)
    # balance_after forms an unbroken chain: every entry saw the one before it.
    afters = sorted(
        DepositEntry.objects.filter(account=account).values_list("balance_after", flat=True), reverse=True
    )
    assert afters[-1] == expected
    assert len(set(afters)) == threads_count * per_thread + 1
