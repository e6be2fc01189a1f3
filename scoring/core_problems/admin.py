"""Admin of core problems: the sub-problem table with its event rules (staff_ops edit it), the
settings row (through its audited service), and read-only runs. Imported by scoring/admin.py."""

from django.contrib import admin

from core.admin import SingletonSettingsAdmin

from ..models import CoreProblemRun, CoreProblemSettings, SubProblem, SubProblemRule
from .settings_service import core_problem_settings_update


class SubProblemRuleInline(admin.TabularInline):
    model = SubProblemRule
    extra = 0
    fields = ["source", "value"]


@admin.register(SubProblem)
class SubProblemAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "group",
        "name_zh",
        "name_en",
        "tip_scenario",
        "course_code",
        "active",
        "sort_order",
    ]
    list_filter = ["group", "active"]
    list_editable = ["active", "sort_order"]
    inlines = [SubProblemRuleInline]


@admin.register(CoreProblemSettings)
class CoreProblemSettingsAdmin(SingletonSettingsAdmin):
    list_display = ["__str__", "window_days", "recent_days", "low_rating_max", "sample_orders"]
    fields = [*CoreProblemSettings.EDITABLE, "updated_at", "recent_changes"]
    update_service = staticmethod(core_problem_settings_update)


@admin.register(CoreProblemRun)
class CoreProblemRunAdmin(admin.ModelAdmin):
    list_display = ["day", "window_first_day", "window_last_day", "merchants", "rows", "finished_at"]
    readonly_fields = ["day", "window_first_day", "window_last_day", "merchants", "rows", "finished_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
