"""Public badge API (SPEC §10): anonymous, read-only, rate-limited, cached, signed.

`GET /api/v1/public/badges` is the hot path of the search and product pages. It is a plain Django
view (no DRF request/response cycle, no per-request database work when the cache is warm: see
tags/public.py) wrapped so that drf-spectacular documents it like any APIView. Rate limiting uses
the DRF throttle scope "public" (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["public"]) as a fixed
window per client address, counted in the same Redis round trip that reads the cache generation.
"""

import json
import re
import time
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.throttling import ResilientRateThrottle
from core.errors import ApplicationError
from core.net import client_ip

from .. import public

MAX_IDS = 100


class PublicRateThrottle(ResilientRateThrottle):
    """DRF throttle for the public endpoints (scope "public"), keyed by client address."""

    scope = "public"

    def get_rate(self):
        return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(self.scope)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


@lru_cache(maxsize=8)
def _parse_rate(rate: str | None) -> tuple[int | None, int]:
    if not rate:
        return None, 60
    num, period = PublicRateThrottle.parse_rate(None, rate)
    return num, period


def _error(status: int, code: str, message: str, fields: dict | None = None) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "fields": fields or {}}, status=status)


_IDS = re.compile(r"\s*\d{1,18}\s*(?:,\s*\d{1,18}\s*)*\Z")


def _parse_ids(raw: str, name: str) -> tuple[list[int] | None, JsonResponse | None]:
    if not _IDS.match(raw):
        return None, _error(
            400, "invalid", f"{name} must be a comma-separated list of positive integers",
            {name: ["a comma-separated list of positive integers, e.g. 1,2,3"]},
        )  # fmt: skip
    ids = list(dict.fromkeys(map(int, raw.split(","))))
    if len(ids) > MAX_IDS:
        return None, _error(
            400, "too_many_ids", f"at most {MAX_IDS} ids per request", {name: [f"at most {MAX_IDS}"]}
        )
    if 0 in ids:
        return None, _error(400, "invalid", f"{name} must be positive", {name: ["ids must be positive"]})
    return ids, None


def _client_ident(request) -> str:
    return client_ip(request)


_ID_PARAMS = ("product_ids", "merchant_ids")


class _BadQuery(Exception):
    def __init__(self, response: JsonResponse):
        self.response = response


def _repeated(key: str) -> _BadQuery:
    return _BadQuery(
        _error(
            400, "invalid", f"pass {key} once, as one comma-separated list", {key: ["given more than once"]}
        )
    )


def _query(request) -> dict[str, str]:
    """The query string as a plain dict; the simple case (no escapes) skips QueryDict parsing.

    Raises _BadQuery (a 400 in our error shape) for a repeated id parameter or more parameters than
    Django parses (DATA_UPLOAD_MAX_NUMBER_FIELDS).
    """
    raw = request.META.get("QUERY_STRING", "")
    if "%" in raw or "+" in raw:
        try:
            lists = dict(request.GET.lists())
        except SuspiciousOperation as exc:  # TooManyFieldsSent
            raise _BadQuery(_error(400, "invalid", "the query string has too many parameters")) from exc
        for key in _ID_PARAMS:
            if len(lists.get(key, ())) > 1:
                raise _repeated(key)
        return {key: values[0] for key, values in lists.items() if values}
    out: dict[str, str] = {}
    for pair in raw.split("&"):
        if pair:
            key, _, value = pair.partition("=")
            if key in out:
                if key in _ID_PARAMS:
                    raise _repeated(key)
                continue
            out[key] = value
    return out


def public_badges(request):
    if request.method not in ("GET", "HEAD"):
        return _error(405, "method_not_allowed", f'Method "{request.method}" not allowed.')
    try:
        query = _query(request)
    except _BadQuery as bad:
        return bad.response
    products_raw, merchants_raw = query.get("product_ids"), query.get("merchant_ids")
    if (products_raw is None) == (merchants_raw is None):
        return _error(
            400, "invalid", "pass exactly one of product_ids or merchant_ids",
            {"product_ids": ["product_ids or merchant_ids is required (not both)"]},
        )  # fmt: skip
    by_product = products_raw is not None
    name = "product_ids" if by_product else "merchant_ids"
    ids, err = _parse_ids(products_raw if by_product else merchants_raw, name)
    if err is not None:
        return err
    # Set by LocaleMiddleware from Accept-Language (which also adds Vary and Content-Language).
    lang = (
        "zh"
        if (getattr(request, "LANGUAGE_CODE", None) or translation.get_language() or "zh")[:2] == "zh"
        else "en"
    )

    # Freshness and rate limit: no Redis round trip while the change listener is live, else one.
    limit, window = _parse_rate(settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get("public"))
    s = public.store()
    try:
        # A fixed window: the key names the window, so a busy client's counter still starts over.
        throttle_key = f"tags:thr:{_client_ident(request)}:{int(time.time()) // window}" if limit else None
        if public.listener_live(s):
            gen = public.current_gen()  # the listener keeps this process's cache fresh
            count = public.throttle_count(s, throttle_key, limit, window) if limit else 0
        else:
            gen, count = s.hot(throttle_key, window)
        if limit and count > limit:
            resp = _error(429, "throttled", "Request was throttled.")
            resp["Retry-After"] = str(window)
            return resp
    except public.StoreDown:
        s = gen = None  # Redis is down: the database answers, unthrottled.

    cached = public.render_cached(ids, lang, gen=gen) if by_product and s is not None else None
    if cached is not None:
        results, unknown = cached
    else:
        try:
            where, blobs = public.resolve(ids, by_product=by_product, gen=gen, s=s)
        except public.StoreDown:
            where, blobs = public.resolve(ids, by_product=by_product, gen=None, s=None)
        results, unknown = [], []
        append = results.append
        sep = b"{"
        for i in ids:
            hit = where.get(i)
            entry = blobs.get(hit[0]) if hit else None
            if entry is None:
                unknown.append(i)
                continue
            if by_product:
                append(b'%s"product_id":%d,' % (sep, i))
            else:
                append(sep)
            append(entry[lang].get(hit[1] or "*") or public.fragment_for(entry, lang, hit[1]))
            sep = b",{"
    parts = [b'{"language":"', lang.encode(), b'","results":[', *results]
    parts.append(b'],"unknown_%s":[%s]}' % (name.encode(), ",".join(map(str, unknown)).encode()))
    body = b"".join(parts)
    etag = public.etag_for(body)
    headers = {"ETag": etag, "Cache-Control": "public, no-cache"}
    if etag in request.META.get("HTTP_IF_NONE_MATCH", ""):
        return HttpResponse(status=304, headers=headers)
    return HttpResponse(body, content_type="application/json", headers=headers)


_tag = inline_serializer(
    "PublicTag",
    {
        "code": serializers.CharField(),
        "name": serializers.CharField(help_text="In the language of Accept-Language (zh or en)."),
        "group": serializers.ChoiceField(choices=["value_added", "dispatch", "after_sales"]),
        "promise": serializers.CharField(),
        "compensation": serializers.CharField(),
    },
)
_badge = inline_serializer(
    "PublicCategoryBadge",
    {
        "code": serializers.CharField(),
        "name": serializers.CharField(),
        "title_prefix": serializers.CharField(),
        "search_boost": serializers.FloatField(),
        "campaign_eligible": serializers.BooleanField(),
    },
)
_entry = inline_serializer(
    "PublicBadgeEntry",
    {
        "product_id": serializers.IntegerField(required=False, help_text="Only when asked by product_ids."),
        "merchant_id": serializers.IntegerField(),
        "category": serializers.CharField(allow_null=True, help_text="null when asked by merchant_ids."),
        "tags": _tag.__class__(many=True),
        "badge": _badge.__class__(allow_null=True),
        "issued_at": serializers.DateTimeField(),
        "signature": serializers.CharField(
            help_text="HMAC-SHA256; check it at /api/v1/public/badges/verify."
        ),
    },
)


class PublicBadgesView(APIView):
    """Per product (or merchant): the active service tags and the category badge, for shoppers.

    Pass exactly one of `product_ids` or `merchant_ids` (at most 100). Ids that do not exist are
    listed in `unknown_product_ids` / `unknown_merchant_ids`. Each entry is signed over (merchant,
    category, tags, badge, issued_at); check it at `/api/v1/public/badges/verify`. Responses carry an
    `ETag` (send it back in `If-None-Match` for a 304) and `Cache-Control: public, no-cache`.
    """

    # Only a documentation shell: `as_view` hands requests to the plain view `public_badges`.

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicRateThrottle]

    @extend_schema(
        tags=["public"],
        summary="Tags and category badge per product or merchant (anonymous, cached, signed)",
        auth=[],
        parameters=[
            OpenApiParameter(
                "product_ids", OpenApiTypes.STR, description="Up to 100 comma-separated product ids."
            ),
            OpenApiParameter(
                "merchant_ids", OpenApiTypes.STR, description="Up to 100 comma-separated merchant ids."
            ),
            OpenApiParameter(
                "Accept-Language", OpenApiTypes.STR, OpenApiParameter.HEADER, description="zh or en"
            ),
            OpenApiParameter("If-None-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, description="ETag"),
        ],
        responses={
            200: inline_serializer(
                "PublicBadges",
                {
                    "language": serializers.ChoiceField(choices=["zh", "en"]),
                    "results": _entry.__class__(many=True),
                    "unknown_product_ids": serializers.ListField(
                        child=serializers.IntegerField(), required=False
                    ),
                    "unknown_merchant_ids": serializers.ListField(
                        child=serializers.IntegerField(), required=False
                    ),
                },
            ),
            304: OpenApiResponse(description="Not modified (If-None-Match matched the ETag)."),
            400: OpenApiResponse(
                description="Malformed list, both, neither or a repeated parameter, or more than 100 ids."
            ),
            429: OpenApiResponse(description="Rate limit of the public scope exceeded."),
        },
    )
    def get(self, request):  # pragma: no cover - never dispatched, see as_view
        return public_badges(request._request)

    @classmethod
    def as_view(cls, **initkwargs):
        def view(request, *args, **kwargs):
            return public_badges(request)

        view.cls = cls
        view.initkwargs = initkwargs
        view.csrf_exempt = True
        return view


class VerifyQuery(serializers.Serializer):
    merchant_id = serializers.IntegerField(min_value=1)
    category = serializers.CharField(required=False, allow_blank=True, default="")
    tags = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Comma-separated codes."
    )
    badge = serializers.CharField(required=False, allow_blank=True, default="")
    issued_at = serializers.CharField()
    signature = serializers.CharField()


class VerifyAnswer(serializers.Serializer):
    valid = serializers.BooleanField(help_text="The signature is ours and matches these fields.")
    current = serializers.BooleanField(help_text="The merchant holds exactly these tags and badge now.")
    message = serializers.CharField()


class PublicBadgeVerifyView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicRateThrottle]

    def handle_exception(self, exc):
        # Django refuses a query string with too many parameters (TooManyFieldsSent) while DRF
        # reads it; answer 400 in our error shape rather than Django's bare 400 (or 500 in DEBUG).
        if isinstance(exc, SuspiciousOperation):
            exc = ApplicationError("the query string has too many parameters")
        return super().handle_exception(exc)

    @extend_schema(
        tags=["public"],
        summary="Check a badge answer: is the signature genuine, and is it still current?",
        auth=[],
        parameters=[VerifyQuery],
        responses={200: VerifyAnswer},
    )
    def get(self, request):
        q = VerifyQuery(data=request.query_params)
        q.is_valid(raise_exception=True)
        d = q.validated_data
        tags = [t for t in d["tags"].split(",") if t]
        fields = {
            "merchant_id": d["merchant_id"],
            "category": d["category"] or None,
            "tags": tags,
            "badge": d["badge"] or None,
            "issued_at": d["issued_at"],
        }
        if not public.verify_signature(d["signature"], **fields):
            return Response(
                {"valid": False, "current": False, "message": "signature does not match: not genuine"}
            )
        blob = public.build_blobs([d["merchant_id"]]).get(d["merchant_id"])
        current = False
        if blob is not None:
            now = json.loads(b"{" + public.fragment_for(public.compile_blob(blob), "en", fields["category"]))
            current = sorted(t["code"] for t in now["tags"]) == sorted(tags) and (
                (now["badge"] or {}).get("code") == fields["badge"]
            )
        message = "genuine and current" if current else "genuine, but the merchant's tags have changed since"
        return Response({"valid": True, "current": current, "message": message})
