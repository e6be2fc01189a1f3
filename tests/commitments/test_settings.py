"""CommitmentSettings: the SPEC numbers as one staff-editable row, and the behaviour that follows them."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from commitments.checks import check_on_time_dispatch
from commitments.models import Breach, BreachAppeal, Commitment, CommitmentRules, CommitmentSettings, Voucher
from commitments.selectors import commitment_settings
from commitments.services import (
    breach_appeal_submit,
    breaches_compensate,
    commitment_settings_update,
    commitments_sweep,
    compensation_deferred,
)
from core.audit import audit_for
from core.errors import ApplicationError, InvalidTransition
from tags.checks import run_checks
from tags.models import Tag

from .factories import committed, place_order, send_event

pytestmark = pytest.mark.django_db

PAID = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # 14:00 Asia/Shanghai
SPEC = CommitmentRules(
    voucher_valid_days=30,
    sweep_grace_minutes=15,
    appeal_days=7,
    check_window_days=30,
    on_time_percent_min=Decimal("95.00"),
    on_time_min_orders=30,
)
SETTINGS_URL = "/admin/commitments/commitmentsettings/1/change/"


def _late_breach(
    product, *, shopper="s1", scanned=PAID + timedelta(hours=28), now=PAID + timedelta(hours=30)
):
    """A ship_24h commitment broken by a late pickup scan, compensated at `now`."""
    order = place_order(product, paid_at=PAID, shopper_ref=shopper)
    with time_machine.travel(now, tick=False):
        send_event(order, "pickup_scanned", scanned, carrier="SF")
    return Breach.objects.get(commitment__order=order)


def _form(rules: CommitmentRules, **changes) -> dict:
    data = {
        "voucher_valid_days": rules.voucher_valid_days,
        "sweep_grace_minutes": rules.sweep_grace_minutes,
        "appeal_days": rules.appeal_days,
        "check_window_days": rules.check_window_days,
        "on_time_percent_min": str(rules.on_time_percent_min),
        "on_time_min_orders": rules.on_time_min_orders,
    }
    data.update(changes)
    return data


# --- the row and the accessor ------------------------------------------------------------------


def test_data_migration_seeds_the_spec_numbers():
    row = CommitmentSettings.objects.get()
    assert row.pk == 1
    assert row.rules() == SPEC
    assert commitment_settings() == SPEC


def test_accessor_reads_the_database_once_then_the_cache(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert commitment_settings().appeal_days == 7
    with django_assert_num_queries(0):
        assert commitment_settings().appeal_days == 7
    commitment_settings_update(appeal_days=9)
    with django_assert_num_queries(1):
        assert commitment_settings().appeal_days == 9


def test_a_missing_row_is_recreated_with_the_defaults():
    CommitmentSettings.objects.all().delete()
    assert commitment_settings() == SPEC
    assert CommitmentSettings.objects.get().pk == 1


def test_update_is_audited_with_before_and_after(staff_ops):
    commitment_settings_update(actor=staff_ops, appeal_days=10, on_time_percent_min=Decimal("97.5"))
    commitment_settings_update(actor=staff_ops, appeal_days=10)  # no change: no audit event
    (event,) = audit_for(CommitmentSettings.objects.get())
    assert (event.verb, event.actor_label) == ("commitment_settings.changed", staff_ops.username)
    assert event.data == {"appeal_days": ["7", "10"], "on_time_percent_min": ["95.00", "97.50"]}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"appeal_days": -1}, "appeal_days"),
        ({"appeal_days": 0}, "appeal_days"),
        ({"voucher_valid_days": 0}, "voucher_valid_days"),
        ({"voucher_valid_days": 3651}, "voucher_valid_days"),
        ({"sweep_grace_minutes": -5}, "sweep_grace_minutes"),
        ({"sweep_grace_minutes": 1441}, "sweep_grace_minutes"),
        ({"check_window_days": 0}, "check_window_days"),
        ({"on_time_percent_min": Decimal("100.01")}, "on_time_percent_min"),
        ({"on_time_percent_min": Decimal("-1")}, "on_time_percent_min"),
        ({"on_time_percent_min": "lots"}, "on_time_percent_min"),
        ({"on_time_min_orders": 0}, "on_time_min_orders"),
        ({"appeal_window": 3}, "appeal_window"),
    ],
)
def test_nonsense_is_refused_and_nothing_changes(changes, field):
    before = CommitmentSettings.objects.get()
    with pytest.raises(ApplicationError) as caught:
        commitment_settings_update(**changes)
    assert list(caught.value.fields) == [field]
    after = CommitmentSettings.objects.get()
    assert (after.rules(), after.updated_at) == (SPEC, before.updated_at)
    assert commitment_settings() == SPEC
    assert not audit_for(after).exists()


@pytest.mark.parametrize(
    "column_value",
    [
        {"on_time_percent_min": Decimal("100.50")},
        {"appeal_days": 0},
        {"voucher_valid_days": 0},
        {"sweep_grace_minutes": 2000},
        {"on_time_min_orders": 0},
    ],
)
def test_database_refuses_out_of_range_values_written_around_the_service(column_value):
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitmentSettings.objects.filter(pk=1).update(**column_value)
    assert CommitmentSettings.objects.get().rules() == SPEC


def test_database_refuses_a_second_row():
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitmentSettings.objects.create(pk=2)
    assert CommitmentSettings.objects.count() == 1


# --- vouchers ----------------------------------------------------------------------------------


def test_voucher_validity_follows_the_setting_and_issued_vouchers_keep_theirs(product):
    first = _late_breach(product, shopper="s1")
    commitment_settings_update(voucher_valid_days=10)
    second = _late_breach(product, shopper="s2", now=PAID + timedelta(hours=31))
    assert Voucher.objects.get(breach=first).valid_until == PAID + timedelta(hours=30) + timedelta(days=30)
    assert Voucher.objects.get(breach=second).valid_until == PAID + timedelta(hours=31) + timedelta(days=10)


def test_compensation_reads_the_settings_once_per_batch(product):
    with compensation_deferred():
        breach_ids = [_late_breach(product, shopper=f"s{i}").pk for i in range(4)]
    assert not Voucher.objects.exists()
    commitment_settings_update(voucher_valid_days=12)  # also drops the cached snapshot
    with (
        time_machine.travel(PAID + timedelta(hours=32), tick=False),
        CaptureQueriesContext(connection) as ctx,
    ):
        assert breaches_compensate(breach_ids=breach_ids) == {"paid": 4, "skipped": 0, "failed": 0}
    settings_reads = [q for q in ctx.captured_queries if "commitments_commitmentsettings" in q["sql"]]
    assert len(settings_reads) == 1
    assert set(Voucher.objects.values_list("valid_until", flat=True)) == {
        PAID + timedelta(hours=32) + timedelta(days=12)
    }


# --- appeals -----------------------------------------------------------------------------------


def test_appeal_window_follows_the_setting(api_for, owner_a, product):
    breach = _late_breach(product)
    commitment_settings_update(appeal_days=3)
    at = breach.detected_at + timedelta(days=3, minutes=1)
    with time_machine.travel(at, tick=False), pytest.raises(InvalidTransition) as caught:
        breach_appeal_submit(breach_id=breach.pk, merchant=breach.merchant, text="late scan", files=[])
    assert caught.value.message == "the 3-day appeal window has closed"
    assert caught.value.fields == {
        "breach": [f"appeal by {(breach.detected_at + timedelta(days=3)).isoformat()}"]
    }
    assert not BreachAppeal.objects.exists()

    # Longer than the SPEC's 7 days: day 9 is still in time.
    commitment_settings_update(appeal_days=10)
    with time_machine.travel(breach.detected_at + timedelta(days=9), tick=False):
        response = api_for(owner_a).post(
            f"/api/v1/merchant/breaches/{breach.pk}/appeal", {"text": "late scan"}, format="multipart"
        )
    assert response.status_code == 201
    assert BreachAppeal.objects.get().breach_id == breach.pk


def test_breach_api_and_page_state_the_current_window(api_for, client, owner_a, product):
    breach = _late_breach(product)
    assert breach.detected_at == PAID + timedelta(hours=28)  # 2026-03-03 10:00 UTC
    body = api_for(owner_a).get(f"/api/v1/merchant/breaches/{breach.pk}").json()
    assert body["appeal_until"] == "2026-03-10T10:00:00Z"
    client.force_login(owner_a)
    url = f"/office/commitments/breaches/{breach.pk}/"
    with time_machine.travel(PAID + timedelta(days=2), tick=False):
        page = client.get(url).content.decode()
    assert "You may appeal within 7 days of the breach, until 2026-03-10 18:00." in page

    commitment_settings_update(appeal_days=10)
    assert api_for(owner_a).get(f"/api/v1/merchant/breaches/{breach.pk}").json()["appeal_until"] == (
        "2026-03-13T10:00:00Z"
    )
    with time_machine.travel(PAID + timedelta(days=2), tick=False):
        page = client.get(url).content.decode()
    assert "You may appeal within 10 days of the breach, until 2026-03-13 18:00." in page
    with time_machine.travel(PAID + timedelta(days=12), tick=False):
        closed = client.get(url).content.decode()
    assert "The 10-day appeal window closed on 2026-03-13 18:00." in closed
    assert "Submit appeal" not in closed


def test_vouchers_page_states_the_current_validity(client, owner_a, product):
    client.force_login(owner_a)
    assert (
        "A voucher issued now is valid for 30 days."
        in client.get("/office/commitments/vouchers/").content.decode()
    )
    commitment_settings_update(voucher_valid_days=1)
    assert (
        "A voucher issued now is valid for 1 day."
        in client.get("/office/commitments/vouchers/").content.decode()
    )


# --- the sweep ---------------------------------------------------------------------------------


def test_sweep_grace_follows_the_setting(product):
    order = place_order(product, paid_at=PAID)
    deadline = PAID + timedelta(hours=24)
    commitment_settings_update(sweep_grace_minutes=60)
    with time_machine.travel(deadline + timedelta(minutes=30), tick=False), committed():
        waiting = commitments_sweep()
    assert (waiting.cutoff, waiting.breached) == (deadline - timedelta(minutes=30), 0)
    assert Commitment.objects.get(order=order, tag__code="ship_24h").state == "pending"

    commitment_settings_update(sweep_grace_minutes=0)
    with time_machine.travel(deadline + timedelta(minutes=30), tick=False), committed():
        run = commitments_sweep()
    assert (run.cutoff, run.breached) == (deadline + timedelta(minutes=30), 1)
    assert Commitment.objects.get(order=order, tag__code="ship_24h").state == "compensated"


# --- the tag-application check -----------------------------------------------------------------


def _dispatch_history(product, *, on_time: int, late: int):
    for i in range(on_time + late):
        order = place_order(product, paid_at=PAID, shopper_ref=f"h{i}")
        hours = 30 if i >= on_time else 5
        with time_machine.travel(PAID + timedelta(hours=31), tick=False):
            send_event(order, "pickup_scanned", PAID + timedelta(hours=hours), carrier="SF")


def test_on_time_check_follows_threshold_minimum_orders_and_window(product, shop):
    tag = Tag.objects.get(code="ship_48h")
    now = PAID + timedelta(days=3)
    _dispatch_history(product, on_time=28, late=2)  # 93.33…% over 30

    def check():
        outcome = check_on_time_dispatch(merchant=shop, category=shop.main_category, tag=tag, now=now)
        return outcome.passed, outcome.detail

    assert check() == (False, "on-time dispatch 93.3% over 30 orders in the last 30 days is below 95%")
    commitment_settings_update(on_time_percent_min=Decimal("93.33"))
    assert check() == (True, "on-time dispatch 93.3% over 30 orders in the last 30 days (≥ 93.33%)")
    # Judged on the exact share (28/30 = 93.333…%), not on the rounded figure shown.
    commitment_settings_update(on_time_percent_min=Decimal("93.34"))
    assert check() == (False, "on-time dispatch 93.3% over 30 orders in the last 30 days is below 93.34%")
    commitment_settings_update(on_time_min_orders=31)
    assert check() == (
        True,
        "30 dispatch-tracked orders in the last 30 days (fewer than 31): passes on counts",
    )
    commitment_settings_update(on_time_min_orders=30, check_window_days=2)  # orders paid 3 days ago drop out
    assert check() == (True, "0 dispatch-tracked orders in the last 2 days (fewer than 30): passes on counts")

    commitment_settings_update(check_window_days=30, on_time_percent_min=Decimal("100"))
    stored = {r.code: r for r in run_checks(merchant=shop, category=shop.main_category, tag=tag, now=now)}
    result = stored["on_time_dispatch"]
    assert (result.status, result.label_en) == ("failed", "On-time dispatch rate")
    assert result.params == {"orders": 30, "days": 30, "rate": "93.3", "min_rate": "100"}


# --- the admin page ----------------------------------------------------------------------------


@pytest.fixture
def ops_admin(client, staff_ops):
    staff_ops.is_staff = True
    staff_ops.save(update_fields=["is_staff"])
    client.force_login(staff_ops)
    return client


def test_staff_ops_edits_the_settings_in_the_admin(ops_admin, staff_ops):
    assert ops_admin.get("/admin/commitments/commitmentsettings/").url == SETTINGS_URL
    page = ops_admin.get(SETTINGS_URL)
    assert page.status_code == 200
    assert 'name="appeal_days" value="7"' in page.content.decode()
    assert commitment_settings().voucher_valid_days == 30  # cached before the change

    response = ops_admin.post(SETTINGS_URL, _form(SPEC, voucher_valid_days=45, on_time_percent_min="90.5"))
    assert response.status_code == 302
    assert CommitmentSettings.objects.get().rules() == CommitmentRules(
        voucher_valid_days=45,
        sweep_grace_minutes=15,
        appeal_days=7,
        check_window_days=30,
        on_time_percent_min=Decimal("90.50"),
        on_time_min_orders=30,
    )
    assert commitment_settings().voucher_valid_days == 45  # the admin save refreshed the cache
    (event,) = audit_for(CommitmentSettings.objects.get())
    assert event.actor_id == staff_ops.pk
    assert event.data == {"voucher_valid_days": ["30", "45"], "on_time_percent_min": ["95.00", "90.50"]}
    assert "voucher_valid_days: 30 → 45" in ops_admin.get(SETTINGS_URL).content.decode()


@pytest.mark.parametrize(
    "bad",
    [
        {"on_time_percent_min": "101"},
        {"appeal_days": "-3"},
        {"appeal_days": "0"},
        {"voucher_valid_days": "0"},
        {"sweep_grace_minutes": "1441"},
        {"on_time_min_orders": "0"},
    ],
)
def test_admin_refuses_nonsense(ops_admin, bad):
    response = ops_admin.post(SETTINGS_URL, _form(SPEC, **bad))
    assert response.status_code == 200
    (field,) = bad
    assert field in response.context["adminform"].form.errors
    assert CommitmentSettings.objects.get().rules() == SPEC
    assert not audit_for(CommitmentSettings.objects.get()).exists()


def test_admin_page_is_for_staff_ops_only(client, staff_reviewer, staff_adjudicator, staff_ops, owner_a):
    for user in (staff_reviewer, staff_adjudicator, staff_ops):
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    for user in (staff_reviewer, staff_adjudicator):
        client.force_login(user)
        assert client.get(SETTINGS_URL).status_code == 403
        assert client.post(SETTINGS_URL, _form(SPEC, appeal_days=30)).status_code == 403
    client.force_login(owner_a)
    assert client.get(SETTINGS_URL).status_code == 302  # to the admin login
    assert CommitmentSettings.objects.get().rules() == SPEC
    client.force_login(staff_ops)
    assert client.get("/admin/commitments/commitmentsettings/add/").status_code == 403
    assert client.post("/admin/commitments/commitmentsettings/1/delete/").status_code == 403
    assert CommitmentSettings.objects.count() == 1
