"""Repair tickets over the API: the upstream system opens them, the brand accepts and completes.

The brand authenticates with its service's key (`Authorization: Brand <key>`, issued by staff on
the warranty service's page) and sees only its own service's tickets.
"""

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.parsers import SafeJSONParser
from core.errors import NotFound
from core.roles import IsIntegration

from .. import services
from ..models import BrandRepairKey, RepairTicket

KEYWORD = b"brand"


class BrandKeyAuthentication(BaseAuthentication):
    """`Authorization: Brand <key>` → request.auth is the BrandRepairKey (its service: the brand)."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("send Authorization: Brand <key>")
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("invalid brand key") from None
        found = (
            BrandRepairKey.objects.select_related("service")
            .filter(key_hash=services.brand_key_hash(key))
            .first()
        )
        if found is None:
            raise AuthenticationFailed("invalid brand key")
        return AnonymousUser(), found

    def authenticate_header(self, request) -> str:
        return "Brand"


class BrandKeyScheme(OpenApiAuthenticationExtension):
    target_class = "commitments.api.repairs.BrandKeyAuthentication"
    name = "brandKey"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization", "description": "Brand <key>"}


class IsBrand(BasePermission):
    message = "Send your brand key: Authorization: Brand <key>."

    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, BrandRepairKey)


class RepairTicketSerializer(serializers.ModelSerializer):
    order_external_id = serializers.CharField(source="order.external_id")

    class Meta:
        model = RepairTicket
        fields = [
            "external_id", "order_external_id", "fault", "state", "sent_at", "accept_due_at", "accepted_at",
            "outlet", "complete_due_at", "completed_at", "late", "late_flagged_at",
        ]  # fmt: skip
        read_only_fields = fields


class RepairTicketCreateSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=64)
    order_external_id = serializers.CharField(max_length=64)
    fault = serializers.CharField(max_length=300)


class RepairAcceptSerializer(serializers.Serializer):
    outlet_id = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class IntegrationRepairTicketsView(APIView):
    permission_classes = [IsIntegration]
    parser_classes = [SafeJSONParser]

    @extend_schema(
        tags=["integration"],
        summary="Open a repair ticket under the order brand's integrated warranty service (idempotent)",
        request=RepairTicketCreateSerializer,
        responses={201: RepairTicketSerializer, 200: RepairTicketSerializer},
    )
    def post(self, request):
        data = RepairTicketCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ticket, created = services.repair_ticket_create(**data.validated_data, actor=request.user)
        ticket = RepairTicket.objects.select_related("order").get(pk=ticket.pk)
        return Response(
            RepairTicketSerializer(ticket).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class _BrandView(APIView):
    authentication_classes = [BrandKeyAuthentication]
    permission_classes = [IsBrand]

    def ticket(self, external_id: str) -> RepairTicket:
        ticket = RepairTicket.objects.filter(
            service=self.request.auth.service, external_id=external_id
        ).first()
        if ticket is None:
            raise NotFound("no such repair ticket")
        return ticket


class BrandRepairTicketsView(_BrandView):
    @extend_schema(
        tags=["brand"],
        summary="Your service's repair tickets, newest first",
        parameters=[OpenApiParameter("state", str, enum=RepairTicket.State.values, required=False)],
        responses={200: RepairTicketSerializer(many=True)},
    )
    def get(self, request):
        qs = RepairTicket.objects.filter(service=request.auth.service).select_related("order")
        state = request.query_params.get("state", "")
        if state in RepairTicket.State.values:
            qs = qs.filter(state=state)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(qs.order_by("-created_at", "-pk"), request, view=self)
        return paginator.get_paginated_response(RepairTicketSerializer(page, many=True).data)


class BrandRepairAcceptView(_BrandView):
    parser_classes = [SafeJSONParser, FormParser, MultiPartParser]

    @extend_schema(
        tags=["brand"],
        summary="Accept a repair ticket (within your response hours), optionally naming the outlet",
        request=RepairAcceptSerializer,
        responses={200: RepairTicketSerializer},
    )
    def post(self, request, external_id: str):
        ticket = self.ticket(external_id)
        data = RepairAcceptSerializer(data=request.data or {})
        data.is_valid(raise_exception=True)
        ticket = services.repair_ticket_accept(
            ticket_id=ticket.pk,
            service=request.auth.service,
            outlet_id=data.validated_data.get("outlet_id"),
        )
        return Response(RepairTicketSerializer(ticket).data)


class BrandRepairCompleteView(_BrandView):
    @extend_schema(
        tags=["brand"],
        summary="Report the repair completed (within your repair days)",
        request=None,
        responses={200: RepairTicketSerializer},
    )
    def post(self, request, external_id: str):
        ticket = services.repair_ticket_complete(
            ticket_id=self.ticket(external_id).pk, service=request.auth.service
        )
        return Response(RepairTicketSerializer(ticket).data)
