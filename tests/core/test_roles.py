import pytest
from django.contrib.auth.models import Group

from core.permissions_setup import sync_role_groups
from core.roles import ALL_ROLES

pytestmark = pytest.mark.django_db


def test_every_role_is_a_group_and_staff_ops_edits_the_staff_editable_settings():
    sync_role_groups()
    assert set(Group.objects.filter(name__in=ALL_ROLES).values_list("name", flat=True)) == set(ALL_ROLES)
    ops = set(Group.objects.get(name="staff_ops").permissions.values_list("codename", flat=True))
    for codename in (
        "change_calendarday",
        "change_category",
        "change_commitmentsettings",
        "change_desksettings",
        "change_servicestandard",
        "change_tag",
    ):
        assert codename in ops
    reviewer = set(Group.objects.get(name="staff_reviewer").permissions.values_list("codename", flat=True))
    assert "change_commitmentsettings" not in reviewer
    assert not Group.objects.get(name="merchant_owner").permissions.exists()
