"""Merchants, their members, categories, brands, products, and the deposit (保证金) ledger."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.i18n import is_chinese, localized
from core.models import BaseModel
from core.texts import stored_text, text_columns


class LocalizedNameMixin:
    """`name` in the active language (zh for zh-hans, else en)."""

    @property
    def name(self) -> str:
        return localized(self, "name")


class Category(LocalizedNameMixin, BaseModel):
    code = models.SlugField(max_length=40, unique=True)
    name_zh = models.CharField(max_length=60)
    name_en = models.CharField(max_length=60)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    required_deposit = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.CheckConstraint(condition=Q(required_deposit__gte=0), name="category_deposit_gte_0")
        ]

    def __str__(self) -> str:
        return f"{self.name_zh} ({self.code})"


class Merchant(BaseModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        SUSPENDED = "suspended", _("suspended")
        CLOSED = "closed", _("closed")

    name = models.CharField(_("shop name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    shop_code = models.CharField(_("shop code"), max_length=20, unique=True)
    main_category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    contact_email = models.EmailField(blank=True)

    class Meta:
        ordering = ["shop_code"]
        verbose_name = _("merchant")

    def __str__(self) -> str:
        return f"{self.name} [{self.shop_code}]"

    @property
    def display_name(self) -> str:
        return self.name if is_chinese() or not self.name_en else self.name_en


class Membership(BaseModel):
    """A user works for exactly one merchant, as owner or staff."""

    class Role(models.TextChoices):
        OWNER = "merchant_owner", _("owner")
        STAFF = "merchant_staff", _("staff")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")

    def __str__(self) -> str:
        return f"{self.user} @ {self.merchant.shop_code} ({self.role})"


class Brand(LocalizedNameMixin, BaseModel):
    name_zh = models.CharField(max_length=80, unique=True)
    name_en = models.CharField(max_length=80, blank=True)
    is_large_appliance = models.BooleanField(default=False)

    class Meta:
        ordering = ["name_en", "name_zh"]
        verbose_name = _("brand")

    def __str__(self) -> str:
        return self.name_zh


class Product(BaseModel):
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="products")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="products")
    title = models.CharField(max_length=200)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    is_bulky = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("product")
        indexes = [models.Index(fields=["merchant", "category"])]
        constraints = [models.CheckConstraint(condition=Q(price__gte=0), name="product_price_gte_0")]

    def __str__(self) -> str:
        return self.title


class DepositAccount(BaseModel):
    """The merchant's deposit. `balance` is the running sum of its entries, kept under a row lock."""

    merchant = models.OneToOneField(Merchant, on_delete=models.CASCADE, related_name="deposit")
    balance = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    # Set when the balance fell below the main category's requirement; cleared on top-up.
    topup_required_since = models.DateTimeField(null=True, blank=True, db_index=True)

    TOPUP_GRACE_DAYS = 14

    class Meta:
        verbose_name = _("deposit account")

    def __str__(self) -> str:
        return f"deposit of {self.merchant_id}: {self.balance}"

    @property
    def topup_due_at(self):
        if self.topup_required_since is None:
            return None
        return self.topup_required_since + timedelta(days=self.TOPUP_GRACE_DAYS)


class DepositEntry(models.Model):
    """An append-only ledger line. Credits are positive, debits negative; never edited or deleted."""

    class Kind(models.TextChoices):
        TOP_UP = "top_up", _("top-up")
        COMPENSATION_RECOVERY = "compensation_recovery", _("compensation recovery")
        COMPLAINT_RECOVERY = "complaint_recovery", _("complaint recovery")
        REVERSAL = "reversal", _("reversal")
        REFUND = "refund", _("refund to merchant")

    CREDIT_KINDS = (Kind.TOP_UP, Kind.REVERSAL)
    DEBIT_KINDS = (Kind.COMPENSATION_RECOVERY, Kind.COMPLAINT_RECOVERY, Kind.REFUND)

    account = models.ForeignKey(DepositAccount, on_delete=models.PROTECT, related_name="entries")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    balance_after = models.DecimalField(max_digits=14, decimal_places=2)
    # English; the reader's language from the code + parameters (core.texts): `memo_text`.
    memo = models.CharField(max_length=200, blank=True)
    memo_code, memo_params = text_columns()
    # What caused it, e.g. ("commitments.voucher", "123"); with `kind` it is the idempotency key.
    source_type = models.CharField(max_length=60, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("deposit entry")
        verbose_name_plural = _("deposit entries")
        indexes = [models.Index(fields=["account", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind__in=["top_up", "reversal"], amount__gt=0))
                | (Q(kind__in=["compensation_recovery", "complaint_recovery", "refund"], amount__lt=0)),
                name="deposit_entry_sign_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["account", "kind", "source_type", "source_id"],
                condition=~Q(source_type=""),
                name="deposit_entry_once_per_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"

    memo_text = stored_text("memo")


class Notice(models.Model):
    """A message for a merchant's users (the back-office notification centre), e-mailed where configured.

    Stored as a code and parameters, rendered in the reader's language by the renderer its app
    registered in `merchants.notices` (an app above merchants: scoring, courses ...).
    `key` makes each notice once-only (e.g. one per evaluation result and action).
    """

    # Written by the thousand by the monthly evaluation: no index more than its reads need (the
    # (merchant, -created_at) one serves the merchant's lookups; the key's unique constraint, declared
    # in Meta, has no second pattern index, as nothing searches keys by prefix).
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="notices", db_index=False)
    key = models.CharField(max_length=120)
    code = models.CharField(max_length=60)
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email_to = models.EmailField(blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("merchant notice")
        indexes = [
            models.Index(fields=["merchant", "-created_at"]),
            models.Index(fields=["merchant"], name="notice_unread_idx", condition=Q(read_at=None)),
        ]
        constraints = [models.UniqueConstraint(fields=["key"], name="notice_key_once")]

    def __str__(self) -> str:
        return f"{self.code} for {self.merchant_id}"
