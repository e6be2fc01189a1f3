from django.contrib import admin, messages
from django.shortcuts import redirect
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from .audit import audit_for
from .errors import ApplicationError
from .models import AuditEvent, CalendarDay
from .roles import STAFF_OPS, has_role


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor_label", "verb", "target_type", "target_id")
    list_filter = ("verb", "target_type")
    search_fields = ("target_id", "actor_label", "verb")
    readonly_fields = [f.name for f in AuditEvent._meta.fields] + ["data"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "is_workday", "note")
    list_filter = ("is_workday",)
    date_hierarchy = "date"


class SingletonSettingsAdmin(admin.ModelAdmin):
    """The admin of a settings table (core.models.SingletonSettings): its one row only.

    staff_ops may view and change it; nobody adds or deletes it. Validation is the model's (field
    ranges); the save goes through `update_service` (the app's audited settings service), which
    refreshes the cached snapshot the services read. List the fields in `fieldsets` and add
    "updated_at" and "recent_changes" as read-only.
    """

    update_service = None  # staticmethod(the app's `<app>_settings_update(*, actor, **changes)`)
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
        self.model.current()
        return super().get_queryset(request)

    def changelist_view(self, request, extra_context=None):
        """One row: go straight to it."""
        if not self.has_view_permission(request):
            return super().changelist_view(request, extra_context)
        row = self.model.current()
        return redirect(f"admin:{row._meta.app_label}_{row._meta.model_name}_change", row.pk)

    @admin.display(description=_("recent changes"))
    def recent_changes(self, obj):
        events = audit_for(obj).filter(verb=self.model.AUDIT_VERB)[:10]
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
            saved = self.update_service(
                actor=request.user, **{name: form.cleaned_data[name] for name in form.changed_data}
            )
        except ApplicationError as exc:  # the form validated the same rules; a race or a bug
            messages.error(request, f"{exc.message}: {exc.fields}")
            return
        obj.updated_at = saved.updated_at
