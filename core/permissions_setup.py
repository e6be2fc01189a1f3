"""Keeps the role groups and the Django-admin permissions of each staff role in step with the code.

Runs after every migrate; staff_ops edits catalogs, thresholds and the calendar in the admin.
"""

from django.contrib.auth.models import Group, Permission

from .roles import ALL_ROLES, STAFF_ADJUDICATOR, STAFF_OPS, STAFF_REVIEWER

# app_label → every model permission of that app; "app.model" → that model's permissions.
ADMIN_PERMISSIONS: dict[str, list[str]] = {
    STAFF_OPS: [
        "tags",
        "core.calendarday",
        "merchants.category",
        "merchants.brand",
        "commitments.commitmentsettings",
        "commitments.forcemajeure",
        "complaints.desksettings",
        "complaints.servicestandard",
        "scoring",
        "courses",
        "axes.accessattempt",  # unlock a locked-out login (delete the attempt)
    ],
    STAFF_REVIEWER: ["tags"],
    STAFF_ADJUDICATOR: ["complaints"],
}


def sync_role_groups(**kwargs) -> None:
    for role in ALL_ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        wanted = Permission.objects.none()
        for spec in ADMIN_PERMISSIONS.get(role, []):
            if "." in spec:
                app_label, model = spec.split(".")
                wanted = wanted | Permission.objects.filter(
                    content_type__app_label=app_label, content_type__model=model
                )
            else:
                wanted = wanted | Permission.objects.filter(content_type__app_label=spec)
        if role in ADMIN_PERMISSIONS:
            group.permissions.set(wanted)
