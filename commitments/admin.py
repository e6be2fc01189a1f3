from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import SingletonSettingsAdmin

from .models import (
    AppealEvidence,
    BrandRepairKey,
    Breach,
    BreachAppeal,
    Commitment,
    CommitmentSettings,
    ForceMajeure,
    FulfilmentEvent,
    Order,
    RepairTicket,
    SweepRun,
    Voucher,
)
from .services import commitment_settings_update


@admin.register(CommitmentSettings)
class CommitmentSettingsAdmin(SingletonSettingsAdmin):
    """The one settings row. staff_ops may view and change it; nobody adds or deletes it.

    The save goes through commitment_settings_update (core.admin.SingletonSettingsAdmin).
    """

    list_display = [
        "__str__",
        "voucher_valid_days",
        "appeal_days",
        "sweep_grace_minutes",
        "on_time_percent_min",
        "on_time_min_orders",
        "check_window_days",
        "updated_at",
    ]
    fieldsets = [
        (_("Vouchers"), {"fields": ["voucher_valid_days"]}),
        (_("Breaches"), {"fields": ["appeal_days", "sweep_grace_minutes"]}),
        (
            _("Tag application check: on-time dispatch"),
            {"fields": ["on_time_percent_min", "on_time_min_orders", "check_window_days"]},
        ),
        (_("History"), {"fields": ["updated_at", "recent_changes"]}),
    ]

    update_service = staticmethod(commitment_settings_update)


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = [
        "external_id",
        "merchant",
        "paid_amount",
        "province",
        "paid_at",
        "first_pickup_at",
        "delivered_at",
    ]
    search_fields = ["external_id", "shopper_ref"]
    list_filter = ["province"]
    raw_id_fields = ["merchant", "product", "category", "brand"]
    date_hierarchy = "paid_at"


@admin.register(FulfilmentEvent)
class FulfilmentEventAdmin(admin.ModelAdmin):
    list_display = ["external_id", "order", "kind", "occurred_at", "received_at"]
    search_fields = ["external_id", "order__external_id"]
    list_filter = ["kind"]
    raw_id_fields = ["order"]


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ["order", "tag", "state", "deadline", "resolved_at", "exemption_reason"]
    list_filter = ["state", "tag"]
    search_fields = ["order__external_id"]
    raw_id_fields = ["order", "merchant", "terms_version", "force_majeure"]


@admin.register(Breach)
class BreachAdmin(admin.ModelAdmin):
    list_display = ["commitment", "merchant", "source", "severity", "detected_at", "counts_in_metrics"]
    list_filter = ["source", "counts_in_metrics"]
    search_fields = ["commitment__order__external_id"]
    raw_id_fields = ["commitment", "merchant"]


@admin.register(Voucher)
class VoucherAdmin(admin.ModelAdmin):
    list_display = ["code", "shopper_ref", "merchant", "amount", "state", "funded_by", "valid_until"]
    list_filter = ["state", "funded_by"]
    search_fields = ["code", "shopper_ref", "order__external_id"]
    raw_id_fields = ["merchant", "order", "breach"]


@admin.register(ForceMajeure)
class ForceMajeureAdmin(admin.ModelAdmin):
    list_display = ["reason", "starts_at", "ends_at", "exempted_count", "declared_by"]
    filter_horizontal = ["tags"]
    readonly_fields = ["exempted_count"]


class AppealEvidenceInline(admin.TabularInline):
    model = AppealEvidence
    extra = 0


@admin.register(BreachAppeal)
class BreachAppealAdmin(admin.ModelAdmin):
    list_display = ["breach", "merchant", "state", "created_at", "decided_at"]
    list_filter = ["state"]
    raw_id_fields = ["breach", "merchant", "submitted_by", "decided_by"]
    inlines = [AppealEvidenceInline]


@admin.register(SweepRun)
class SweepRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "finished_at", "state", "batches", "breached", "exempted"]
    list_filter = ["state"]


@admin.register(RepairTicket)
class RepairTicketAdmin(admin.ModelAdmin):
    list_display = ["external_id", "service", "merchant", "state", "accept_due_at", "complete_due_at", "late"]
    list_filter = ["state", "late"]
    search_fields = ["external_id", "order__external_id"]
    raw_id_fields = ["order", "merchant", "service", "outlet", "breach"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # moves go through the services (brand API), never an edit


@admin.register(BrandRepairKey)
class BrandRepairKeyAdmin(admin.ModelAdmin):
    list_display = ["service", "prefix", "created_at"]
    readonly_fields = ["service", "key_hash", "prefix"]
