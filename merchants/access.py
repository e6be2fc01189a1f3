"""The merchant-isolation rule: a merchant user acts only for its own merchant."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from core.roles import MERCHANT_ROLES, has_role

from .selectors import merchant_for_user


def merchant_required(view):
    """Template views: sets request.merchant; anonymous → login; users of no merchant → 403."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        merchant = merchant_for_user(request.user) if has_role(request.user, *MERCHANT_ROLES) else None
        if merchant is None:
            raise PermissionDenied("The back office is for merchant users.")
        request.merchant = merchant
        return view(request, *args, **kwargs)

    return wrapped


class IsMerchantMember(BasePermission):
    """API: the user is a merchant member; sets request.merchant for the view."""

    message = "This endpoint is for merchant users."

    def has_permission(self, request, view) -> bool:
        if not has_role(request.user, *MERCHANT_ROLES):
            return False
        merchant = merchant_for_user(request.user)
        if merchant is None:
            return False
        request.merchant = merchant
        return True
