from datetime import datetime

from rest_framework import serializers

from core.regions import PROVINCES

from ..models import Breach, BreachAppeal, Commitment, ForceMajeure, Voucher
from ..selectors import breach_timeline
from ..services import appeal_deadline

# --- integration (the ingest input: .ingest) -----------------------------------------------------


class ItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    external_id = serializers.CharField()
    status = serializers.ChoiceField(choices=["accepted", "duplicate", "rejected"])
    reason = serializers.CharField()
    id = serializers.IntegerField(allow_null=True)


class BatchResultSerializer(serializers.Serializer):
    accepted = serializers.IntegerField()
    duplicate = serializers.IntegerField()
    rejected = serializers.IntegerField()
    items = ItemResultSerializer(many=True)


class VoucherSerializer(serializers.ModelSerializer):
    order_external_id = serializers.CharField(source="order.external_id")
    merchant_id = serializers.IntegerField()
    breach_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = Voucher
        fields = [
            "id", "code", "shopper_ref", "merchant_id", "order_external_id", "amount", "currency", "state",
            "valid_until", "redeemed_at", "expired_at", "funded_by", "breach_id", "source_type", "source_id",
            "created_at",
        ]  # fmt: skip


class VoucherPageSerializer(serializers.Serializer):
    results = VoucherSerializer(many=True)
    next_after = serializers.IntegerField(allow_null=True)


class RedeemSerializer(serializers.Serializer):
    redeemed_at = serializers.DateTimeField(required=False)


class RedeemResultSerializer(serializers.Serializer):
    voucher = VoucherSerializer()
    already_redeemed = serializers.BooleanField()


# --- merchant and staff ------------------------------------------------------------------------


class CommitmentSerializer(serializers.ModelSerializer):
    order_external_id = serializers.CharField(source="order.external_id")
    paid_at = serializers.DateTimeField(source="order.paid_at")
    tag = serializers.CharField(source="tag.code")
    terms_version = serializers.IntegerField(source="terms_version.version")
    breach_id = serializers.SerializerMethodField()

    class Meta:
        model = Commitment
        fields = [
            "id", "order_external_id", "paid_at", "tag", "terms_version", "state", "deadline", "resolved_at",
            "exemption_reason", "breach_id",
        ]  # fmt: skip

    def get_breach_id(self, obj) -> int | None:
        try:
            return obj.breach.pk
        except Breach.DoesNotExist:
            return None


class BreachAppealSerializer(serializers.ModelSerializer):
    breach_id = serializers.IntegerField()
    merchant_id = serializers.IntegerField()
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = BreachAppeal
        fields = [
            "id",
            "breach_id",
            "merchant_id",
            "state",
            "text",
            "created_at",
            "decided_at",
            "decision_note",
            "evidence",
        ]

    def get_evidence(self, obj) -> list[str]:
        return [e.name for e in obj.evidence.all()]


class BreachSerializer(serializers.ModelSerializer):
    order_external_id = serializers.CharField(source="commitment.order.external_id")
    tag = serializers.CharField(source="commitment.tag.code")
    commitment_state = serializers.CharField(source="commitment.state")
    deadline = serializers.DateTimeField(source="commitment.deadline", allow_null=True)
    voucher_code = serializers.SerializerMethodField()
    voucher_amount = serializers.SerializerMethodField()
    appeal_state = serializers.SerializerMethodField()

    class Meta:
        model = Breach
        fields = [
            "id", "merchant_id", "order_external_id", "tag", "commitment_state", "deadline", "detected_at",
            "source", "severity", "detail", "counts_in_metrics", "voucher_code", "voucher_amount", "appeal_state",
        ]  # fmt: skip

    def _voucher(self, obj):
        try:
            return obj.voucher
        except Voucher.DoesNotExist:
            return None

    def get_voucher_code(self, obj) -> str | None:
        v = self._voucher(obj)
        return v.code if v else None

    def get_voucher_amount(self, obj) -> str | None:
        v = self._voucher(obj)
        return str(v.amount) if v else None

    def get_appeal_state(self, obj) -> str | None:
        try:
            return obj.appeal.state
        except BreachAppeal.DoesNotExist:
            return None


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    what = serializers.CharField()
    detail = serializers.CharField()


class BreachDetailSerializer(BreachSerializer):
    timeline = serializers.SerializerMethodField()
    appeal_until = serializers.SerializerMethodField(
        help_text="The merchant may appeal until then (detection + the current appeal window)."
    )

    class Meta(BreachSerializer.Meta):
        fields = [*BreachSerializer.Meta.fields, "appeal_until", "timeline"]

    def get_appeal_until(self, obj) -> datetime:
        return serializers.DateTimeField().to_representation(appeal_deadline(obj))

    def get_timeline(self, obj) -> list[dict]:
        return TimelineEntrySerializer(breach_timeline(obj), many=True).data


class BreachAppealCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)
    evidence = serializers.ListField(child=serializers.FileField(), required=False, allow_empty=True)


class BreachAppealDecideSerializer(serializers.Serializer):
    uphold = serializers.BooleanField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ForceMajeureSerializer(serializers.ModelSerializer):
    tags = serializers.SerializerMethodField()

    class Meta:
        model = ForceMajeure
        fields = ["id", "provinces", "starts_at", "ends_at", "tags", "reason", "exempted_count", "created_at"]

    def get_tags(self, obj) -> list[str]:
        return [t.code for t in obj.tags.all()]


class ForceMajeureCreateSerializer(serializers.Serializer):
    provinces = serializers.ListField(
        child=serializers.ChoiceField(choices=list(PROVINCES)), allow_empty=False
    )
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    tags = serializers.ListField(child=serializers.SlugField(), allow_empty=False, help_text="tag codes")
    reason = serializers.CharField(max_length=300)
