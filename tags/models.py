"""Service tags (服务标签), their versioned terms, category badges (电 mark), holdings and their history.

Applications and brand warranty services live here too (see the tags issue); the core contract
used by other apps is: Tag, TagTermsVersion (structured terms + compensation formula),
TagHolding (merchant × category × tag, with state and configuration) and BadgeHolding.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from merchants.models import Category, Merchant


def _localized(obj, field: str) -> str:
    lang = translation.get_language() or "zh-hans"
    zh, en = getattr(obj, f"{field}_zh"), getattr(obj, f"{field}_en")
    return zh if lang.startswith("zh") else (en or zh)


class Tag(BaseModel):
    class Group(models.TextChoices):
        VALUE_ADDED = "value_added", _("value-added services")
        DISPATCH = "dispatch", _("dispatch")
        AFTER_SALES = "after_sales", _("after-sales & installation")

    class Lifecycle(models.TextChoices):
        COMING_SOON = "coming_soon", _("coming soon")
        ACTIVE = "active", _("active")
        RETIRED = "retired", _("retired")

    code = models.SlugField(max_length=40, unique=True)
    name_zh = models.CharField(max_length=40)
    name_en = models.CharField(max_length=60)
    group = models.CharField(max_length=20, choices=Group.choices)
    monitored = models.BooleanField(default=True, help_text=_("Monitored tags create per-order commitments."))
    lifecycle = models.CharField(max_length=12, choices=Lifecycle.choices, default=Lifecycle.ACTIVE)
    needs_review = models.BooleanField(default=False, help_text=_("Applications go to staff review."))
    # Tags sharing a non-empty exclusive_group are mutually exclusive per merchant × category.
    exclusive_group = models.CharField(max_length=40, blank=True)
    # The tag this one needs alongside it (late_free_order needs next_day_delivery).
    requires = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    categories = models.ManyToManyField(Category, related_name="eligible_tags", blank=True)
    current_terms = models.ForeignKey(
        "TagTermsVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("service tag")

    def __str__(self) -> str:
        return f"{self.name_zh} ({self.code})"

    @property
    def name(self) -> str:
        return _localized(self, "name")


class TagTermsVersion(BaseModel):
    """An immutable version of a tag's promise and compensation. Commitments point at one."""

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="terms_versions")
    version = models.PositiveIntegerField()
    promise_zh = models.TextField()
    promise_en = models.TextField()
    compensation_zh = models.TextField(blank=True)
    compensation_en = models.TextField(blank=True)
    # Measurable terms, e.g. {"kind": "pickup_within_hours", "hours": 24}.
    terms = models.JSONField(default=dict, blank=True)
    # Compensation formula, e.g. {"formula": "percent", "percent": "5", "min": "3", "max": "50"}.
    # formulas: percent(percent,min,max) | fixed(amount) | fee_plus(fixed) | order_amount(cap) | tiered(...)
    compensation = models.JSONField(default=dict, blank=True)
    daily_cap = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("100.00"))
    agreement_zh = models.TextField(blank=True)
    agreement_en = models.TextField(blank=True)

    class Meta:
        ordering = ["tag", "-version"]
        verbose_name = _("tag terms version")
        constraints = [models.UniqueConstraint(fields=["tag", "version"], name="tag_terms_version_unique")]

    def __str__(self) -> str:
        return f"{self.tag.code} v{self.version}"

    @property
    def promise(self) -> str:
        return _localized(self, "promise")

    @property
    def compensation_text(self) -> str:
        return _localized(self, "compensation")


class CategoryBadge(BaseModel):
    """The category mark (电器城“电”标): held while every required tag for the category is active."""

    category = models.OneToOneField(Category, on_delete=models.CASCADE, related_name="badge")
    code = models.SlugField(max_length=40, unique=True)
    name_zh = models.CharField(max_length=40)
    name_en = models.CharField(max_length=60)
    title_prefix_zh = models.CharField(max_length=20)
    title_prefix_en = models.CharField(max_length=40)
    search_boost = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("1.20"))
    campaign_eligible = models.BooleanField(default=True)
    required_tags = models.ManyToManyField(Tag, related_name="badges")

    class Meta:
        verbose_name = _("category badge")

    def __str__(self) -> str:
        return f"{self.name_zh} ({self.category.code})"

    @property
    def name(self) -> str:
        return _localized(self, "name")

    @property
    def title_prefix(self) -> str:
        return _localized(self, "title_prefix")


class TagHolding(BaseModel):
    """A merchant × category × tag: whether the merchant holds the tag now, and under what configuration."""

    class State(models.TextChoices):
        ACTIVE = "active", _("active")
        WITHDRAWN = "withdrawn", _("withdrawn")
        RECTIFYING = "rectifying", _("in rectification")  # revoked; the next evaluation may restore it
        BARRED = "barred", _("barred")  # may not apply until barred_until

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="tag_holdings")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="holdings")
    state = models.CharField(max_length=12, choices=State.choices, default=State.ACTIVE)
    terms_version = models.ForeignKey(TagTermsVersion, on_delete=models.PROTECT, related_name="+")
    # Tag-specific configuration: {"sf_coverage": ["110000", ...]} | {"warehouse": true} |
    # {"warranty": {"option": "brand_service", "service_id": 3}} | {"returns_terms_accepted": true}
    config = models.JSONField(default=dict, blank=True)
    granted_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    rectification_month = models.DateField(null=True, blank=True, help_text=_("First day of the month."))
    barred_until = models.DateField(null=True, blank=True, help_text=_("May apply again from this day."))

    class Meta:
        verbose_name = _("tag holding")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "category", "tag"], name="tag_holding_unique"),
        ]
        indexes = [
            models.Index(
                fields=["merchant", "category"], name="tag_holding_active_idx", condition=Q(state="active")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id}/{self.category_id}/{self.tag_id} {self.state}"


class HoldingEvent(models.Model):
    """History of a holding: granted, withdrawn, revoked, restored, barred, reinstated."""

    class Kind(models.TextChoices):
        GRANTED = "granted", _("granted")
        WITHDRAWN = "withdrawn", _("withdrawn")
        REVOKED = "revoked", _("revoked")
        RESTORED = "restored", _("restored")
        BARRED = "barred", _("barred")

    holding = models.ForeignKey(TagHolding, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    reason = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("holding event")

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d}"


class BadgeHolding(BaseModel):
    """Whether a merchant holds a category's badge now."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="badge_holdings")
    badge = models.ForeignKey(CategoryBadge, on_delete=models.PROTECT, related_name="holdings")
    active = models.BooleanField(default=True)
    since = models.DateTimeField()

    class Meta:
        verbose_name = _("badge holding")
        constraints = [models.UniqueConstraint(fields=["merchant", "badge"], name="badge_holding_unique")]

    def __str__(self) -> str:
        return f"{self.merchant_id}/{self.badge_id} {'active' if self.active else 'inactive'}"


class BadgeEvent(models.Model):
    class Kind(models.TextChoices):
        GRANTED = "granted", _("granted")
        REVOKED = "revoked", _("revoked")

    holding = models.ForeignKey(BadgeHolding, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("badge event")

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d}"
