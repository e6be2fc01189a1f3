"""Admin for staff_ops: the catalog and badges. Terms are never edited in place: the tag form's
terms fields go through `tag_terms_update`, which creates a new version."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction

from core.errors import ApplicationError

from .compensation import FormulaError, validate_formula
from .models import (
    ApplicationCheck,
    BadgeHolding,
    BrandWarrantyService,
    CategoryBadge,
    HoldingEvent,
    Tag,
    TagAgreement,
    TagApplication,
    TagHolding,
    TagTermsVersion,
    WarrantyOutlet,
    WarrantyReviewRules,
)
from .services import catalog_entry_save, tag_terms_update
from .services.catalog import TERMS_FIELDS


class TagAdminForm(forms.ModelForm):
    """The tag's own fields plus its current terms; a terms change saves as version n+1."""

    promise_zh = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    promise_en = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    compensation_zh = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    compensation_en = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    terms = forms.JSONField(required=False, help_text='e.g. {"kind": "pickup_within_hours", "hours": 24}')
    compensation = forms.JSONField(
        required=False, help_text='e.g. {"formula": "percent", "percent": "5", "min": "3", "max": "50"}'
    )
    daily_cap = forms.DecimalField(max_digits=12, decimal_places=2)
    agreement_zh = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    agreement_en = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))

    class Meta:
        model = Tag
        fields = (
            "code", "name_zh", "name_en", "group", "monitored", "lifecycle", "needs_review", "exclusive_group",
            "requires", "categories", "sort_order",
        )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.current_terms if self.instance.pk else None
        if current is not None:
            for name in TERMS_FIELDS:
                self.initial[name] = getattr(current, name)

    def clean_compensation(self):
        value = self.cleaned_data.get("compensation") or {}
        try:
            validate_formula(value)
        except FormulaError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return value


class TermsVersionInline(admin.TabularInline):
    model = TagTermsVersion
    extra = 0
    can_delete = False
    fields = ("version", "promise_zh", "compensation", "daily_cap", "created_at")
    readonly_fields = fields
    ordering = ("-version",)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    form = TagAdminForm
    list_display = (
        "code",
        "name_zh",
        "name_en",
        "group",
        "monitored",
        "lifecycle",
        "needs_review",
        "current_terms",
    )
    list_filter = ("group", "lifecycle", "monitored")
    search_fields = ("code", "name_zh", "name_en")
    filter_horizontal = ("categories",)
    inlines = [TermsVersionInline]

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            catalog_entry_save(entry=obj, actor=request.user, changed=form.changed_data)
            changes = {name: form.cleaned_data.get(name) for name in TERMS_FIELDS}
            changes = {
                k: ("" if v is None and k not in ("terms", "compensation") else v) for k, v in changes.items()
            }
            changes["terms"] = changes["terms"] or {}
            changes["compensation"] = changes["compensation"] or {}
            try:
                version = tag_terms_update(tag_id=obj.pk, actor=request.user, **changes)
            except ApplicationError as exc:
                messages.error(request, exc.message)
                raise
            obj.current_terms = version


@admin.register(TagTermsVersion)
class TagTermsVersionAdmin(admin.ModelAdmin):
    """Read-only: versions are immutable. Edit the tag to create a new one."""

    list_display = ("tag", "version", "daily_cap", "created_at")
    list_filter = ("tag",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CategoryBadge)
class CategoryBadgeAdmin(admin.ModelAdmin):
    list_display = ("code", "category", "name_zh", "title_prefix_zh", "search_boost", "campaign_eligible")
    filter_horizontal = ("required_tags",)

    def save_model(self, request, obj, form, change):
        catalog_entry_save(entry=obj, actor=request.user, changed=form.changed_data)


class ReadOnlyAdmin(admin.ModelAdmin):
    """State changes go through services (staff console / API), not through the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HoldingEventInline(admin.TabularInline):
    model = HoldingEvent
    extra = 0
    readonly_fields = ("at", "kind", "reason", "actor")
    can_delete = False


@admin.register(TagHolding)
class TagHoldingAdmin(ReadOnlyAdmin):
    list_display = (
        "merchant",
        "category",
        "tag",
        "state",
        "granted_at",
        "rectification_month",
        "barred_until",
    )
    list_filter = ("state", "tag", "category")
    raw_id_fields = ("merchant",)
    inlines = [HoldingEventInline]


@admin.register(BadgeHolding)
class BadgeHoldingAdmin(ReadOnlyAdmin):
    list_display = ("merchant", "badge", "active", "since")
    list_filter = ("badge", "active")


class CheckInline(admin.TabularInline):
    model = ApplicationCheck
    extra = 0
    readonly_fields = ("position", "code", "status", "detail")
    fields = readonly_fields
    can_delete = False


@admin.register(TagApplication)
class TagApplicationAdmin(ReadOnlyAdmin):
    list_display = ("id", "merchant", "tag", "category", "state", "submitted_at")
    list_filter = ("state", "tag")
    inlines = [CheckInline]


@admin.register(TagAgreement)
class TagAgreementAdmin(ReadOnlyAdmin):
    list_display = ("application", "merchant", "tag", "terms_version", "signer_name", "signed_at")


class OutletInline(admin.TabularInline):
    model = WarrantyOutlet
    extra = 0


@admin.register(BrandWarrantyService)
class BrandWarrantyServiceAdmin(admin.ModelAdmin):
    list_display = ("brand", "hotline", "integration_mode", "state", "reviewed_at")
    list_filter = ("state", "integration_mode")
    readonly_fields = ("state", "reviewed_by", "reviewed_at", "rejection_reason")
    inlines = [OutletInline]


@admin.register(WarrantyReviewRules)
class WarrantyReviewRulesAdmin(admin.ModelAdmin):
    list_display = ("min_outlets", "min_designated_city_outlets", "max_response_hours", "max_repair_days")
