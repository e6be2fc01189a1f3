"""Admin of the scoring app: the evaluation rules (one row, saved through its audited service) and
read-only views of runs and results (they are history: written only by the evaluation)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import SingletonSettingsAdmin

from .core_problems import admin as core_problems_admin  # noqa: F401 - registers the core-problem admin
from .evaluation.services import evaluation_settings_update
from .models import EvaluationResult, EvaluationRun, EvaluationSettings, MerchantScore, ScoreBound, ScoreRun


@admin.register(EvaluationSettings)
class EvaluationSettingsAdmin(SingletonSettingsAdmin):
    """The one rules row (core.admin.SingletonSettingsAdmin): the save goes through
    evaluation_settings_update, which also bumps the rule version. Staff can preview the effect of
    a change on the last evaluated month in the staff console first (Evaluation rules).
    """

    update_service = staticmethod(evaluation_settings_update)

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

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        obj.rule_version = EvaluationSettings.current().rule_version


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
