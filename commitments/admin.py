from django.contrib import admin, messages
from django.shortcuts import redirect
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from core.audit import audit_for
from core.errors import ApplicationError
from core.roles import STAFF_OPS, has_role

from .models import (
    AppealEvidence,
    Breach,
    BreachAppeal,
    Commitment,
    CommitmentSettings,
    ForceMajeure,
    FulfilmentEvent,
    Order,
    SweepRun,
    Voucher,
)
from .services import commitment_settings_update


@admin.register(CommitmentSettings)
class CommitmentSettingsAdmin(admin.ModelAdmin):
    """The one settings row. staff_ops may view and change it; nobody adds or deletes it.

    Validation is the model's (field ranges); the save goes through commitment_settings_update,
    which audits the change and refreshes the cached snapshot the services read.
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
    readonly_fields = ["updated_at", "recent_changes"]

    def _ops(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and has_role(user, STAFF_OPS)

    def has_module_permission(self, request):
        return super().has_module_permission(request) or self._ops(request)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or self._ops(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) or self._ops(request)

    def has_add_permission(self, request):
        return False  # the data migration (or the first read) creates the row

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        CommitmentSettings.current()
        return super().get_queryset(request)

    def changelist_view(self, request, extra_context=None):
        """One row: go straight to it."""

        if not self.has_view_permission(request):
            return super().changelist_view(request, extra_context)
        row = CommitmentSettings.current()
        return redirect(f"admin:{row._meta.app_label}_{row._meta.model_name}_change", row.pk)

    @admin.display(description=_("recent changes"))
    def recent_changes(self, obj):
        events = audit_for(obj).filter(verb="commitment_settings.changed")[:10]
        return (
            format_html_join(
                "\n",
                "<div>{} · {} · {}</div>",
                (
                    (
                        e.created_at.strftime("%Y-%m-%d %H:%M"),
                        e.actor_label,
                        ", ".join(f"{k}: {v[0]} → {v[1]}" for k, v in sorted(e.data.items())),
                    )
                    for e in events
                ),
            )
            or "—"
        )

    def save_model(self, request, obj, form, change):
        try:
            saved = commitment_settings_update(
                actor=request.user, **{name: form.cleaned_data[name] for name in form.changed_data}
            )
        except ApplicationError as exc:  # the form validated the same rules; a race or a bug
            messages.error(request, f"{exc.message}: {exc.fields}")
            return
        obj.updated_at = saved.updated_at


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
