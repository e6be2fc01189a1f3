"""Integration, merchant and staff endpoints of the commitments app."""

from datetime import UTC

from django.core.exceptions import ValidationError
from django.db.models import Q
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.parsers import SafeJSONParser
from core.errors import ApplicationError, NotFound
from core.roles import STAFF_ADJUDICATOR, STAFF_OPS, HasRole, IsIntegration, IsPlatformStaff
from merchants.access import IsMerchantMember
from tags.models import Tag

from .. import selectors, services
from ..models import Breach, BreachAppeal, Commitment, Voucher
from . import ingest
from . import serializers as s


def _validated_items(serializer_class, request) -> list:
    """The batch's items, each validated data or an ItemRejected (400 when the body is no batch)."""
    batch = serializer_class(data=request.data)
    batch.is_valid(raise_exception=True)
    return batch.validated_data["items"]


def _batch_response(result) -> Response:
    return Response(
        {
            **result.counts(),
            "items": [
                {
                    "index": i.index,
                    "external_id": i.external_id,
                    "status": i.status,
                    "reason": i.reason,
                    "id": i.id,
                }
                for i in result.items
            ],
        }
    )


class IntegrationOrdersView(APIView):
    permission_classes = [IsIntegration]
    parser_classes = [SafeJSONParser]

    @extend_schema(
        tags=["integration"],
        summary="Push paid orders (≤ 1,000 per batch, idempotent by external_id)",
        request=ingest.OrderBatchSerializer,
        responses={200: s.BatchResultSerializer},
    )
    def post(self, request):
        items = _validated_items(ingest.OrderBatchSerializer, request)
        return _batch_response(services.orders_ingest(items=items, actor=request.user))


class IntegrationEventsView(APIView):
    permission_classes = [IsIntegration]
    parser_classes = [SafeJSONParser]

    @extend_schema(
        tags=["integration"],
        summary="Push fulfilment events (≤ 1,000 per batch, idempotent by external_id, any order)",
        request=ingest.EventBatchSerializer,
        responses={200: s.BatchResultSerializer},
    )
    def post(self, request):
        items = _validated_items(ingest.EventBatchSerializer, request)
        return _batch_response(services.events_ingest(items=items, actor=request.user))


class IntegrationVouchersView(APIView):
    permission_classes = [IsIntegration]

    @extend_schema(
        tags=["integration"],
        summary="Issued vouchers after a cursor (keyset on id, oldest first)",
        parameters=[
            OpenApiParameter("after", int, description="the last id you have; 0 to start"),
            OpenApiParameter("limit", int, description="at most 1000 (default 500)"),
        ],
        responses={200: s.VoucherPageSerializer},
    )
    def get(self, request):
        try:
            after = int(request.query_params.get("after") or 0)
            limit = min(max(int(request.query_params.get("limit") or 500), 1), 1000)
        except ValueError:
            raise ApplicationError(
                "after and limit must be integers", fields={"after": ["integer"]}
            ) from None
        rows = list(selectors.vouchers_after(after=after, limit=limit))
        return Response(
            {
                "results": s.VoucherSerializer(rows, many=True).data,
                "next_after": rows[-1].pk if len(rows) == limit else None,
            }
        )


class IntegrationVoucherRedeemView(APIView):
    permission_classes = [IsIntegration]
    parser_classes = [SafeJSONParser, FormParser, MultiPartParser]

    @extend_schema(
        tags=["integration"],
        summary="Record a voucher's redemption (idempotent)",
        request=s.RedeemSerializer,
        responses={200: s.RedeemResultSerializer},
    )
    def post(self, request, code: str):
        serializer = s.RedeemSerializer(data=request.data or {})
        serializer.is_valid(raise_exception=True)
        voucher, changed = services.voucher_redeem(
            code=code, redeemed_at=serializer.validated_data.get("redeemed_at"), actor=request.user
        )
        return Response({"voucher": s.VoucherSerializer(voucher).data, "already_redeemed": not changed})


# --- merchant ----------------------------------------------------------------------------------


class _UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO date-time that converts to UTC (the database's zone); 400 instead of an OverflowError."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is not None:
            try:
                value.astimezone(UTC)
            except OverflowError:
                raise ValidationError("date-time out of range", code="invalid") from None
        return value


class UtcIsoDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = _UtcIsoDateTimeField


class CommitmentFilter(filters.FilterSet):
    tag = filters.CharFilter(field_name="tag__code")
    state = filters.ChoiceFilter(choices=Commitment.State.choices)
    paid_after = UtcIsoDateTimeFilter(field_name="order__paid_at", lookup_expr="gte")
    paid_before = UtcIsoDateTimeFilter(field_name="order__paid_at", lookup_expr="lt")
    order = filters.CharFilter(field_name="order__external_id")

    class Meta:
        model = Commitment
        fields = ["tag", "state", "paid_after", "paid_before", "order"]


class BreachFilter(filters.FilterSet):
    tag = filters.CharFilter(field_name="commitment__tag__code")
    detected_after = UtcIsoDateTimeFilter(field_name="detected_at", lookup_expr="gte")
    detected_before = UtcIsoDateTimeFilter(field_name="detected_at", lookup_expr="lt")
    order = filters.CharFilter(field_name="commitment__order__external_id")

    class Meta:
        model = Breach
        fields = ["tag", "detected_after", "detected_before", "order"]


class VoucherFilter(filters.FilterSet):
    state = filters.ChoiceFilter(choices=Voucher.State.choices)

    class Meta:
        model = Voucher
        fields = ["state"]


@extend_schema(tags=["merchant"], summary="My commitments (order × tag promises)")
class MyCommitmentsView(generics.ListAPIView):
    permission_classes = [IsMerchantMember]
    serializer_class = s.CommitmentSerializer
    filterset_class = CommitmentFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Commitment.objects.none()
        return selectors.commitment_list(merchant=self.request.merchant)


@extend_schema(tags=["merchant"], summary="My breaches")
class MyBreachesView(generics.ListAPIView):
    permission_classes = [IsMerchantMember]
    serializer_class = s.BreachSerializer
    filterset_class = BreachFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Breach.objects.none()
        return selectors.breach_list(merchant=self.request.merchant)


@extend_schema(tags=["merchant"], summary="One of my breaches, with its timeline")
class MyBreachDetailView(generics.GenericAPIView):
    permission_classes = [IsMerchantMember]
    serializer_class = s.BreachDetailSerializer

    def get(self, request, breach_id: int):
        breach = selectors.breach_get(breach_id=breach_id, merchant=request.merchant)
        if breach is None:
            raise NotFound("no such breach")
        return Response(self.get_serializer(breach).data)


class MyBreachAppealView(APIView):
    permission_classes = [IsMerchantMember]
    parser_classes = [MultiPartParser, FormParser, SafeJSONParser]

    @extend_schema(
        tags=["merchant"],
        summary="Appeal a breach before its appeal_until (text + evidence files: JPEG, PNG or PDF)",
        description=(
            "The window is CommitmentSettings.appeal_days after detection (7 by default, staff-editable); "
            "the breach detail gives `appeal_until`. Past it: 409."
        ),
        request={"multipart/form-data": s.BreachAppealCreateSerializer},
        responses={201: s.BreachAppealSerializer},
    )
    def post(self, request, breach_id: int):
        if not hasattr(request.data, "get"):
            raise ApplicationError("send an object with text", fields={"text": ["required"]})
        text = request.data.get("text", "")
        files = request.FILES.getlist("evidence") if hasattr(request, "FILES") else []
        appeal = services.breach_appeal_submit(
            breach_id=breach_id, merchant=request.merchant, text=text, files=files, actor=request.user
        )
        return Response(s.BreachAppealSerializer(appeal).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["merchant"], summary="Vouchers my shop paid")
class MyVouchersView(generics.ListAPIView):
    permission_classes = [IsMerchantMember]
    serializer_class = s.VoucherSerializer
    filterset_class = VoucherFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Voucher.objects.none()
        return selectors.voucher_list(merchant=self.request.merchant)


# --- staff -------------------------------------------------------------------------------------


@extend_schema(tags=["staff"], summary="Breaches (search by order number)")
class StaffBreachesView(generics.ListAPIView):
    permission_classes = [IsPlatformStaff]
    serializer_class = s.BreachSerializer
    filterset_class = BreachFilter

    def get_queryset(self):
        return selectors.breach_list()


class AppealFilter(filters.FilterSet):
    state = filters.ChoiceFilter(choices=BreachAppeal.State.choices)

    class Meta:
        model = BreachAppeal
        fields = ["state"]


@extend_schema(tags=["staff"], summary="Breach appeals, oldest first")
class StaffAppealsView(generics.ListAPIView):
    permission_classes = [IsPlatformStaff]
    serializer_class = s.BreachAppealSerializer
    filterset_class = AppealFilter

    def get_queryset(self):
        return selectors.appeal_queue(state="")


class StaffAppealDecideView(APIView):
    permission_classes = [HasRole.of(STAFF_ADJUDICATOR, STAFF_OPS)]
    parser_classes = [SafeJSONParser, FormParser, MultiPartParser]

    @extend_schema(
        tags=["staff"],
        summary="Decide an appeal (upheld: recovery reversed, breach out of metrics; voucher kept)",
        request=s.BreachAppealDecideSerializer,
        responses={200: s.BreachAppealSerializer},
    )
    def post(self, request, appeal_id: int):
        serializer = s.BreachAppealDecideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appeal = services.breach_appeal_decide(
            appeal_id=appeal_id,
            uphold=serializer.validated_data["uphold"],
            note=serializer.validated_data.get("note", ""),
            actor=request.user,
        )
        return Response(s.BreachAppealSerializer(appeal).data)


class StaffForceMajeureView(generics.ListAPIView):
    serializer_class = s.ForceMajeureSerializer
    parser_classes = [SafeJSONParser, FormParser, MultiPartParser]

    def get_permissions(self):
        if self.request.method == "POST":
            return [HasRole.of(STAFF_OPS)()]
        return [IsPlatformStaff()]

    def get_queryset(self):
        return selectors.force_majeure_list()

    @extend_schema(tags=["staff"], summary="Force-majeure declarations")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["staff"],
        summary="Declare force majeure (staff_ops): exempts matching commitments",
        request=s.ForceMajeureCreateSerializer,
        responses={201: s.ForceMajeureSerializer},
    )
    def post(self, request):
        serializer = s.ForceMajeureCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        codes = set(data["tags"])
        tags = dict(Tag.objects.filter(Q(code__in=codes)).values_list("code", "pk"))
        unknown = sorted(codes - set(tags))
        if unknown:
            raise ApplicationError("unknown tags", fields={"tags": unknown})
        declaration = services.force_majeure_declare(
            provinces=data["provinces"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            tag_ids=list(tags.values()),
            reason=data["reason"],
            actor=request.user,
        )
        declaration = selectors.force_majeure_list().get(pk=declaration.pk)
        return Response(s.ForceMajeureSerializer(declaration).data, status=status.HTTP_201_CREATED)
