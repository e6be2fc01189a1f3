from django import forms
from django.contrib import admin

from core.admin import SingletonSettingsAdmin
from tags.compensation import FormulaError, validate_formula

from .models import (
    Appeal,
    Complaint,
    DeskSettings,
    Evidence,
    HelpRequest,
    Notification,
    RecoveryClaim,
    RefundInstruction,
    ServiceStandard,
)
from .services import desk_settings_update


@admin.register(DeskSettings)
class DeskSettingsAdmin(SingletonSettingsAdmin):
    """The desk's one settings row; saves through desk_settings_update (core.admin.SingletonSettingsAdmin)."""

    list_display = ["__str__", "due_working_days", "merchant_response_hours", "appeal_days", "fault_rate_max"]
    fields = [*DeskSettings.EDITABLE, "updated_at", "recent_changes"]
    update_service = staticmethod(desk_settings_update)


class ServiceStandardForm(forms.ModelForm):
    class Meta:
        model = ServiceStandard
        fields = [
            "code",
            "name_zh",
            "name_en",
            "process_zh",
            "process_en",
            "norms_zh",
            "norms_en",
            "default_compensation",
            "max_compensation",
            "cap_at_paid_amount",
            "urgent",
            "sort_order",
        ]

    def clean_default_compensation(self):
        value = self.cleaned_data["default_compensation"]
        try:
            validate_formula(value)
        except FormulaError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return value


@admin.register(ServiceStandard)
class ServiceStandardAdmin(admin.ModelAdmin):
    form = ServiceStandardForm
    list_display = ["code", "name_zh", "name_en", "urgent", "max_compensation", "sort_order"]
    list_editable = ["sort_order"]


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    readonly_fields = ["party", "file", "original_name", "size", "uploaded_at", "uploaded_by"]
    can_delete = False


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    """Read-only: every change goes through the desk's services (console or API)."""

    list_display = ["external_id", "merchant", "standard", "state", "urgent", "due_at", "responsibility"]
    list_filter = ["state", "standard", "urgent", "responsibility"]
    search_fields = ["external_id", "order__external_id", "shopper_ref"]
    raw_id_fields = ["order", "merchant", "voucher", "breach", "recovery_entry"]
    inlines = [EvidenceInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(RecoveryClaim)
class RecoveryClaimAdmin(admin.ModelAdmin):
    list_display = ["complaint", "party_name", "amount", "state", "created_at"]
    list_filter = ["state"]
    readonly_fields = ["complaint", "party_name", "amount", "state"]


@admin.register(RefundInstruction)
class RefundInstructionAdmin(admin.ModelAdmin):
    list_display = ["complaint", "amount", "state", "created_at"]
    readonly_fields = ["complaint", "order", "shopper_ref", "amount"]


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    list_display = ["complaint", "state", "created_at", "decided_at"]
    list_filter = ["state"]
    readonly_fields = ["complaint", "reversal_entry", "filed_by", "decided_by"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["message", "kind", "created_at", "read_at"]
    list_filter = ["kind"]


@admin.register(HelpRequest)
class HelpRequestAdmin(admin.ModelAdmin):
    list_display = ["external_id", "order", "merchant", "scenario", "requested_at"]
    list_filter = ["scenario"]
    search_fields = ["external_id", "order__external_id"]
    raw_id_fields = ["order", "merchant"]
