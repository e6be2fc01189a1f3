"""Admin of the scoring app: the evaluation rules (one row, saved through its audited service) and
read-only views of runs and results (they are history: written only by the evaluation)."""

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from core.audit import audit_for
from core.errors import ApplicationError
from core.roles import STAFF_OPS, has_role

from .evaluation.services import evaluation_settings_update
from .models import EvaluationResult, EvaluationRun, EvaluationSettings, MerchantScore, ScoreBound, ScoreRun


@admin.register(EvaluationSettings)
class EvaluationSettingsAdmin(admin.ModelAdmin):
    """The one rules row. staff_ops may view and change it; nobody adds or deletes it.

    The save goes through evaluation_settings_update, which validates, audits, bumps the rule
    version and refreshes the cached snapshot the evaluation reads. Staff can preview the effect of
    a change on the last evaluated month in the staff console first (Evaluation rules).
    """

    list_display = [
        "__str__",
        "rule_version",
        "fault_rate_fail_percent",
        "dsr_fail_below",
        "dispute_rate_fail_percent",
        "small_sample_orders",
        "updated_at",
    ]
    fieldsets = [
        (_("Fault complaint rate"), {"fields": ["fault_rate_fail_percent"]}),
        (
            _("Shop ratings (DSR)"),
            {"fields": ["dsr_fail_below", "dsr_min_ratings", "dsr_window_days", "dsr_max_per_shopper_month"]},
        ),
        (_("Refund dispute rate"), {"fields": ["dispute_rate_fail_percent"]}),
        (_("Small shops"), {"fields": ["small_sample_orders", "small_sample_fail_complaints"]}),
        (_("Bar"), {"fields": ["bar_months"]}),
        (_("History"), {"fields": ["rule_version", "updated_at", "recent_changes"]}),
    ]
    readonly_fields = ["rule_version", "updated_at", "recent_changes"]

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
        EvaluationSettings.current()
        return super().get_queryset(request)

    def changelist_view(self, request, extra_context=None):
        """One row: go straight to it."""
        if not self.has_view_permission(request):
            return super().changelist_view(request, extra_context)
        row = EvaluationSettings.current()
        return redirect(f"admin:{row._meta.app_label}_{row._meta.model_name}_change", row.pk)

    @admin.display(description=_("recent changes"))
    def recent_changes(self, obj):
        events = audit_for(obj).filter(verb="evaluation_settings.changed")[:10]
        return (
            format_html_join(
                "\n",
                "<div>{} · {} · {}</div>",
                (
                    (
                        e.created_at.strftime("%Y-%m-%d %H:%M"),
                        e.actor_label,
                        ", ".join(
                            f"{k}: {v[0]} → {v[1]}" for k, v in sorted(e.data.items()) if isinstance(v, list)
                        ),
                    )
                    for e in events
                ),
            )
            or "—"
        )

    def save_model(self, request, obj, form, change):
        try:
            saved = evaluation_settings_update(
                actor=request.user, **{name: form.cleaned_data[name] for name in form.changed_data}
            )
        except ApplicationError as exc:  # the form validated the same rules; a race or a bug
            messages.error(request, f"{exc.message}: {exc.fields}")
            return
        obj.updated_at = saved.updated_at
        obj.rule_version = saved.rule_version


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EvaluationRun)
class EvaluationRunAdmin(ReadOnlyAdmin):
    list_display = [
        "period",
        "state",
        "rule_version",
        "evaluated",
        "failed",
        "revoked",
        "restored",
        "barred",
        "finished_at",
    ]


@admin.register(EvaluationResult)
class EvaluationResultAdmin(ReadOnlyAdmin):
    list_display = ["period", "merchant", "category", "tag", "outcome", "action", "rule_version"]
    list_filter = ["outcome", "action", "tag"]
    raw_id_fields = ["merchant", "holding", "run"]


@admin.register(ScoreBound)
class ScoreBoundAdmin(admin.ModelAdmin):
    """staff_ops edit the floor/excellent values; a row with a category overrides the default for it."""

    list_display = ["indicator", "category", "floor", "excellent"]
    list_editable = ["floor", "excellent"]
    list_filter = ["indicator", "category"]
    ordering = ["indicator", "category_id"]


@admin.register(ScoreRun)
class ScoreRunAdmin(admin.ModelAdmin):
    list_display = ["day", "state", "attempts", "merchants", "dirty_days", "started_at", "finished_at"]
    readonly_fields = [f.name for f in ScoreRun._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(MerchantScore)
class MerchantScoreAdmin(admin.ModelAdmin):
    list_display = ["merchant", "day", "category", "total", "warning", "orders"]
    list_filter = ["day", "category", "warning"]
    raw_id_fields = ["merchant"]
    readonly_fields = [f.name for f in MerchantScore._meta.fields]

    def has_add_permission(self, request):
        return False
