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

from core.i18n import localized
from core.models import BaseModel
from core.texts import stored_text, text_columns
from merchants.models import Category, Merchant


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
        return localized(self, "name")


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
        return localized(self, "promise")

    @property
    def compensation_text(self) -> str:
        return localized(self, "compensation")


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
        return localized(self, "name")

    @property
    def title_prefix(self) -> str:
        return localized(self, "title_prefix")


class TagHolding(BaseModel):
    """A merchant × category × tag: whether the merchant holds the tag now, and under what configuration."""

    class State(models.TextChoices):
        ACTIVE = "active", _("active")
        WITHDRAWN = "withdrawn", _("withdrawn")
        RECTIFYING = "rectifying", _("in rectification")  # revoked; the next evaluation may restore it
        BARRED = "barred", _("barred")  # may not apply until barred_until

    # No index of its own: the unique (merchant, category, tag) one serves every lookup by merchant (one
    # index less to write for each of the evaluation's thousands of moves).
    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="tag_holdings", db_index=False
    )
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
    # English; the reader's language from the code + parameters (core.texts): `reason_text`.
    reason = models.CharField(max_length=300, blank=True)
    reason_code, reason_params = text_columns()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("holding event")

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d}"

    reason_text = stored_text("reason")


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
    # English; the reader's language from the code + parameters (core.texts): `reason_text`.
    reason = models.CharField(max_length=300, blank=True)
    reason_code, reason_params = text_columns()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("badge event")

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d}"

    reason_text = stored_text("reason")


class TagApplication(BaseModel):
    """A merchant's application for a tag in one category (SPEC §4)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        AWAITING_AGREEMENT = "awaiting_agreement", _("awaiting agreement")
        UNDER_REVIEW = "under_review", _("under staff review")
        ACTIVE = "active", _("active")
        REJECTED = "rejected", _("rejected")

    OPEN_STATES = ("draft", "submitted", "awaiting_agreement", "under_review")
    ALLOWED_TRANSITIONS = {
        "draft": ("submitted",),
        "submitted": ("awaiting_agreement", "rejected"),
        "awaiting_agreement": ("under_review", "active", "rejected"),
        "under_review": ("active", "rejected"),
        "active": (),
        "rejected": (),
    }

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="tag_applications")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="applications")
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)
    # Tag-specific configuration, copied to the holding on grant (see TagHolding.config).
    config = models.JSONField(default=dict, blank=True)
    terms_version = models.ForeignKey(
        TagTermsVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # English; the reader's language from the code + parameters (core.texts): `rejection_reason_text`.
    rejection_reason = models.TextField(blank=True)
    rejection_reason_code, rejection_reason_params = text_columns()
    needs_review = models.BooleanField(default=False)
    holding = models.ForeignKey(
        TagHolding, null=True, blank=True, on_delete=models.SET_NULL, related_name="applications"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("tag application")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "category", "tag"],
                condition=Q(state__in=["draft", "submitted", "awaiting_agreement", "under_review"]),
                name="tag_application_one_open",
            )
        ]
        indexes = [models.Index(fields=["state", "submitted_at"], name="tag_application_queue_idx")]

    def __str__(self) -> str:
        return f"application #{self.pk} {self.tag_id} {self.state}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    rejection_reason_text = stored_text("rejection_reason")


class ApplicationCheck(models.Model):
    """One check's result at one submission: passed, failed (and why) or not evaluated yet."""

    class Status(models.TextChoices):
        PASSED = "passed", _("passed")
        FAILED = "failed", _("failed")
        NOT_EVALUATED = "not_evaluated", _("not evaluated yet")

    application = models.ForeignKey(TagApplication, on_delete=models.CASCADE, related_name="checks")
    position = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=40)
    label_en = models.CharField(max_length=120)
    label_zh = models.CharField(max_length=120)
    status = models.CharField(max_length=16, choices=Status.choices)
    # `detail_key` is an English message (translated at display time) filled from `detail_params`;
    # `detail` is the same in English, or the plain text a registered provider returned.
    detail = models.TextField(blank=True)
    detail_key = models.TextField(blank=True)
    detail_params = models.JSONField(default=dict, blank=True)
    checked_at = models.DateTimeField()

    class Meta:
        ordering = ["application", "position"]
        verbose_name = _("application check")

    def __str__(self) -> str:
        return f"{self.code}: {self.status}"

    @property
    def label(self) -> str:
        return localized(self, "label")

    @property
    def detail_display(self) -> str:
        if self.detail_key:
            try:
                return translation.gettext(self.detail_key) % self.detail_params
            except (KeyError, TypeError, ValueError):
                return self.detail
        return self.detail


class TagAgreement(models.Model):
    """The merchant's online signature of a tag's agreement: who, when, which terms version."""

    application = models.OneToOneField(TagApplication, on_delete=models.CASCADE, related_name="agreement")
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="tag_agreements")
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="+")
    terms_version = models.ForeignKey(TagTermsVersion, on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signer_name = models.CharField(max_length=120)
    signed_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # SHA-256 of the agreement text as shown, so the signed wording can be proven later.
    text_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-signed_at"]
        verbose_name = _("tag agreement")

    def __str__(self) -> str:
        return f"{self.tag_id} v{self.terms_version_id} signed by {self.signer_name}"


class WarrantyReviewRules(BaseModel):
    """Staff-editable rules for approving large-appliance brand warranty services (one row)."""

    min_outlets = models.PositiveIntegerField(default=60)
    min_designated_city_outlets = models.PositiveIntegerField(default=30)
    max_response_hours = models.PositiveIntegerField(default=24)
    max_repair_days = models.PositiveIntegerField(default=30)
    designated_cities = models.JSONField(
        default=list,
        blank=True,
        help_text=_("City names (zh) that count as designated cities."),
    )

    class Meta:
        verbose_name = _("warranty review rules")
        verbose_name_plural = _("warranty review rules")

    def __str__(self) -> str:
        return "warranty review rules"

    @classmethod
    def current(cls) -> "WarrantyReviewRules":
        rules = cls.objects.order_by("pk").first()
        return rules if rules is not None else cls(designated_cities=list(DEFAULT_DESIGNATED_CITIES))


DEFAULT_DESIGNATED_CITIES = (
    "北京", "上海", "广州", "深圳", "天津", "重庆", "成都", "杭州", "武汉", "南京", "西安", "苏州",
    "郑州", "长沙", "沈阳", "青岛", "宁波", "东莞", "无锡", "济南", "大连", "厦门", "福州", "合肥",
    "昆明", "哈尔滨", "长春", "石家庄", "南宁", "南昌", "贵阳", "太原", "佛山", "温州", "泉州",
)  # fmt: skip


class BrandWarrantyService(BaseModel):
    """A brand's nationwide warranty service (品牌全国联保服务), reviewed by staff before merchants may use it."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("awaiting review")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    class Integration(models.TextChoices):
        API = "api", _("API integration")
        PORTAL = "portal", _("portal tool")
        DISPLAY_ONLY = "display_only", _("display only")

    ALLOWED_TRANSITIONS = {"submitted": ("approved", "rejected"), "approved": (), "rejected": ()}

    brand = models.ForeignKey("merchants.Brand", on_delete=models.PROTECT, related_name="warranty_services")
    hotline = models.CharField(max_length=40)
    warranty_period_months = models.PositiveSmallIntegerField()
    policy_zh = models.TextField()
    policy_en = models.TextField(blank=True)
    response_hours = models.PositiveSmallIntegerField()
    repair_days = models.PositiveSmallIntegerField()
    integration_mode = models.CharField(max_length=16, choices=Integration.choices)
    state = models.CharField(max_length=12, choices=State.choices, default=State.SUBMITTED, db_index=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("brand warranty service")

    def __str__(self) -> str:
        return f"{self.brand} warranty ({self.state})"

    @property
    def policy(self) -> str:
        return localized(self, "policy")


class WarrantyOutlet(models.Model):
    service = models.ForeignKey(BrandWarrantyService, on_delete=models.CASCADE, related_name="outlets")
    name = models.CharField(max_length=120)
    city = models.CharField(max_length=40)
    province = models.CharField(max_length=6, blank=True)
    address = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["service", "city", "name"]
        verbose_name = _("warranty outlet")

    def __str__(self) -> str:
        return f"{self.name} ({self.city})"
