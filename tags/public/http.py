"""`GET /api/v1/public/badges`, answered by `tags.public.middleware` before URL resolution.

A plain Django view: no DRF request/response cycle and, with a warm process, no I/O but the
throttle count (none at all while the change listener is live). Errors are ApplicationErrors
rendered in the project's one error shape (`core.errors.error_body`), as the API's exception
handler renders them. `tags.api.public.PublicBadgesView` only documents it in the OpenAPI schema.
"""

import re

from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse, JsonResponse
from django.utils import translation

from core.errors import ApplicationError, CoreError, error_body

from ..errors import TagError
from .fragments import body_for, etag_for
from .freshness import current_gen, listener_live, render_any, render_cached
from .store import StoreDown, store
from .throttle import public_rate, throttle_count, window_key

MAX_IDS = 100
ID_PARAMS = ("product_ids", "merchant_ids")
_IDS = re.compile(r"\s*\d{1,18}\s*(?:,\s*\d{1,18}\s*)*\Z")


class MethodNotAllowed(ApplicationError):
    status_code = 405
    default_code = CoreError.METHOD_NOT_ALLOWED


class Throttled(ApplicationError):
    status_code = 429
    default_code = CoreError.THROTTLED


def error_response(exc: ApplicationError, **headers) -> JsonResponse:
    return JsonResponse(
        error_body(exc.code, exc.message, exc.fields), status=exc.status_code, headers=headers
    )


def parse_ids(raw: str, name: str) -> list[int]:
    if not _IDS.match(raw):
        raise ApplicationError(
            f"{name} must be a comma-separated list of positive integers",
            fields={name: ["a comma-separated list of positive integers, e.g. 1,2,3"]},
        )
    ids = list(dict.fromkeys(map(int, raw.split(","))))
    if len(ids) > MAX_IDS:
        raise ApplicationError(
            f"at most {MAX_IDS} ids per request",
            code=TagError.TOO_MANY_IDS,
            fields={name: [f"at most {MAX_IDS}"]},
        )
    if 0 in ids:
        raise ApplicationError(f"{name} must be positive", fields={name: ["ids must be positive"]})
    return ids


def _repeated(key: str) -> ApplicationError:
    return ApplicationError(
        f"pass {key} once, as one comma-separated list", fields={key: ["given more than once"]}
    )


def parse_query(request) -> dict[str, str]:
    """The query string as a plain dict; the simple case (no escapes) skips QueryDict parsing.

    A repeated id parameter, or more parameters than Django parses (DATA_UPLOAD_MAX_NUMBER_FIELDS),
    is an ApplicationError (400).
    """
    raw = request.META.get("QUERY_STRING", "")
    if "%" in raw or "+" in raw:
        try:
            lists = dict(request.GET.lists())
        except SuspiciousOperation as exc:  # TooManyFieldsSent
            raise ApplicationError("the query string has too many parameters") from exc
        for key in ID_PARAMS:
            if len(lists.get(key, ())) > 1:
                raise _repeated(key)
        return {key: values[0] for key, values in lists.items() if values}
    out: dict[str, str] = {}
    for pair in raw.split("&"):
        if pair:
            key, _, value = pair.partition("=")
            if key in out:
                if key in ID_PARAMS:
                    raise _repeated(key)
                continue
            out[key] = value
    return out


def _ids_asked(request) -> tuple[list[int], bool]:
    """(ids, by_product) from the query."""
    query = parse_query(request)
    products_raw, merchants_raw = query.get("product_ids"), query.get("merchant_ids")
    if (products_raw is None) == (merchants_raw is None):
        raise ApplicationError(
            "pass exactly one of product_ids or merchant_ids",
            fields={"product_ids": ["product_ids or merchant_ids is required (not both)"]},
        )
    by_product = products_raw is not None
    if by_product:
        return parse_ids(products_raw, "product_ids"), True
    return parse_ids(merchants_raw, "merchant_ids"), False


def public_badges(request):
    if request.method not in ("GET", "HEAD"):
        return error_response(MethodNotAllowed(f'Method "{request.method}" not allowed.'))
    try:
        ids, by_product = _ids_asked(request)
    except ApplicationError as exc:
        return error_response(exc)
    # Set by the fast-path middleware from Accept-Language (as LocaleMiddleware would).
    lang = (
        "zh"
        if (getattr(request, "LANGUAGE_CODE", None) or translation.get_language() or "zh")[:2] == "zh"
        else "en"
    )

    # Freshness and the throttle: no Redis round trip while the change listener is live, else one.
    limit, window = public_rate()
    s = store()
    try:
        throttle_key = window_key(request, window) if limit else None
        if listener_live(s):
            gen = current_gen()  # the listener keeps this process's cache fresh
            count = throttle_count(s, throttle_key, limit, window) if limit else 0
        else:
            gen, count = s.hot(throttle_key, window)
        if limit and count > limit:
            return error_response(Throttled("Request was throttled."), **{"Retry-After": str(window)})
    except StoreDown:
        s = gen = None  # Redis is down: the database answers, unthrottled.

    cached = render_cached(ids, lang, gen=gen) if by_product and s is not None else None
    if cached is None:
        try:
            cached = render_any(ids, lang, by_product=by_product, gen=gen, s=s)
        except StoreDown:
            cached = render_any(ids, lang, by_product=by_product, gen=None, s=None)
    body = body_for(lang, "product_ids" if by_product else "merchant_ids", *cached)
    etag = etag_for(body)
    headers = {"ETag": etag, "Cache-Control": "public, no-cache"}
    if etag in request.META.get("HTTP_IF_NONE_MATCH", ""):
        return HttpResponse(status=304, headers=headers)
    return HttpResponse(body, content_type="application/json", headers=headers)
