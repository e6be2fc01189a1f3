"""One error shape for the whole API: {"code": "...", "message": "...", "fields": {...}}."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.boundary import sanitize
from core.errors import ApplicationError, CoreError, error_body
from core.outages import RETRY_AFTER_SECONDS, is_outage, outage_body


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [f"{k}: {m}" for k, v in detail.items() for m in _flatten(v)]
    if isinstance(detail, list):
        return [m for item in detail for m in _flatten(item)]
    return [str(detail)]


def _drf_code(code) -> CoreError:
    """DRF's own exception codes (not_authenticated, throttled ...) are CoreError members; one DRF has
    no member for is reported as `error` rather than passed through unlisted."""
    try:
        return CoreError(str(code))
    except ValueError:
        return CoreError.ERROR


def api_exception_handler(exc, context):
    """Our error shape for every error; bodies are sanitized so that no bad character is echoed."""
    response = _handle(exc, context)
    if response is not None:
        response.data = sanitize(response.data)
    return response


def _handle(exc, context):
    if is_outage(exc):
        return Response(
            outage_body(),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, DataError):
        # A value the column cannot hold that a validator missed: the client's input, not a bug.
        return Response(
            error_body(CoreError.OUT_OF_RANGE, "A value is out of the range that can be stored."),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, ApplicationError):
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.status_code)
    if isinstance(exc, SuspiciousOperation):
        # e.g. more query parameters than DATA_UPLOAD_MAX_NUMBER_FIELDS: the client's fault, not ours.
        return Response(
            error_body(CoreError.INVALID, f"Malformed request: {exc}"), status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        message = "; ".join(exc.messages) or "Invalid input."
        return Response(error_body(CoreError.INVALID, message, fields), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: let Django answer 500 and log it
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if isinstance(detail, dict):
            non_field = detail.get("non_field_errors")
            fields = {k: _flatten(v) for k, v in detail.items() if k != "non_field_errors"}
            message = "; ".join(_flatten(non_field)) if non_field else "Invalid input: " + ", ".join(fields)
        else:
            fields = {}
            message = "; ".join(_flatten(detail))
        response.data = error_body(CoreError.INVALID, message, fields)
    else:
        code = getattr(exc, "default_code", "error")
        if isinstance(exc.detail, dict | list):
            message = "; ".join(_flatten(exc.detail))
        else:
            message = str(exc.detail)
            code = getattr(exc.detail, "code", code) or code
        response.data = error_body(_drf_code(code), message)
    return response
