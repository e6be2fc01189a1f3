from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.roles import STAFF_OPS, HasRole, IsPlatformStaff

from ..access import IsMerchantMember
from ..models import DepositEntry, Merchant
from ..selectors import deposit_entries, merchant_directory, merchant_get
from ..services import deposit_post_entry
from .serializers import DepositEntryCreateSerializer, DepositEntrySerializer, MerchantSerializer


class DepositEntryFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=DepositEntry.Kind.choices)

    class Meta:
        model = DepositEntry
        fields = ["kind"]


@extend_schema(tags=["merchant"], summary="My merchant, with its deposit balance and top-up flag")
class MyMerchantView(generics.GenericAPIView):
    permission_classes = [IsMerchantMember]
    serializer_class = MerchantSerializer

    def get(self, request):
        return Response(self.get_serializer(request.merchant).data)


@extend_schema(tags=["merchant"], summary="My deposit ledger, newest first")
class MyDepositEntriesView(generics.ListAPIView):
    permission_classes = [IsMerchantMember]
    serializer_class = DepositEntrySerializer
    filterset_class = DepositEntryFilter
    queryset = DepositEntry.objects.none()  # for the schema; the real one is per merchant

    def get_queryset(self):
        return deposit_entries(merchant=self.request.merchant)


class MerchantFilter(filters.FilterSet):
    q = filters.CharFilter(method="search", label="name, English name or shop code")
    category = filters.CharFilter(field_name="main_category__code")
    status = filters.ChoiceFilter(choices=Merchant.Status.choices)
    topup_flagged = filters.BooleanFilter(
        field_name="deposit__topup_required_since", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = Merchant
        fields = ["q", "category", "status", "topup_flagged"]

    def search(self, queryset, name, value):
        return queryset & merchant_directory(search=value)


@extend_schema(tags=["staff"], summary="Merchant directory")
class StaffMerchantListView(generics.ListAPIView):
    permission_classes = [IsPlatformStaff]
    serializer_class = MerchantSerializer
    filterset_class = MerchantFilter

    def get_queryset(self):
        return merchant_directory()


@extend_schema(tags=["staff"], summary="One merchant")
class StaffMerchantDetailView(generics.GenericAPIView):
    permission_classes = [IsPlatformStaff]
    serializer_class = MerchantSerializer

    def get(self, request, merchant_id: int):
        return Response(self.get_serializer(merchant_get(merchant_id)).data)


class StaffDepositEntriesView(APIView):
    permission_classes = [HasRole.of(STAFF_OPS)]

    @extend_schema(
        tags=["staff"],
        summary="Record a deposit top-up or a refund to the merchant (staff_ops)",
        request=DepositEntryCreateSerializer,
        responses={201: DepositEntrySerializer},
    )
    def post(self, request, merchant_id: int):
        merchant = merchant_get(merchant_id)
        serializer = DepositEntryCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = deposit_post_entry(merchant_id=merchant.pk, actor=request.user, **serializer.validated_data)
        return Response(DepositEntrySerializer(entry).data, status=status.HTTP_201_CREATED)
