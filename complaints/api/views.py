"""The desk's API: integration (filing, help requests), merchant (my complaints, respond, appeal), staff."""

from django.http import Http404
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.parsers import SafeJSONParser
from core.errors import ApplicationError
from core.roles import STAFF_ADJUDICATOR, HasRole, IsIntegration, IsPlatformStaff, is_platform_staff
from merchants.access import IsMerchantMember
from merchants.selectors import merchant_for_user

from .. import selectors, services
from ..models import Complaint, Evidence
from ..views.evidence import evidence_response
from . import serializers as s

IsAdjudicator = HasRole.of(STAFF_ADJUDICATOR)
UPLOAD_PARSERS = [MultiPartParser, FormParser, SafeJSONParser]


# The largest id a database integer column holds; a bigger number is no id at all.
MAX_ID = 2**63 - 1


def _int_param(raw: str) -> int | None:
    """A query parameter as a positive whole number, else None (ASCII digits only: "²".isdigit() is
    True but int("²") raises; at most 19 digits: int() refuses very long strings)."""
    raw = (raw or "").strip()
    if raw.isascii() and raw.isdigit() and len(raw) <= 19 and 0 < int(raw) <= MAX_ID:
        return int(raw)
    return None


def _with_details(queryset):
    return queryset.select_related("voucher", "appeal", "recovery_claim").prefetch_related("evidence")


def _detail(complaint_id: int, merchant_id: int | None = None) -> dict:
    return s.ComplaintSerializer(selectors.complaint_get(complaint_id, merchant_id=merchant_id)).data


# --- integration -------------------------------------------------------------------------------


class IntegrationComplaintFileView(APIView):
    permission_classes = [IsIntegration]
    parser_classes = UPLOAD_PARSERS

    @extend_schema(
        tags=["integration"],
        summary="File a shopper's complaint (multipart, with evidence files); idempotent by external_id",
        request={"multipart/form-data": s.ComplaintFileSerializer},
        responses={201: s.ComplaintSerializer, 200: s.ComplaintSerializer},
    )
    def post(self, request):
        serializer = s.ComplaintFileSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        complaint, created = services.complaint_file(
            external_id=data["external_id"],
            order_external_id=data["order"],
            merchant_id=data.get("merchant_id"),
            shop_code=data["shop_code"],
            standard_code=data["standard"],
            text=data["text"],
            claimed_amount=data["claimed_amount"],
            tag_code=data["tag"],
            filed_at=data["filed_at"],
            files=data["evidence"],
            actor=request.user,
        )
        return Response(
            s.ComplaintSerializer(complaint).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class IntegrationComplaintView(generics.RetrieveAPIView):
    permission_classes = [IsIntegration]
    serializer_class = s.ComplaintSerializer
    lookup_field = "external_id"

    @extend_schema(tags=["integration"], summary="A complaint's state and decision, by external id")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return Complaint.objects.select_related("order", "standard", "tag", "voucher")


class IntegrationHelpRequestsView(APIView):
    permission_classes = [IsIntegration]

    @extend_schema(
        tags=["integration"],
        summary="Push help requests (求助) in a batch; idempotent by external_id; one bad item refuses all",
        request=s.HelpRequestBatchSerializer,
        responses={200: s.HelpRequestBatchResultSerializer},
    )
    def post(self, request):
        serializer = s.HelpRequestBatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        items = [
            services.HelpRequestItem(
                external_id=item["external_id"],
                order_external_id=item["order"],
                scenario=item["scenario"],
                requested_at=item["requested_at"],
                note=item["note"],
            )
            for item in serializer.validated_data["items"]
        ]
        return Response(services.help_requests_ingest(items=items, actor=request.user))


# --- merchant ----------------------------------------------------------------------------------


class MerchantComplaintFilter(filters.FilterSet):
    state = filters.ChoiceFilter(choices=Complaint.State.choices)

    class Meta:
        model = Complaint
        fields = ["state"]


@extend_schema(tags=["merchant"], summary="Complaints against my shop, awaiting my response first")
class MerchantComplaintListView(generics.ListAPIView):
    permission_classes = [IsMerchantMember]
    serializer_class = s.ComplaintSerializer
    filterset_class = MerchantComplaintFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Complaint.objects.none()
        return _with_details(selectors.complaints_for_merchant(merchant_id=self.request.merchant.pk))


class MerchantComplaintDetailView(APIView):
    permission_classes = [IsMerchantMember]

    @extend_schema(
        tags=["merchant"], summary="One complaint against my shop", responses=s.ComplaintSerializer
    )
    def get(self, request, complaint_id: int):
        return Response(_detail(complaint_id, request.merchant.pk))


class MerchantComplaintRespondView(APIView):
    permission_classes = [IsMerchantMember]
    parser_classes = UPLOAD_PARSERS

    @extend_schema(
        tags=["merchant"],
        summary="Respond to a complaint (text + evidence) within 48 hours",
        request={"multipart/form-data": s.ResponseSerializer},
        responses=s.ComplaintSerializer,
    )
    def post(self, request, complaint_id: int):
        selectors.complaint_get(complaint_id, merchant_id=request.merchant.pk)  # 404 for other shops
        serializer = s.ResponseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.complaint_merchant_respond(
            complaint_id=complaint_id,
            merchant_id=request.merchant.pk,
            text=serializer.validated_data["text"],
            files=serializer.validated_data["evidence"],
            actor=request.user,
        )
        return Response(_detail(complaint_id, request.merchant.pk))


class MerchantComplaintAppealView(APIView):
    permission_classes = [IsMerchantMember]
    parser_classes = UPLOAD_PARSERS

    @extend_schema(
        tags=["merchant"],
        summary="Appeal an upheld complaint within 7 days of the decision",
        request={"multipart/form-data": s.AppealFileSerializer},
        responses={201: s.ComplaintSerializer},
    )
    def post(self, request, complaint_id: int):
        selectors.complaint_get(complaint_id, merchant_id=request.merchant.pk)
        serializer = s.AppealFileSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.complaint_appeal_file(
            complaint_id=complaint_id,
            merchant_id=request.merchant.pk,
            reason=serializer.validated_data["reason"],
            files=serializer.validated_data["evidence"],
            actor=request.user,
        )
        return Response(_detail(complaint_id, request.merchant.pk), status=status.HTTP_201_CREATED)


# --- staff -------------------------------------------------------------------------------------


class StaffQueueFilter(filters.FilterSet):
    state = filters.ChoiceFilter(choices=Complaint.State.choices, method="noop")
    standard = filters.CharFilter(method="noop")
    merchant = filters.NumberFilter(method="noop")
    overdue = filters.BooleanFilter(method="noop")

    class Meta:
        model = Complaint
        fields = ["state", "standard", "merchant", "overdue"]

    def noop(self, queryset, name, value):
        return queryset  # applied by the selector in get_queryset


@extend_schema(tags=["staff"], summary="The desk queue: urgent first, then least time left")
class StaffComplaintQueueView(generics.ListAPIView):
    permission_classes = [IsPlatformStaff]
    serializer_class = s.ComplaintSerializer
    filterset_class = StaffQueueFilter

    def get_queryset(self):
        params = self.request.query_params
        merchant = params.get("merchant", "").strip()
        merchant_id = _int_param(merchant)
        if merchant and merchant_id is None:
            raise ApplicationError(
                "merchant must be a merchant id.", fields={"merchant": ["a positive whole number"]}
            )
        queryset = selectors.complaint_queue(
            state=params.get("state", "") if params.get("state", "") in Complaint.State.values else "",
            standard=params.get("standard", ""),
            merchant_id=merchant_id,
            overdue=params.get("overdue", "").lower() in ("1", "true"),
            open_only=not params.get("state"),
        )
        return _with_details(queryset)


class StaffComplaintDetailView(APIView):
    permission_classes = [IsPlatformStaff]

    @extend_schema(tags=["staff"], summary="One complaint", responses=s.ComplaintSerializer)
    def get(self, request, complaint_id: int):
        return Response(_detail(complaint_id))


class StaffComplaintAcceptView(APIView):
    permission_classes = [IsAdjudicator]

    @extend_schema(
        tags=["staff"],
        summary="Accept a filed complaint (and ask the merchant to respond within 48 h)",
        request=s.AcceptSerializer,
        responses=s.ComplaintSerializer,
    )
    def post(self, request, complaint_id: int):
        serializer = s.AcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.complaint_accept(
            complaint_id=complaint_id,
            ask_merchant=serializer.validated_data["ask_merchant"],
            actor=request.user,
        )
        return Response(_detail(complaint_id))


class StaffComplaintReviewView(APIView):
    permission_classes = [IsAdjudicator]

    @extend_schema(
        tags=["staff"],
        summary="Start the review without waiting any longer",
        request=None,
        responses=s.ComplaintSerializer,
    )
    def post(self, request, complaint_id: int):
        services.complaint_start_review(complaint_id=complaint_id, actor=request.user)
        return Response(_detail(complaint_id))


class StaffComplaintWithdrawView(APIView):
    permission_classes = [IsAdjudicator]

    @extend_schema(
        tags=["staff"],
        summary="Record the shopper's withdrawal",
        request=s.WithdrawSerializer,
        responses=s.ComplaintSerializer,
    )
    def post(self, request, complaint_id: int):
        serializer = s.WithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.complaint_withdraw(
            complaint_id=complaint_id, reason=serializer.validated_data["reason"], actor=request.user
        )
        return Response(_detail(complaint_id))


class StaffComplaintDecisionView(APIView):
    permission_classes = [IsAdjudicator]

    @extend_schema(
        tags=["staff"],
        summary="Decide: upheld (platform pays first, then recovery) or rejected; 409 if already decided",
        request=s.DecisionSerializer,
        responses=s.ComplaintSerializer,
    )
    def post(self, request, complaint_id: int):
        serializer = s.DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.complaint_decide(
            complaint_id=complaint_id, actor=request.user, **serializer.decision_kwargs()
        )
        return Response(_detail(complaint_id))


class StaffAppealDecisionView(APIView):
    permission_classes = [IsAdjudicator]

    @extend_schema(
        tags=["staff"],
        summary="Decide a merchant's appeal; upheld reverses the recovery and the metric, not the voucher",
        request=s.AppealDecisionSerializer,
        responses=s.AppealSerializer,
    )
    def post(self, request, appeal_id: int):
        serializer = s.AppealDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appeal = services.complaint_appeal_decide(
            appeal_id=appeal_id, actor=request.user, **serializer.validated_data
        )
        return Response(s.AppealSerializer(appeal).data)


class StaffRecoveryClaimView(APIView):
    permission_classes = [IsAdjudicator]

    @extend_schema(
        tags=["staff"],
        summary="Move a recovery claim against a third party (open → sent → recovered | written_off)",
        request=s.RecoveryClaimMoveSerializer,
        responses=s.RecoveryClaimSerializer,
    )
    def post(self, request, claim_id: int):
        serializer = s.RecoveryClaimMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claim = services.recovery_claim_advance(
            claim_id=claim_id,
            target=serializer.validated_data["target"],
            note=serializer.validated_data["note"],
            actor=request.user,
        )
        return Response(s.RecoveryClaimSerializer(claim).data)


class StaffDeskStatisticsView(APIView):
    permission_classes = [IsPlatformStaff]

    @extend_schema(
        tags=["staff"],
        summary="Desk statistics: share decided within the SLA, median hours to decision, overdue count",
        parameters=[OpenApiParameter("days", int, description="window of decisions, default 30")],
        responses=s.DeskStatisticsSerializer,
    )
    def get(self, request):
        days = _int_param(request.query_params.get("days", ""))
        days = days if days is not None and days <= 366 else 30
        stats = selectors.desk_statistics(days=days, now=timezone.now())
        return Response(
            s.DeskStatisticsSerializer({**stats.__dict__, "share_within_sla": stats.share_within_sla}).data
        )


class EvidenceFileView(APIView):
    """The bytes of one evidence file: platform staff see every file, a merchant only its own complaints'."""

    @extend_schema(
        tags=["complaints"],
        summary="Download an evidence file (staff, or the merchant the complaint is against)",
        responses={(200, "application/octet-stream"): bytes},
    )
    def get(self, request, evidence_id: int):
        evidence = Evidence.objects.filter(pk=evidence_id)
        if not is_platform_staff(request.user):
            merchant = merchant_for_user(request.user)
            evidence = evidence.filter(complaint__merchant=merchant) if merchant else evidence.none()
        item = evidence.first()
        if item is None:
            raise Http404("No such evidence file.")
        return evidence_response(item)
