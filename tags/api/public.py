"""Public badge API (SPEC §10): anonymous, read-only, rate-limited, cached, signed.

`GET /api/v1/public/badges` is answered by the fast path in `tags.public` (middleware → http →
freshness; docs/adr/0004): `PublicBadgesView` here only documents it for drf-spectacular and hands
a request that reaches it anyway to the same function. `/badges/verify` is an ordinary DRF view.
Both count in the one public throttle (`tags.public.throttle`).
"""

import json

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.throttling import ResilientRateThrottle
from core.errors import ApplicationError

from .. import public
from ..public.http import public_badges


class PublicRateThrottle(ResilientRateThrottle):
    """The public throttle for DRF views: scope "public", the same counter as the badge fast path
    (`tags:thr:<client address>:<window>`)."""

    scope = "public"

    def get_rate(self):
        return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(self.scope)

    def get_cache_key(self, request, view):
        return public.client_key(request)


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
