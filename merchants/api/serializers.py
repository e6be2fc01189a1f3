from decimal import Decimal

from rest_framework import serializers

from ..models import DepositEntry, Merchant


class CategoryRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    required_deposit = serializers.DecimalField(max_digits=12, decimal_places=2)


class MerchantSerializer(serializers.ModelSerializer):
    main_category = CategoryRefSerializer()
    deposit_balance = serializers.DecimalField(source="deposit.balance", max_digits=14, decimal_places=2)
    topup_required_since = serializers.DateTimeField(source="deposit.topup_required_since", allow_null=True)
    topup_due_at = serializers.DateTimeField(source="deposit.topup_due_at", allow_null=True)

    class Meta:
        model = Merchant
        fields = [
            "id",
            "name",
            "name_en",
            "shop_code",
            "status",
            "main_category",
            "deposit_balance",
            "topup_required_since",
            "topup_due_at",
        ]


class DepositEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = DepositEntry
        fields = ["id", "created_at", "kind", "amount", "balance_after", "memo", "source_type", "source_id"]


class DepositEntryCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["top_up", "refund"])
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    memo = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
