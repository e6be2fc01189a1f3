"""Experience score API: the merchant's latest day (with history on request) and the staff list and
one merchant's score. Answers read stored rows only."""

from datetime import date

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.schema import ErrorSerializer
from core.errors import ApplicationError
from core.roles import IsPlatformStaff
from merchants.access import IsMerchantMember
from merchants.models import Merchant

from .. import selectors
from ..definitions import INDICATORS, PARTS
from ..models import MerchantScore

MAX_HISTORY_DAYS = 400


class PeerSerializer(serializers.Serializer):
    percentile = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, help_text="better than X %"
    )
    decile = serializers.IntegerField(allow_null=True, help_text="1 (lowest tenth) … 10")
    mean = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    p90 = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True, help_text="excellent")
    count = serializers.IntegerField(allow_null=True, help_text="peers; the figures are null under 10")


class IndicatorSerializer(serializers.Serializer):
    numerator = serializers.DecimalField(max_digits=20, decimal_places=4)
    denominator = serializers.DecimalField(max_digits=20, decimal_places=4)
    value = serializers.DecimalField(
        max_digits=12,
        decimal_places=4,
        allow_null=True,
        help_text="rates in %, rating in stars, durations in hours",
    )
    score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    status = serializers.ChoiceField(choices=["ok", "insufficient"])
    peer = PeerSerializer()


class PartSerializer(serializers.Serializer):
    score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    peer = PeerSerializer()
    indicators = serializers.DictField(child=IndicatorSerializer(), help_text="keyed by indicator code")


class DaySerializer(serializers.Serializer):
    date = serializers.DateField()
    total = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True, help_text="0–100")
    total_display = serializers.CharField(allow_null=True, help_text="x.x of 5.0")
    warning = serializers.BooleanField()
    change_7d = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    orders = serializers.IntegerField()
    category = serializers.CharField(help_text="main category code")
    product = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    dispatch = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    logistics = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    basic_service = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)


class StaffDaySerializer(DaySerializer):
    merchant_id = serializers.IntegerField()
    shop_code = serializers.CharField()


class ScoreSerializer(serializers.Serializer):
    date = serializers.DateField()
    total = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True, help_text="0–100")
    total_display = serializers.CharField(allow_null=True, help_text="x.x of 5.0")
    warning = serializers.BooleanField()
    change_7d = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    orders = serializers.IntegerField()
    category = serializers.CharField()
    peer = PeerSerializer()
    parts = serializers.DictField(
        child=PartSerializer(), help_text="product | dispatch | logistics | basic_service"
    )
    history = DaySerializer(many=True, required=False, help_text="with ?from=&to=: one row per day")


def _peer(f) -> dict:
    if f is None:
        return {"percentile": None, "decile": None, "mean": None, "p90": None, "count": None}
    return {
        "percentile": f.peer_percentile, "decile": f.peer_decile, "mean": f.peer_mean, "p90": f.peer_p90,
        "count": f.peer_count,
    }  # fmt: skip


def _day(row: MerchantScore) -> dict:
    return {
        "date": row.day, "total": row.total, "total_display": row.total_display, "warning": row.warning,
        "change_7d": row.change_7d, "orders": row.orders, "category": row.category.code,
        **{p: getattr(row, p) for p in PARTS},
    }  # fmt: skip


def score_payload(row: MerchantScore) -> dict:
    figures = {f.code: f for f in row.figures.all()}
    parts = {}
    for part in PARTS:
        indicators = {}
        for ind in INDICATORS:
            if ind.part != part or ind.code not in figures:
                continue
            f = figures[ind.code]
            indicators[ind.code] = {
                "numerator": f.numerator, "denominator": f.denominator, "value": f.value, "score": f.score,
                "status": f.status, "peer": _peer(f),
            }  # fmt: skip
        parts[part] = {
            "score": getattr(row, part),
            "peer": _peer(figures.get(part)),
            "indicators": indicators,
        }
    day = _day(row)
    day.pop("product"), day.pop("dispatch"), day.pop("logistics"), day.pop("basic_service")
    return {**day, "peer": _peer(figures.get("total")), "parts": parts}


def _date_param(request, name: str) -> date | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ApplicationError("Invalid date.", fields={name: ["a date YYYY-MM-DD"]}) from None


def _answer(request, merchant_id: int):
    row = selectors.merchant_score(merchant_id=merchant_id)
    if row is None:
        raise Http404("No score yet.")
    payload = score_payload(row)
    since, until = _date_param(request, "from"), _date_param(request, "to")
    if since or until:
        until = until or row.day
        since = since or until
        if since > until:
            raise ApplicationError("from is after to.", fields={"from": ["must not be after to"]})
        if (until - since).days > MAX_HISTORY_DAYS:
            raise ApplicationError("Range too long.", fields={"from": [f"at most {MAX_HISTORY_DAYS} days"]})
        history = selectors.merchant_history(
            merchant_id=merchant_id, since=since, until=until
        ).select_related("category")
        payload["history"] = [_day(r) for r in history]
    return Response(ScoreSerializer(payload).data)


HISTORY_PARAMS = [
    OpenApiParameter("from", str, description="history from this day (YYYY-MM-DD)"),
    OpenApiParameter("to", str, description="history up to this day (default: the latest)"),
]


class MyScoreView(APIView):
    permission_classes = [IsMerchantMember]

    @extend_schema(
        tags=["merchant"],
        summary="My experience score (latest day; with from/to also the daily history)",
        parameters=HISTORY_PARAMS,
        responses={200: ScoreSerializer, 404: OpenApiResponse(ErrorSerializer, description="No score yet")},
    )
    def get(self, request):
        return _answer(request, request.merchant.pk)


class StaffMerchantScoreView(APIView):
    permission_classes = [IsPlatformStaff]

    @extend_schema(
        tags=["staff"],
        summary="One merchant's experience score (latest day; with from/to also the daily history)",
        parameters=HISTORY_PARAMS,
        responses={
            200: ScoreSerializer,
            404: OpenApiResponse(ErrorSerializer, description="No such merchant, or no score yet"),
        },
    )
    def get(self, request, merchant_id: int):
        if not Merchant.objects.filter(pk=merchant_id).exists():
            raise Http404("No such merchant.")
        return _answer(request, merchant_id)


class StaffScoreListSerializer(serializers.ModelSerializer):
    date = serializers.DateField(source="day")
    shop_code = serializers.CharField(source="merchant.shop_code")
    category = serializers.CharField(source="category.code")
    total_display = serializers.CharField(allow_null=True)

    class Meta:
        model = MerchantScore
        fields = [
            "merchant_id", "shop_code", "date", "total", "total_display", "warning", "change_7d", "orders",
            "category", *PARTS,
        ]  # fmt: skip


@extend_schema(
    tags=["staff"],
    summary="Experience scores of the latest day, filterable and sortable",
    parameters=[
        OpenApiParameter("category", str, description="category code"),
        OpenApiParameter("warning", bool),
        OpenApiParameter("ordering", str, enum=list(selectors.ORDERINGS)),
    ],
)
class StaffScoreListView(generics.ListAPIView):
    permission_classes = [IsPlatformStaff]
    serializer_class = StaffScoreListSerializer

    def get_queryset(self):
        day = selectors.latest_day()
        if getattr(self, "swagger_fake_view", False) or day is None:
            return MerchantScore.objects.none()
        params = self.request.query_params
        ordering = params.get("ordering", "-total")
        if ordering not in selectors.ORDERINGS:
            raise ApplicationError("Unknown ordering.", fields={"ordering": sorted(selectors.ORDERINGS)})
        warning = params.get("warning")
        if warning not in (None, "", "true", "false", "1", "0"):
            raise ApplicationError("Invalid warning.", fields={"warning": ["true or false"]})
        qs = selectors.score_list(
            day=day, warning=None if warning in (None, "") else warning in ("true", "1"), ordering=ordering
        )
        if params.get("category"):
            qs = qs.filter(category__code=params["category"])
        return qs


__all__ = ["MyScoreView", "StaffMerchantScoreView", "StaffScoreListView"]
