import sys

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from .errors import CoreError, error_body
from .health import health_report
from .outages import is_outage, outage_response
from .roles import MERCHANT_ROLES, STAFF_ROLES, has_role, is_platform_staff


def home(request):
    """Send each user to their surface."""
    if not request.user.is_authenticated:
        return redirect("login")
    if has_role(request.user, *STAFF_ROLES):
        return redirect("staff:dashboard")
    if has_role(request.user, *MERCHANT_ROLES):
        return redirect("office:dashboard")
    if request.user.is_superuser:
        return redirect("admin:index")
    return redirect("api-docs")


def ping(request):
    """A trivial JSON view: the baseline that benchmarks compare endpoints with."""
    return JsonResponse({"ok": True})


_check = inline_serializer(
    "HealthCheck",
    {"ok": serializers.BooleanField(), "detail": serializers.CharField(), "ms": serializers.FloatField()},
)


class _SessionIfReachable(SessionAuthentication):
    """The session user when the database answers; anonymous when it does not (health must answer)."""

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except Exception as exc:
            if is_outage(exc):
                return None
            raise


_health = inline_serializer(
    "Health",
    {
        "ok": serializers.BooleanField(),
        "checks": inline_serializer(
            "HealthChecks", {"database": _check, "cache": _check, "broker": _check}, required=False
        ),
    },
)


@extend_schema(
    tags=["health"],
    summary="Database, cache and broker status (503 when one is down)",
    description='Anyone gets {"ok"}; platform staff (session) or the X-Health-Token header get the checks.',
    auth=[],
    responses={(200, "application/json"): _health, (503, "application/json"): _health},
)
@api_view(["GET"])
@authentication_classes([_SessionIfReachable])
@permission_classes([AllowAny])
def health(request):
    """The checks' details (hosts, errors) only for platform staff or the HEALTH_TOKEN; a bare status else."""
    report = health_report()
    code = 200 if report["ok"] else 503
    if not _may_see_health_details(request):
        return Response({"ok": report["ok"]}, status=code)
    return Response(report, status=code)


def _may_see_health_details(request) -> bool:
    token = settings.HEALTH_TOKEN
    given = request.headers.get("X-Health-Token", "")
    if token and given and constant_time_compare(given, token):
        return True
    user = request.user
    if not user.is_authenticated:
        return False
    try:
        return user.is_superuser or is_platform_staff(user)
    except Exception as exc:
        if is_outage(exc):
            return False  # the status says enough
        raise


def server_error(request):
    """handler500: our error shape on /api/ (503 + Retry-After when a dependency is down)."""
    exc = sys.exc_info()[1]
    if is_outage(exc):
        return outage_response(request)
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(CoreError.SERVER_ERROR, _("Internal server error.")), status=500)
    title = _("Server error")
    message = _("Something went wrong on our side. It has been logged.")
    return HttpResponse(
        f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><h1>{title}</h1><p>{message}</p></body></html>",
        status=500,
    )


def _error_page(request, status: int, title: str, message: str):
    if request.path.startswith("/api/"):
        code = {403: CoreError.PERMISSION_DENIED, 404: CoreError.NOT_FOUND}[status]
        return JsonResponse(error_body(code, message), status=status)
    return render(request, "error.html", {"title": title, "message": message}, status=status)


def permission_denied(request, exception=None):
    return _error_page(
        request, 403, _("Not allowed"), str(exception) or _("You do not have access to this page.")
    )


def page_not_found(request, exception=None):
    return _error_page(request, 404, _("Not found"), _("The page you asked for does not exist."))


def login_locked_out(request, credentials=None, *args, **kwargs):
    """django-axes lockout: a 429 page (JSON on /api/) that says what happened and who can unlock."""
    limit = settings.AXES_FAILURE_LIMIT
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    if request.path.startswith("/api/"):
        message = _("Too many failed logins: locked for %(minutes)s minutes.") % {"minutes": minutes}
        return JsonResponse(error_body(CoreError.LOCKED_OUT, message), status=429)
    context = {
        "failure_limit": limit,
        "cooloff_timedelta": settings.AXES_COOLOFF_TIME,
        "cooloff_minutes": minutes,
    }
    response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
