"""DeskSettings: the desk's numbers as one staff-editable row (the CommitmentSettings pattern)."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from complaints.models import DeskRules, DeskSettings
from complaints.selectors import desk_settings
from complaints.services import desk_settings_update
from core.audit import audit_for
from core.errors import ApplicationError

pytestmark = pytest.mark.django_db

SPEC = DeskRules(
    due_working_days=5,
    merchant_response_hours=48,
    appeal_days=7,
    check_window_days=30,
    fault_rate_max=Decimal("0.0050"),
    small_sample_orders=30,
    small_sample_max_upheld=1,
)
SETTINGS_URL = "/admin/complaints/desksettings/1/change/"


def test_the_seeded_row_is_pk_1_with_the_spec_numbers():
    row = DeskSettings.objects.get()
    assert (row.pk, row.snapshot()) == (1, SPEC)
    assert desk_settings() == SPEC


def test_reads_go_to_the_database_once_then_the_cache(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert desk_settings().appeal_days == 7
    with django_assert_num_queries(0):
        assert desk_settings().appeal_days == 7
    desk_settings_update(appeal_days=9)
    with django_assert_num_queries(1):
        assert desk_settings().appeal_days == 9


def test_a_save_by_any_other_path_is_seen_at_once():
    assert desk_settings().check_window_days == 30
    row = DeskSettings.objects.get()
    row.check_window_days = 7
    row.save()
    assert desk_settings().check_window_days == 7


def test_update_is_audited_with_before_and_after(staff_ops):
    desk_settings_update(actor=staff_ops, appeal_days=10, fault_rate_max=Decimal("0.004"))
    desk_settings_update(actor=staff_ops, appeal_days=10)  # no change: no audit event
    (event,) = audit_for(DeskSettings.objects.get())
    assert (event.verb, event.actor_label) == ("desk_settings.changed", staff_ops.username)
    assert event.data == {"appeal_days": ["7", "10"], "fault_rate_max": ["0.0050", "0.0040"]}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"due_working_days": 0}, "due_working_days"),
        ({"merchant_response_hours": 721}, "merchant_response_hours"),
        ({"appeal_days": 0}, "appeal_days"),
        ({"check_window_days": 366}, "check_window_days"),
        ({"fault_rate_max": Decimal("1.5")}, "fault_rate_max"),
        ({"fault_rate_max": "lots"}, "fault_rate_max"),
        ({"small_sample_orders": -1}, "small_sample_orders"),
        ({"appeal_window": 3}, "appeal_window"),
    ],
)
def test_nonsense_is_refused_and_nothing_changes(changes, field):
    before = DeskSettings.objects.get()
    with pytest.raises(ApplicationError) as caught:
        desk_settings_update(**changes)
    assert list(caught.value.fields) == [field]
    after = DeskSettings.objects.get()
    assert (after.snapshot(), after.updated_at) == (SPEC, before.updated_at)
    assert not audit_for(after).exists()


def test_database_refuses_out_of_range_values_written_around_the_service():
    with pytest.raises(IntegrityError), transaction.atomic():
        DeskSettings.objects.filter(pk=1).update(due_working_days=0)
    assert DeskSettings.objects.get().snapshot() == SPEC


@pytest.fixture
def ops_admin(client, staff_ops):
    staff_ops.is_staff = True
    staff_ops.save(update_fields=["is_staff"])
    client.force_login(staff_ops)
    return client


def _form(**changes) -> dict:
    data = {name: str(getattr(SPEC, name)) for name in DeskSettings.EDITABLE}
    data.update(changes)
    return data


def test_staff_ops_edits_the_desk_settings_in_the_admin_through_the_service(ops_admin, staff_ops):
    assert ops_admin.get("/admin/complaints/desksettings/").url == SETTINGS_URL
    assert desk_settings().merchant_response_hours == 48  # cached before the change

    response = ops_admin.post(SETTINGS_URL, _form(merchant_response_hours="24"))

    assert response.status_code == 302
    assert desk_settings().merchant_response_hours == 24
    (event,) = audit_for(DeskSettings.objects.get())
    assert (event.actor_id, event.data) == (staff_ops.pk, {"merchant_response_hours": ["48", "24"]})
    assert "merchant_response_hours: 48 → 24" in ops_admin.get(SETTINGS_URL).content.decode()
    assert ops_admin.get("/admin/complaints/desksettings/add/").status_code == 403
    assert ops_admin.post("/admin/complaints/desksettings/1/delete/").status_code == 403
    assert DeskSettings.objects.count() == 1


def test_admin_refuses_nonsense_and_nothing_changes(ops_admin):
    response = ops_admin.post(SETTINGS_URL, _form(appeal_days="0"))
    assert response.status_code == 200
    assert "appeal_days" in response.context["adminform"].form.errors
    assert DeskSettings.objects.get().snapshot() == SPEC
    assert not audit_for(DeskSettings.objects.get()).exists()
