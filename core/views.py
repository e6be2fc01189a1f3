from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from .api.exception_handler import error_body
from .health import health_report
from .roles import MERCHANT_ROLES, STAFF_ROLES, has_role


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


@extend_schema(
    tags=["health"],
    summary="Database, cache and broker status (503 when one is down)",
    auth=[],
    responses={
        (200, "application/json"): inline_serializer(
            "Health",
            {
                "ok": serializers.BooleanField(),
                "checks": inline_serializer(
                    "HealthChecks", {"database": _check, "cache": _check, "broker": _check}
                ),
            },
        )
    },
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def health(request):
    report = health_report()
    return Response(report, status=200 if report["ok"] else 503)


def _error_page(request, status: int, title: str, message: str):
    if request.path.startswith("/api/"):
        code = {403: "permission_denied", 404: "not_found"}[status]
        return JsonResponse(error_body(code, message), status=status)
    return render(request, "error.html", {"title": title, "message": message}, status=status)


def permission_denied(request, exception=None):
    return _error_page(
        request, 403, _("Not allowed"), str(exception) or _("You do not have access to this page.")
    )


def page_not_found(request, exception=None):
    return _error_page(request, 404, _("Not found"), _("The page you asked for does not exist."))
