"""Merchant and staff endpoints of the tags app. Each view translates input, calls one service or selector."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.roles import INTEGRATION, STAFF_OPS, STAFF_REVIEWER, HasRole, IsPlatformStaff
from merchants.access import IsMerchantMember

from .. import selectors, services
from ..models import BadgeHolding, BrandWarrantyService, TagApplication, TagHolding
from ..services.applications import application_update_config
from . import serializers as s


class ApplicationFilter(filters.FilterSet):
    state = filters.ChoiceFilter(choices=TagApplication.State.choices)
    tag = filters.CharFilter(field_name="tag__code")
    category = filters.CharFilter(field_name="category__code")

    class Meta:
        model = TagApplication
        fields = ["state", "tag", "category"]


class HoldingFilter(filters.FilterSet):
    state = filters.ChoiceFilter(choices=TagHolding.State.choices)
    category = filters.CharFilter(field_name="category__code")

    class Meta:
        model = TagHolding
        fields = ["state", "category"]


class WarrantyFilter(filters.FilterSet):
    state = filters.ChoiceFilter(choices=BrandWarrantyService.State.choices)

    class Meta:
        model = BrandWarrantyService
        fields = ["state"]


@extend_schema(
    tags=["tags"], summary="The tag catalog and the category badges", responses=s.CatalogSerializer
)
class CatalogView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response(
            s.CatalogSerializer(
                {"tags": selectors.tag_catalog(), "badges": selectors.badge_catalog()},
                context={"request": request},
            ).data
        )


class MyApplicationsView(generics.ListCreateAPIView):
    permission_classes = [IsMerchantMember]
    serializer_class = s.ApplicationSerializer
    filterset_class = ApplicationFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TagApplication.objects.none()
        return selectors.applications_for(merchant=self.request.merchant)

    @extend_schema(tags=["tags"], summary="My tag applications")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["tags"],
        summary="Create an application (a draft; `submit: true` submits it at once)",
        request=s.ApplicationCreateSerializer,
        responses={201: s.ApplicationSerializer},
    )
    def post(self, request, *args, **kwargs):
        data = s.ApplicationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        application = services.application_create(
            merchant=request.merchant,
            category=d["category"],
            tag=d["tag"],
            config=d["config"],
            actor=request.user,
        )
        if d["submit"]:
            services.application_submit(
                application_id=application.pk, merchant=request.merchant, actor=request.user
            )
        fresh = selectors.application_get(application_id=application.pk, merchant=request.merchant)
        return Response(s.ApplicationSerializer(fresh).data, status=status.HTTP_201_CREATED)


class _MyApplicationAction(APIView):
    permission_classes = [IsMerchantMember]

    def _answer(self, request, application_id):
        fresh = selectors.application_get(application_id=application_id, merchant=request.merchant)
        return Response(s.ApplicationSerializer(fresh).data)


class MyApplicationDetailView(_MyApplicationAction):
    @extend_schema(
        tags=["tags"],
        summary="One of my applications, with each check's result",
        responses=s.ApplicationSerializer,
    )
    def get(self, request, application_id: int):
        return self._answer(request, application_id)

    @extend_schema(
        tags=["tags"],
        summary="Change a draft's configuration",
        request=s.ConfigSerializer,
        responses=s.ApplicationSerializer,
    )
    def patch(self, request, application_id: int):
        data = s.ConfigSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        config = data.validated_data["config"]
        application_update_config(
            application_id=application_id, merchant=request.merchant, config=config, actor=request.user
        )
        return self._answer(request, application_id)


class MyApplicationSubmitView(_MyApplicationAction):
    @extend_schema(
        tags=["tags"],
        summary="Submit: run every check and store each result",
        request=None,
        responses=s.ApplicationSerializer,
    )
    def post(self, request, application_id: int):
        services.application_submit(
            application_id=application_id, merchant=request.merchant, actor=request.user
        )
        return self._answer(request, application_id)


class MyApplicationSignView(_MyApplicationAction):
    @extend_schema(
        tags=["tags"],
        summary="Sign the tag's agreement (merchant owner); activates the tag or sends it to staff review",
        request=s.SignSerializer,
        responses=s.ApplicationSerializer,
    )
    def post(self, request, application_id: int):
        data = s.SignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.application_sign(
            application_id=application_id, merchant=request.merchant, actor=request.user,
            signer_name=data.validated_data["signer_name"], accept=data.validated_data["accept"],
            ip_address=request.META.get("REMOTE_ADDR"),
        )  # fmt: skip
        return self._answer(request, application_id)


@extend_schema(tags=["tags"], summary="My tag holdings with their history")
class MyHoldingsView(generics.ListAPIView):
    permission_classes = [IsMerchantMember]
    serializer_class = s.HoldingSerializer
    filterset_class = HoldingFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TagHolding.objects.none()
        return selectors.holdings_for(merchant=self.request.merchant)


class MyHoldingWithdrawView(APIView):
    permission_classes = [IsMerchantMember]

    @extend_schema(
        tags=["tags"],
        summary="Withdraw an active tag (ends future commitments only)",
        request=s.HoldingWithdrawSerializer,
        responses=s.HoldingSerializer,
    )
    def post(self, request, holding_id: int):
        holding = selectors.holding_get(holding_id=holding_id, merchant=request.merchant)
        data = s.HoldingWithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.holding_withdraw(
            holding_id=holding.pk, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(
            s.HoldingSerializer(selectors.holding_get(holding_id=holding.pk, merchant=request.merchant)).data
        )


@extend_schema(tags=["tags"], summary="My category badges with their history")
class MyBadgesView(generics.ListAPIView):
    permission_classes = [IsMerchantMember]
    serializer_class = s.BadgeHoldingSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return BadgeHolding.objects.none()
        return selectors.badges_for(merchant=self.request.merchant)


@extend_schema(
    tags=["tags"], summary="Approved brand warranty services (to choose in a nationwide_warranty application)"
)
class ApprovedWarrantyServicesView(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = s.WarrantyServiceSerializer

    def get_queryset(self):
        return selectors.warranty_services(approved_only=True)


# --- staff ----------------------------------------------------------------------------------------


@extend_schema(tags=["staff"], summary="Tag applications (the review queue is state=under_review)")
class StaffApplicationsView(generics.ListAPIView):
    permission_classes = [IsPlatformStaff]
    serializer_class = s.ApplicationSerializer
    filterset_class = ApplicationFilter

    def get_queryset(self):
        return selectors.applications_for().order_by("submitted_at", "id")


class StaffApplicationApproveView(APIView):
    permission_classes = [HasRole.of(STAFF_REVIEWER)]

    @extend_schema(
        tags=["staff"],
        summary="Approve an application under review (staff_reviewer)",
        request=s.ApproveSerializer,
        responses=s.ApplicationSerializer,
    )
    def post(self, request, application_id: int):
        data = s.ApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.application_approve(
            application_id=application_id, actor=request.user, note=data.validated_data["note"]
        )
        return Response(
            s.ApplicationSerializer(selectors.application_get(application_id=application_id)).data
        )


class StaffApplicationRejectView(APIView):
    permission_classes = [HasRole.of(STAFF_REVIEWER)]

    @extend_schema(
        tags=["staff"],
        summary="Reject an application under review, with a reason (staff_reviewer)",
        request=s.ReasonSerializer,
        responses=s.ApplicationSerializer,
    )
    def post(self, request, application_id: int):
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.application_reject(
            application_id=application_id, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(
            s.ApplicationSerializer(selectors.application_get(application_id=application_id)).data
        )


class StaffHoldingRevokeView(APIView):
    permission_classes = [HasRole.of(STAFF_OPS)]

    @extend_schema(
        tags=["staff"],
        summary="Revoke a tag (rectification month follows; staff_ops)",
        request=s.ReasonSerializer,
        responses=s.HoldingSerializer,
    )
    def post(self, request, holding_id: int):
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        holding = services.holding_revoke(
            holding_id=holding_id, reason=data.validated_data["reason"], actor=request.user
        )
        return Response(
            s.HoldingSerializer(selectors.holding_get(holding_id=holding.pk, merchant=holding.merchant)).data
        )


class StaffHoldingRestoreView(APIView):
    permission_classes = [HasRole.of(STAFF_OPS)]

    @extend_schema(
        tags=["staff"],
        summary="Restore a tag in rectification (staff_ops)",
        request=s.ReasonSerializer,
        responses=s.HoldingSerializer,
    )
    def post(self, request, holding_id: int):
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        holding = services.holding_restore(
            holding_id=holding_id, reason=data.validated_data["reason"], actor=request.user
        )
        return Response(
            s.HoldingSerializer(selectors.holding_get(holding_id=holding.pk, merchant=holding.merchant)).data
        )


class StaffWarrantyServicesView(generics.ListCreateAPIView):
    serializer_class = s.WarrantyServiceSerializer
    filterset_class = WarrantyFilter

    def get_permissions(self):
        if self.request.method == "POST":
            return [HasRole.of(STAFF_OPS, STAFF_REVIEWER, INTEGRATION)()]
        return [IsPlatformStaff()]

    def get_queryset(self):
        return selectors.warranty_services()

    @extend_schema(tags=["staff"], summary="Brand warranty services")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["staff"],
        summary="Publish a brand warranty service for review (staff, or the brand through the integration token)",
        request=s.WarrantyServiceCreateSerializer,
        responses={201: s.WarrantyServiceSerializer},
    )
    def post(self, request, *args, **kwargs):
        data = s.WarrantyServiceCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service = services.warranty_service_create(actor=request.user, **data.validated_data)
        return Response(
            s.WarrantyServiceSerializer(selectors.warranty_service_get(service.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class StaffWarrantyApproveView(APIView):
    permission_classes = [HasRole.of(STAFF_REVIEWER)]

    @extend_schema(
        tags=["staff"],
        summary="Approve a brand warranty service (outlet rules checked)",
        request=None,
        responses=s.WarrantyServiceSerializer,
    )
    def post(self, request, service_id: int):
        services.warranty_service_approve(service_id=service_id, actor=request.user)
        return Response(s.WarrantyServiceSerializer(selectors.warranty_service_get(service_id)).data)


class StaffWarrantyRejectView(APIView):
    permission_classes = [HasRole.of(STAFF_REVIEWER)]

    @extend_schema(
        tags=["staff"],
        summary="Reject a brand warranty service with a reason",
        request=s.ReasonSerializer,
        responses=s.WarrantyServiceSerializer,
    )
    def post(self, request, service_id: int):
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.warranty_service_reject(
            service_id=service_id, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(s.WarrantyServiceSerializer(selectors.warranty_service_get(service_id)).data)
