from .roles import MERCHANT_ROLES, STAFF_ROLES, user_roles


def roles(request):
    names = user_roles(getattr(request, "user", None))
    return {
        "user_roles": names,
        "is_platform_staff": bool(names.intersection(STAFF_ROLES)),
        "is_merchant_user": bool(names.intersection(MERCHANT_ROLES)),
    }
