"""The demo command: deterministic, consistent with the ledger rules, logins that work, safe to rerun."""

import random
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum
from django.http import HttpRequest
from rest_framework.authtoken.models import Token

from core.management.commands.demo import demo_token
from merchants.demo import DEMO_PASSWORD, plan_merchants
from merchants.models import DepositAccount, DepositEntry, Membership, Merchant, Product
from merchants.services import deposit_refresh_topup_flags

pytestmark = pytest.mark.django_db

# With seed 42 the first three shops are always these (a change here means every demo changes).
SEED_42_FIRST_CODES = ["10121397", "65853792", "33881434"]


@pytest.fixture
def demo_settings(settings):
    settings.DEBUG = True
    return settings


@pytest.fixture
def merchants_only(monkeypatch):
    """Exact merchant figures: leave out the apps after merchants (they add ledger entries)."""
    from core.management.commands import demo

    monkeypatch.setattr(demo, "DEMO_APPS", ["merchants"])


def run_demo(**options) -> str:
    out = StringIO()
    call_command("demo", stdout=out, **options)
    return out.getvalue()


def logins_from(output: str) -> dict[str, tuple[str, str]]:
    """username → (password, role), parsed from the printed table."""
    rows = {}
    for line in output.splitlines():
        match = re.match(r"^  (\S+)\s+(\S+)\s+(\S+)\s+", line)
        if match and match.group(1) != "username":
            rows[match.group(1)] = (match.group(2), match.group(3))
    return rows


def test_demo_generates_the_planned_merchants_exactly(demo_settings, merchants_only):
    output = run_demo(seed=42, merchants=12)

    plans = plan_merchants(random.Random("42:merchants"), 12)
    codes = list(Merchant.objects.order_by("id").values_list("shop_code", flat=True))
    assert codes == [p.shop_code for p in plans]
    assert codes[:3] == SEED_42_FIRST_CODES
    assert Merchant.objects.order_by("id").values_list("name", "name_en").first() == (
        "海尔官方旗舰店",
        "Haier Official Flagship Store",
    )
    assert Membership.objects.count() == 24
    assert Product.objects.count() == sum(len(p.products) for p in plans) == 76
    assert DepositEntry.objects.count() == sum(len(p.top_ups) for p in plans) == 16
    assert DepositAccount.objects.filter(topup_required_since__isnull=False).count() == 1
    assert (
        "Merchants: 12 merchants, 30 brands, 24 members, 76 products, 16 deposit entries, "
        "1 below their deposit requirement (" in output
    )


def test_demo_ledger_obeys_the_deposit_rules(demo_settings, merchants_only):
    run_demo(seed=42, merchants=12)

    for account in DepositAccount.objects.select_related("merchant__main_category"):
        entries = DepositEntry.objects.filter(account=account).order_by("created_at", "id")
        total = entries.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
        assert account.balance == total
        assert list(entries)[-1].balance_after == total
        below = account.balance < account.merchant.main_category.required_deposit
        assert (account.topup_required_since is not None) == below
    # The set-based job agrees with every flag the generator wrote.
    assert deposit_refresh_topup_flags() == {"raised": 0, "cleared": 0}
    # The demo's top-up case is a new official store; the flagships keep a multiple of the requirement.
    ugreen = DepositAccount.objects.get(merchant__name="绿联官方旗舰店")
    assert ugreen.topup_required_since is not None
    for name in ("海尔官方旗舰店", "小米官方旗舰店", "苏泊尔官方旗舰店", "安克官方旗舰店"):
        account = DepositAccount.objects.select_related("merchant__main_category").get(merchant__name=name)
        assert account.balance >= 3 * account.merchant.main_category.required_deposit


def test_same_seed_same_data_other_seed_other_data():
    first = plan_merchants(random.Random("42:merchants"), 50)
    again = plan_merchants(random.Random("42:merchants"), 50)
    other = plan_merchants(random.Random("7:merchants"), 50)
    assert first == again
    assert [p.shop_code for p in first] != [p.shop_code for p in other]
    assert len({p.shop_code for p in first}) == 50


def test_printed_logins_work(demo_settings, client, api):
    output = run_demo(seed=42, merchants=12)
    logins = logins_from(output)
    assert {role for _pw, role in logins.values()} >= {
        "merchant_owner",
        "merchant_staff",
        "staff_reviewer",
        "staff_adjudicator",
        "staff_ops",
        "superuser",
        "integration",
    }

    password, role = logins["owner_haier"]
    assert (password, role) == (DEMO_PASSWORD, "merchant_owner")
    assert client.login(request=HttpRequest(), username="owner_haier", password=password)
    page = client.get("/office/")
    assert page.status_code == 200
    assert "海尔官方旗舰店" in page.content.decode()

    # A generated (unnamed) owner shares the printed password.
    generated = Membership.objects.filter(role="merchant_owner").order_by("-id").first().user
    assert generated.username == f"owner_{generated.membership.merchant.shop_code}"
    assert client.login(request=HttpRequest(), username=generated.username, password=password)

    assert client.login(request=HttpRequest(), username="reviewer", password=logins["reviewer"][0])
    assert client.get("/staff/merchants/").status_code == 200
    assert get_user_model().objects.get(username="admin").is_superuser

    token = Token.objects.get(user__username="upstream")
    assert token.key == demo_token(42)
    assert token.key in output


def test_second_run_keeps_the_data_and_prints_the_logins_again(demo_settings):
    run_demo(seed=42, merchants=12)
    # With every app's generator: the ledger still adds up (recoveries go through the service).
    for account in DepositAccount.objects.all():
        total = DepositEntry.objects.filter(account=account).aggregate(total=Sum("amount"))["total"]
        assert account.balance == (total or Decimal("0.00"))
    before = (Merchant.objects.count(), Product.objects.count(), DepositEntry.objects.count())

    again = run_demo(seed=42, merchants=12)

    assert "already present" in again
    assert "owner_haier" in again
    assert (Merchant.objects.count(), Product.objects.count(), DepositEntry.objects.count()) == before


def test_refuses_without_debug_unless_forced(settings, merchants_only):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        run_demo(seed=1, merchants=2)
    assert Merchant.objects.count() == 0
    run_demo(seed=1, merchants=2, force=True)
    assert Merchant.objects.count() == 2


def test_printed_logins_name_the_served_address(demo_settings, merchants_only):
    output = run_demo(seed=42, merchants=3, base_url="http://127.0.0.1:8105")
    assert "Demo logins (http://127.0.0.1:8105/login/):" in output
    assert "127.0.0.1:8000" not in output


def test_summary_reads_as_labelled_figures(demo_settings):
    output = run_demo(seed=42, merchants=12)

    lines = output.splitlines()
    titles = [line.split(":", 1)[0] for line in lines[:6]]
    assert titles == [
        "Merchants",
        "Service tags",
        "Orders and commitments",
        "Complaints desk",
        "Scores and evaluations",
        "Courses",
    ]
    assert "={" not in output  # no raw dicts
    assert "{'" not in output
    assert re.search(r"Orders and commitments: [\d,]+ orders, .*[\d,]+ vouchers paid", output)


def test_figure_text_labels_numbers_breakdowns_and_nested_figures():
    from core.management.commands.demo import figure_text

    assert figure_text("events", 102507) == "102,507 fulfilment events"
    assert figure_text("commitments_met", 12) == "12 met commitments"
    assert figure_text("state_awaiting_merchant", 3) == "3 awaiting merchant complaints"
    assert figure_text("repair_tickets", 8) == "8 repair tickets"
    assert figure_text("content", "0 created, 19 unchanged") == "content: 0 created, 19 unchanged"
    assert figure_text("compensation", {"paid": 1500, "failed": 0}) == "compensation: 1,500 paid, 0 failed"
