from rest_framework import serializers

from merchants.models import Brand, Category

from ..models import (
    ApplicationCheck,
    BadgeEvent,
    BadgeHolding,
    BrandWarrantyService,
    CategoryBadge,
    HoldingEvent,
    Tag,
    TagApplication,
    TagHolding,
    TagTermsVersion,
)


def _states(choices) -> str:
    return "One of: " + ", ".join(choices.values)


class TermsSerializer(serializers.ModelSerializer):
    promise = serializers.CharField(read_only=True)
    compensation_text = serializers.CharField(read_only=True)

    class Meta:
        model = TagTermsVersion
        fields = ["version", "promise", "compensation_text", "terms", "compensation", "daily_cap"]


class TagSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    categories = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    requires = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    current_terms = TermsSerializer(read_only=True)

    class Meta:
        model = Tag
        fields = [
            "code", "name", "name_zh", "name_en", "group", "monitored", "lifecycle", "needs_review",
            "exclusive_group", "requires", "categories", "current_terms",
        ]  # fmt: skip


class BadgeSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    name = serializers.CharField(read_only=True)
    title_prefix = serializers.CharField(read_only=True)
    required_tags = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = CategoryBadge
        fields = [
            "code",
            "category",
            "name",
            "title_prefix",
            "search_boost",
            "campaign_eligible",
            "required_tags",
        ]


class CatalogSerializer(serializers.Serializer):
    tags = TagSerializer(many=True)
    badges = BadgeSerializer(many=True)


class CheckSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)
    detail = serializers.CharField(source="detail_display", read_only=True)

    class Meta:
        model = ApplicationCheck
        fields = ["position", "code", "label", "status", "detail", "checked_at"]


class ApplicationSerializer(serializers.ModelSerializer):
    tag = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    merchant_id = serializers.IntegerField(read_only=True)
    terms_version = serializers.IntegerField(source="terms_version.version", read_only=True, allow_null=True)
    checks = CheckSerializer(many=True, read_only=True)
    holding_id = serializers.IntegerField(read_only=True, allow_null=True)
    state = serializers.CharField(read_only=True, help_text=_states(TagApplication.State))

    class Meta:
        model = TagApplication
        fields = [
            "id", "merchant_id", "tag", "category", "state", "config", "needs_review", "terms_version",
            "submitted_at", "decided_at", "rejection_reason", "checks", "holding_id", "created_at",
        ]  # fmt: skip


class ApplicationCreateSerializer(serializers.Serializer):
    tag = serializers.SlugRelatedField(slug_field="code", queryset=Tag.objects.all())
    category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.all())
    config = serializers.JSONField(required=False, default=dict)
    submit = serializers.BooleanField(
        required=False, default=False, help_text="Submit at once (runs the checks)."
    )

    def validate_config(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError("must be an object")
        return value


class ConfigSerializer(serializers.Serializer):
    config = serializers.JSONField()

    def validate_config(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError("must be an object")
        return value


class SignSerializer(serializers.Serializer):
    signer_name = serializers.CharField(max_length=120)
    accept = serializers.BooleanField()


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class HoldingWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ApproveSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class HoldingEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = HoldingEvent
        fields = ["at", "kind", "reason"]


class HoldingSerializer(serializers.ModelSerializer):
    tag = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    terms_version = serializers.IntegerField(source="terms_version.version", read_only=True)
    history = HoldingEventSerializer(many=True, read_only=True)
    state = serializers.CharField(read_only=True, help_text=_states(TagHolding.State))

    class Meta:
        model = TagHolding
        fields = [
            "id", "tag", "category", "state", "terms_version", "config", "granted_at", "ended_at",
            "rectification_month", "barred_until", "history",
        ]  # fmt: skip


class BadgeEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = BadgeEvent
        fields = ["at", "kind", "reason"]


class BadgeHoldingSerializer(serializers.ModelSerializer):
    badge = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category = serializers.CharField(source="badge.category.code", read_only=True)
    history = BadgeEventSerializer(many=True, read_only=True)

    class Meta:
        model = BadgeHolding
        fields = ["id", "badge", "category", "active", "since", "history"]


class OutletSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    city = serializers.CharField(max_length=40)
    province = serializers.CharField(max_length=6, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class WarrantyServiceSerializer(serializers.ModelSerializer):
    brand = serializers.CharField(source="brand.name_zh", read_only=True)
    brand_id = serializers.IntegerField(read_only=True)
    outlets = OutletSerializer(many=True, read_only=True)
    state = serializers.CharField(read_only=True, help_text=_states(BrandWarrantyService.State))

    class Meta:
        model = BrandWarrantyService
        fields = [
            "id", "brand_id", "brand", "hotline", "warranty_period_months", "policy_zh", "policy_en",
            "response_hours", "repair_days", "integration_mode", "state", "reviewed_at", "rejection_reason", "outlets",
        ]  # fmt: skip


class WarrantyServiceCreateSerializer(serializers.Serializer):
    brand = serializers.PrimaryKeyRelatedField(queryset=Brand.objects.all())
    hotline = serializers.CharField(max_length=40)
    warranty_period_months = serializers.IntegerField(min_value=1, max_value=240)
    policy_zh = serializers.CharField()
    policy_en = serializers.CharField(required=False, allow_blank=True, default="")
    response_hours = serializers.IntegerField(min_value=1, max_value=720)
    repair_days = serializers.IntegerField(min_value=1, max_value=365)
    integration_mode = serializers.ChoiceField(choices=BrandWarrantyService.Integration.choices)
    outlets = OutletSerializer(many=True)
