"""Which exceptions mean "a dependency is down" (PostgreSQL, Redis, the broker), and the 503 for them.

An outage is not a bug: the API answers 503 in our error shape with Retry-After, the pages a short
503 page that needs neither the database nor the cache to render.
"""

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .errors import CoreError, error_body

OUTAGE_ERRORS = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError, BrokerError)
RETRY_AFTER_SECONDS = 30


def is_outage(exc: BaseException | None) -> bool:
    """True when `exc` (or what it was raised from) says a dependency is unreachable."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, OUTAGE_ERRORS):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def outage_message() -> str:
    return _("The service is temporarily unavailable. Please try again shortly.")


def outage_body() -> dict:
    return error_body(CoreError.SERVICE_UNAVAILABLE, outage_message())


def outage_response(request):
    if request.path.startswith("/api/"):
        response = JsonResponse(outage_body(), status=503)
    else:
        title = _("Temporarily unavailable")
        response = HttpResponse(
            f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body><h1>{title}</h1><p>{outage_message()}</p></body></html>",
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
