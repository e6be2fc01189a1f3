"""Roles are Django groups. Permission helpers for template views and for the API."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

MERCHANT_OWNER = "merchant_owner"
MERCHANT_STAFF = "merchant_staff"
STAFF_REVIEWER = "staff_reviewer"
STAFF_ADJUDICATOR = "staff_adjudicator"
STAFF_OPS = "staff_ops"
INTEGRATION = "integration"

MERCHANT_ROLES = (MERCHANT_OWNER, MERCHANT_STAFF)
STAFF_ROLES = (STAFF_REVIEWER, STAFF_ADJUDICATOR, STAFF_OPS)
ALL_ROLES = (*MERCHANT_ROLES, *STAFF_ROLES, INTEGRATION)


def user_roles(user) -> frozenset[str]:
    """The user's role names, read once per request object (one query)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            names.update(STAFF_ROLES)
        cached = frozenset(names)
        user._role_cache = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user).intersection(roles))


def is_platform_staff(user) -> bool:
    return has_role(user, *STAFF_ROLES)


def role_required(*roles: str):
    """Decorator for template views: anonymous → login page; authenticated without the role → 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied("This page needs one of the roles: " + ", ".join(roles))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


staff_required = role_required(*STAFF_ROLES)


class HasRole(BasePermission):
    """DRF permission: `permission_classes = [HasRole.of(STAFF_OPS)]`."""

    roles: tuple[str, ...] = ()
    message = "You do not have the role this action needs."

    def has_permission(self, request, view) -> bool:
        return has_role(request.user, *self.roles)

    @classmethod
    def of(cls, *roles: str) -> type["HasRole"]:
        return type(f"HasRole_{'_'.join(roles)}", (cls,), {"roles": roles})


IsPlatformStaff = HasRole.of(*STAFF_ROLES)
IsIntegration = HasRole.of(INTEGRATION)
