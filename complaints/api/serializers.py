from decimal import Decimal

from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Appeal, Complaint, Evidence, HelpRequest, RecoveryClaim


class AwareDateTimeField(serializers.DateTimeField):
    """An upstream time must carry its offset: a naive one would be read as UTC, 8 hours off Beijing."""

    default_error_messages = {
        "naive": _("Give the time with its UTC offset, e.g. 2024-03-04T10:00:00+08:00.")
    }

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None  # out of range: the parent field says so
            if parsed is not None and parsed.tzinfo is None:
                self.fail("naive")
        return super().to_internal_value(value)


class ComplaintFileSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=64)
    order = serializers.CharField(max_length=64, help_text="The order's external id")
    merchant_id = serializers.IntegerField(
        required=False, help_text="The merchant the shopper complains about"
    )
    shop_code = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    standard = serializers.CharField(max_length=40, help_text="One of the eight service standards")
    text = serializers.CharField()
    claimed_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0"), required=False, default=Decimal("0")
    )
    tag = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    filed_at = AwareDateTimeField(help_text="When the shopper filed it upstream (with offset)")
    evidence = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class EvidenceSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(
        help_text="Authenticated download (staff, or the merchant concerned)"
    )

    class Meta:
        model = Evidence
        fields = ["id", "party", "original_name", "size", "uploaded_at", "url"]

    def get_url(self, obj: Evidence) -> str:
        return reverse("complaint-evidence-file", args=[obj.pk])


class AppealSerializer(serializers.ModelSerializer):
    class Meta:
        model = Appeal
        fields = ["id", "state", "reason", "created_at", "decided_at", "decision_reason"]


class RecoveryClaimSerializer(serializers.ModelSerializer):
    class Meta:
        model = RecoveryClaim
        fields = ["id", "party_name", "amount", "state", "note", "created_at"]


class ComplaintSerializer(serializers.ModelSerializer):
    """One shape for lists and details (evidence, appeal and recovery claim included)."""

    order = serializers.CharField(source="order.external_id")
    standard = serializers.CharField(source="standard.code")
    tag = serializers.CharField(source="tag.code", allow_null=True, default=None)
    merchant_id = serializers.IntegerField()
    voucher_code = serializers.CharField(source="voucher.code", allow_null=True, default=None)
    evidence = EvidenceSerializer(many=True, read_only=True)
    appeal = serializers.SerializerMethodField()
    recovery_claim = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = [
            "id",
            "external_id",
            "order",
            "merchant_id",
            "standard",
            "tag",
            "state",
            "urgent",
            "text",
            "claimed_amount",
            "filed_at",
            "due_at",
            "due_fallback",
            "escalated_at",
            "merchant_response_due_at",
            "responded_at",
            "response_text",
            "decided_at",
            "responsibility",
            "third_party_name",
            "decision_reason",
            "compensation_amount",
            "payout",
            "voucher_code",
            "already_compensated",
            "recovery",
            "counts_in_metrics",
            "evidence",
            "appeal",
            "recovery_claim",
        ]

    @extend_schema_field(AppealSerializer(allow_null=True))
    def get_appeal(self, obj):
        appeal = getattr(obj, "appeal", None)  # the reverse one-to-one raises an AttributeError subclass
        return AppealSerializer(appeal).data if appeal else None

    @extend_schema_field(RecoveryClaimSerializer(allow_null=True))
    def get_recovery_claim(self, obj):
        claim = getattr(obj, "recovery_claim", None)
        return RecoveryClaimSerializer(claim).data if claim else None


class HelpRequestItemSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=64)
    order = serializers.CharField(max_length=64)
    scenario = serializers.ChoiceField(choices=HelpRequest.Scenario.choices)
    requested_at = AwareDateTimeField(help_text="With its UTC offset")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class HelpRequestBatchSerializer(serializers.Serializer):
    items = HelpRequestItemSerializer(many=True, allow_empty=False, max_length=1000)


class HelpRequestBatchResultSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    created = serializers.IntegerField()
    duplicates = serializers.IntegerField()


class ResponseSerializer(serializers.Serializer):
    text = serializers.CharField()
    evidence = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class AppealFileSerializer(serializers.Serializer):
    reason = serializers.CharField()
    evidence = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class AcceptSerializer(serializers.Serializer):
    ask_merchant = serializers.BooleanField(default=True)


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class DecisionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[Complaint.State.UPHELD, Complaint.State.REJECTED])
    responsibility = serializers.ChoiceField(choices=Complaint.Responsibility.choices)
    third_party_name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    reason = serializers.CharField()
    compensation_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None
    )
    payout = serializers.ChoiceField(
        choices=[Complaint.Payout.VOUCHER, Complaint.Payout.REFUND], default=Complaint.Payout.VOUCHER
    )
    severity = serializers.ChoiceField(
        choices=["late", "severe"], required=False, allow_blank=True, default="",
        help_text="tiered terms (delivery_install): late, or severe (not done / too late); default from the facts",
    )  # fmt: skip
    instalment_fees = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, max_value=1_000_000, required=False,
        help_text="quote input for an instalments complaint",
    )  # fmt: skip
    price_difference = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, max_value=1_000_000, required=False,
        help_text="quote input for a price-protection complaint",
    )  # fmt: skip
    return_freight = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, max_value=1_000_000, required=False,
        help_text="quote input for a return-freight complaint (default: the return_signed event's freight)",
    )  # fmt: skip

    FEE_FIELDS = ("instalment_fees", "price_difference", "return_freight")

    def decision_kwargs(self) -> dict:
        data = dict(self.validated_data)
        fees = {name: data.pop(name) for name in self.FEE_FIELDS if data.get(name) is not None}
        (
            data.pop("instalment_fees", None),
            data.pop("price_difference", None),
            data.pop("return_freight", None),
        )
        return {**data, "fees": fees or None}


class AppealDecisionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[Appeal.State.UPHELD, Appeal.State.REJECTED])
    reason = serializers.CharField()


class RecoveryClaimMoveSerializer(serializers.Serializer):
    target = serializers.ChoiceField(
        choices=[(k, v) for k, v in RecoveryClaim.State.choices if k != RecoveryClaim.State.OPEN],
        help_text="the state to move to",
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class DeskStatisticsSerializer(serializers.Serializer):
    decided = serializers.IntegerField()
    decided_within_sla = serializers.IntegerField()
    share_within_sla = serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True)
    median_hours_to_decision = serializers.FloatField(allow_null=True)
    open_count = serializers.IntegerField()
    overdue_count = serializers.IntegerField()
    urgent_open = serializers.IntegerField()
