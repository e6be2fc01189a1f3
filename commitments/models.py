"""Orders and fulfilment events (ingested), per-order commitments, breaches and vouchers.

Contract used by other apps: Order (one paid order), FulfilmentEvent, Commitment (order × tag,
the promise snapshot), Breach (a commitment not kept) and Voucher (无门槛代金券, one per breach or
per other compensation source, enforced by unique constraints). CommitmentSettings holds the
app's business numbers (voucher validity, appeal window, sweep grace, the on-time dispatch check),
one row that staff_ops edit in the admin; code reads them through
``commitments.selectors.commitment_settings()``.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel, SingletonSettings
from core.texts import stored_text, text_columns
from merchants.models import Brand, Category, Merchant, Product
from tags.models import BrandWarrantyService, Tag, TagTermsVersion, WarrantyOutlet


@dataclass(frozen=True)
class CommitmentRules:
    """A snapshot of CommitmentSettings: what a batch, a page or a check reads once and uses throughout."""

    voucher_valid_days: int
    sweep_grace_minutes: int
    appeal_days: int
    check_window_days: int
    on_time_percent_min: Decimal
    on_time_min_orders: int

    @property
    def voucher_validity(self) -> timedelta:
        return timedelta(days=self.voucher_valid_days)

    @property
    def sweep_grace(self) -> timedelta:
        return timedelta(minutes=self.sweep_grace_minutes)

    @property
    def appeal_window(self) -> timedelta:
        return timedelta(days=self.appeal_days)

    @property
    def check_window(self) -> timedelta:
        return timedelta(days=self.check_window_days)


class CommitmentSettings(SingletonSettings):
    """The commitments app's numbers (SPEC §4, §5), editable by staff_ops in the admin. Exactly one row (pk 1).

    Read through ``commitments.selectors.commitment_settings()`` (cached); change through
    ``commitments.services.commitment_settings_update`` (validates, audits, refreshes the cache).
    The pattern is ``core.models.SingletonSettings``.
    """

    Snapshot = CommitmentRules
    AUDIT_VERB = "commitment_settings.changed"
    CACHE_KEY = "commitments:settings:v1"
    EDITABLE = (
        "voucher_valid_days",
        "sweep_grace_minutes",
        "appeal_days",
        "check_window_days",
        "on_time_percent_min",
        "on_time_min_orders",
    )

    voucher_valid_days = models.PositiveSmallIntegerField(
        _("voucher validity (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("A compensation voucher can be redeemed for this many days after it is issued (1–3650)."),
    )
    sweep_grace_minutes = models.PositiveSmallIntegerField(
        _("sweep grace (minutes)"),
        default=15,
        validators=[MaxValueValidator(1440)],
        help_text=_(
            "The deadline sweep waits this long past a deadline before it breaches a commitment, "
            "so that late-arriving events still count (0–1440)."
        ),
    )
    appeal_days = models.PositiveSmallIntegerField(
        _("breach appeal window (days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("A merchant may appeal a breach for this many days after it was detected (1–365)."),
    )
    check_window_days = models.PositiveSmallIntegerField(
        _("on-time dispatch check window (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("The tag-application check looks at orders paid in this many last days (1–365)."),
    )
    on_time_percent_min = models.DecimalField(
        _("minimum on-time dispatch rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("95.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Dispatch tags: applications need at least this on-time rate, in percent (0–100)."),
    )
    on_time_min_orders = models.PositiveIntegerField(
        _("minimum dispatch-tracked orders"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(1_000_000)],
        help_text=_("With fewer dispatch-tracked orders in the window the check passes on counts."),
    )

    class Meta:
        verbose_name = _("commitment settings")
        verbose_name_plural = _("commitment settings")
        constraints = [
            SingletonSettings.single_row_constraint("commitment_settings_single_row"),
            models.CheckConstraint(
                condition=Q(voucher_valid_days__gte=1, voucher_valid_days__lte=3650),
                name="commitment_settings_voucher_days_range",
            ),
            models.CheckConstraint(
                condition=Q(sweep_grace_minutes__lte=1440), name="commitment_settings_grace_range"
            ),
            models.CheckConstraint(
                condition=Q(appeal_days__gte=1, appeal_days__lte=365), name="commitment_settings_appeal_range"
            ),
            models.CheckConstraint(
                condition=Q(check_window_days__gte=1, check_window_days__lte=365),
                name="commitment_settings_window_range",
            ),
            models.CheckConstraint(
                condition=Q(on_time_percent_min__gte=0, on_time_percent_min__lte=100),
                name="commitment_settings_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(on_time_min_orders__gte=1), name="commitment_settings_min_orders_gte_1"
            ),
        ]

    def __str__(self) -> str:
        return str(_("commitment settings"))

    def rules(self) -> CommitmentRules:
        return self.snapshot()


class RefundReason(models.TextChoices):
    """The category of a refund's reason; anything else upstream sends is `other`."""

    QUALITY = "quality", _("quality problem")
    NOT_AS_DESCRIBED = "not_as_described", _("not as described")
    LOGISTICS = "logistics", _("logistics problem")
    CHANGED_MIND = "changed_mind", _("changed mind")
    OTHER = "other", _("other")


class Order(BaseModel):
    external_id = models.CharField(max_length=64, unique=True)
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="orders")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="orders")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")  # from the product
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="+")  # from the product
    shopper_ref = models.CharField(max_length=64, db_index=True)
    quantity = models.PositiveIntegerField(default=1)
    paid_amount = models.DecimalField(max_digits=12, decimal_places=2)
    shipping_fee = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    province = models.CharField(max_length=6)
    paid_at = models.DateTimeField()
    agreed_install_date = models.DateField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Facts folded in from events at ingestion (same transaction), so metrics need no event scan.
    # The rule per fact (docs/order-facts.md): times are first-wins (the earliest occurred_at of that
    # kind, whatever the arrival order); the carrier and the refund reason come from that first event;
    # the rating is the first `rated` event (a later follow-up review does not replace the DSR);
    # staff intervention is sticky (true once any `refunded` event says so).
    first_pickup_at = models.DateTimeField(null=True, blank=True)
    carrier = models.CharField(max_length=20, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    logistics_exception_at = models.DateTimeField(null=True, blank=True)
    refund_requested_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    refund_reason = models.CharField(max_length=20, choices=RefundReason.choices, blank=True, db_default="")
    refund_staff_intervened = models.BooleanField(db_default=False)
    rated_at = models.DateTimeField(null=True, blank=True)
    rating_product = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_described = models.PositiveSmallIntegerField(null=True, blank=True)  # DSR: item as described
    rating_attitude = models.PositiveSmallIntegerField(null=True, blank=True)  # DSR: service attitude
    rating_logistics = models.PositiveSmallIntegerField(null=True, blank=True)  # DSR: logistics
    # The DSR rating's place among the same shopper's ratings of this merchant in its local calendar
    # month, earliest first (commitments.indicators.dsr_ranked); kept by ingestion for every rating of
    # the group when one arrives. The evaluation counts the ranks up to its per-shopper cap.
    dsr_rank = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        indexes = [
            # The ratings of one shopper × merchant × month (ranked again when one arrives) and of the
            # local days the rating rollup re-aggregates: rated orders only.
            models.Index(
                fields=["merchant", "shopper_ref", "rated_at"],
                name="order_rating_rank_idx",
                condition=Q(rated_at__isnull=False),
            ),
            models.Index(fields=["rated_at"], name="order_rated_idx", condition=Q(rated_at__isnull=False)),
            models.Index(fields=["merchant", "paid_at"]),
            models.Index(fields=["paid_at"]),
            # The refund disputes of a month (complaints.indicators.refund_dispute_rate): a small share.
            models.Index(
                fields=["refunded_at"],
                name="order_refund_dispute_idx",
                condition=Q(refund_staff_intervened=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(paid_amount__gte=0), name="order_paid_amount_gte_0"),
            models.CheckConstraint(condition=Q(shipping_fee__gte=0), name="order_shipping_fee_gte_0"),
        ]

    def __str__(self) -> str:
        return self.external_id


class FulfilmentEvent(models.Model):
    class Kind(models.TextChoices):
        PICKUP_SCANNED = "pickup_scanned", _("pickup scanned")
        DELIVERED = "delivered", _("delivered")
        INSTALLED = "installed", _("installed")
        REFUND_REQUESTED = "refund_requested", _("refund requested")
        REFUNDED = "refunded", _("refunded")
        RETURN_SIGNED = "return_signed", _("return signed")
        RETURN_FREIGHT_REIMBURSED = "return_freight_reimbursed", _("return freight reimbursed")
        INVOICE_REQUESTED = "invoice_requested", _("invoice requested")
        INVOICE_ISSUED = "invoice_issued", _("invoice issued")
        RATED = "rated", _("rated")
        HELP_REQUESTED = "help_requested", _("help requested")
        CANCELLED = "cancelled", _("cancelled")
        # The carrier reports a problem in transit (lost, damaged, stalled, returned to sender).
        LOGISTICS_EXCEPTION = "logistics_exception", _("logistics exception")

    external_id = models.CharField(max_length=64, unique=True)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("fulfilment event")
        indexes = [models.Index(fields=["order", "kind"]), models.Index(fields=["kind", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.external_id} {self.kind}"


class Commitment(BaseModel):
    """One order × one monitored tag, as promised at payment time. Never altered by later tag changes."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        MET = "met", _("met")
        BREACHED = "breached", _("breached")
        COMPENSATED = "compensated", _("compensated")
        EXEMPTED = "exempted", _("exempted")

    ALLOWED_TRANSITIONS = {
        State.PENDING: {State.MET, State.BREACHED, State.EXEMPTED},
        State.BREACHED: {State.COMPENSATED, State.EXEMPTED},
        State.MET: {State.BREACHED},  # an upheld complaint can establish a breach after the fact
        State.COMPENSATED: set(),
        State.EXEMPTED: set(),
    }

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="commitments")
    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="+"
    )  # denormalized for metrics
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="+")
    terms_version = models.ForeignKey(TagTermsVersion, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    deadline = models.DateTimeField(null=True, blank=True)  # None: kept unless a complaint says otherwise
    resolved_at = models.DateTimeField(null=True, blank=True)
    # English; the reader's language from the code + parameters (core.texts): `exemption_reason_text`.
    exemption_reason = models.CharField(max_length=200, blank=True)
    exemption_reason_code, exemption_reason_params = text_columns()
    force_majeure = models.ForeignKey(
        "ForceMajeure", null=True, blank=True, on_delete=models.SET_NULL, related_name="commitments"
    )

    class Meta:
        verbose_name = _("commitment")
        constraints = [models.UniqueConstraint(fields=["order", "tag"], name="commitment_once_per_order_tag")]
        indexes = [
            # The sweep: pending commitments past their deadline, oldest first.
            models.Index(
                fields=["deadline"], name="commitment_pending_deadline", condition=Q(state="pending")
            ),
            models.Index(fields=["merchant", "tag", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.tag_id} {self.state}"

    exemption_reason_text = stored_text("exemption_reason")


class Breach(BaseModel):
    class Source(models.TextChoices):
        EVENT = "event", _("fulfilment event")
        SWEEP = "sweep", _("deadline sweep")
        COMPLAINT = "complaint", _("upheld complaint")
        REPAIR = "repair", _("late repair ticket")

    commitment = models.OneToOneField(Commitment, on_delete=models.CASCADE, related_name="breach")
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="+")
    detected_at = models.DateTimeField()
    source = models.CharField(max_length=12, choices=Source.choices)
    # English; the reader's language from the code + parameters (core.texts): `detail_text`.
    detail = models.CharField(max_length=300, blank=True)
    detail_code, detail_params = text_columns()
    severity = models.CharField(max_length=10, default="late")  # "late" | "severe" (tiered formulas)
    # The level compensation has been settled for ("" = nothing yet); below `severity`, a top-up is owed.
    paid_level = models.CharField(max_length=10, blank=True, default="", db_default="")
    # Tiered terms: when a "late" breach becomes "severe" unless the fulfilling fact came in time
    # (delivery_install: the deadline + severe_late_days). The sweep escalates past it.
    escalate_at = models.DateTimeField(null=True, blank=True)
    # False once an appeal is upheld: the breach drops out of every metric (the voucher stays).
    counts_in_metrics = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("breach")
        indexes = [
            models.Index(fields=["merchant", "detected_at"]),
            models.Index(
                fields=["escalate_at"], name="breach_escalate_at", condition=Q(escalate_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"breach of commitment {self.commitment_id}"

    detail_text = stored_text("detail")


class Voucher(BaseModel):
    """无门槛代金券 issued to a shopper. One per source (a breach, a complaint decision ...)."""

    class State(models.TextChoices):
        ISSUED = "issued", _("issued")
        REDEEMED = "redeemed", _("redeemed")
        EXPIRED = "expired", _("expired")

    class FundedBy(models.TextChoices):
        MERCHANT = "merchant", _("merchant")
        PLATFORM = "platform", _("platform")

    code = models.CharField(max_length=24, unique=True)
    shopper_ref = models.CharField(max_length=64, db_index=True)
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="vouchers")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="vouchers")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="CNY")
    state = models.CharField(max_length=10, choices=State.choices, default=State.ISSUED)
    valid_until = models.DateTimeField()
    redeemed_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    funded_by = models.CharField(max_length=10, choices=FundedBy.choices, default=FundedBy.MERCHANT)
    # The first voucher of a breach; a top-up for a raised severity level links `top_up_of` instead.
    breach = models.OneToOneField(
        Breach, null=True, blank=True, on_delete=models.PROTECT, related_name="voucher"
    )
    top_up_of = models.ForeignKey(
        Breach, null=True, blank=True, on_delete=models.PROTECT, related_name="top_ups"
    )
    level = models.CharField(
        max_length=10, blank=True, default="", db_default=""
    )  # the breach's severity it pays
    # Other sources (e.g. "complaints.complaint", "42"); unique with source_type.
    source_type = models.CharField(max_length=60)
    source_id = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("voucher")
        constraints = [
            models.UniqueConstraint(fields=["source_type", "source_id"], name="voucher_once_per_source"),
            # Exactly once per breach × severity level, whichever path paid it (base or top-up).
            models.UniqueConstraint(
                Coalesce("breach", "top_up_of"), "level", name="voucher_once_per_breach_level"
            ),
            models.CheckConstraint(
                condition=Q(breach__isnull=True) | Q(top_up_of__isnull=True), name="voucher_base_or_top_up"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="voucher_amount_gt_0"),
        ]
        indexes = [models.Index(fields=["state", "valid_until"])]

    # What a reader sees for source_type (never the internal dotted name).
    SOURCE_LABELS = {
        "commitments.breach": _("broken commitment"),
        "complaints.complaint": _("complaint decision"),
    }

    def __str__(self) -> str:
        return f"{self.code} {self.amount} {self.currency}"

    @property
    def source_label(self) -> str:
        return str(self.SOURCE_LABELS.get(self.source_type, _("other compensation")))


class ForceMajeure(BaseModel):
    """A staff_ops declaration (不可抗力): commitments due in these provinces × time range × tags are exempt."""

    provinces = models.JSONField(default=list, help_text=_("Province codes (GB/T 2260)."))
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    tags = models.ManyToManyField(Tag, related_name="+")
    reason = models.CharField(max_length=300)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    exempted_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("force-majeure declaration")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="force_majeure_range_valid")
        ]

    def __str__(self) -> str:
        return f"{self.reason} ({self.starts_at:%Y-%m-%d} – {self.ends_at:%Y-%m-%d})"


class BreachAppeal(BaseModel):
    """The merchant's appeal of a breach (within CommitmentSettings.appeal_days, with evidence); staff decide."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        UPHELD = "upheld", _("upheld")
        REJECTED = "rejected", _("rejected")

    ALLOWED_TRANSITIONS = {
        State.SUBMITTED: {State.UPHELD, State.REJECTED},
        State.UPHELD: set(),
        State.REJECTED: set(),
    }

    breach = models.OneToOneField(Breach, on_delete=models.CASCADE, related_name="appeal")
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.SUBMITTED)
    text = models.TextField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("breach appeal")
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return f"appeal of breach {self.breach_id} {self.state}"


class AppealEvidence(BaseModel):
    appeal = models.ForeignKey(BreachAppeal, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="appeals/%Y/%m/")
    name = models.CharField(max_length=200)

    class Meta:
        verbose_name = _("appeal evidence")

    def __str__(self) -> str:
        return self.name


class SweepRun(models.Model):
    """One pass of the deadline sweep: what cut-off it used, how far it got."""

    class State(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    cutoff = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    batches = models.PositiveIntegerField(default=0)
    breached = models.PositiveIntegerField(default=0)
    exempted = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("sweep run")

    def __str__(self) -> str:
        return f"sweep {self.started_at:%Y-%m-%d %H:%M} {self.state}"


class MetricsDirtyDay(models.Model):
    """A merchant × local paid day (Asia/Shanghai) whose metric facts changed since the daily rollup
    last read it. Written in the same transaction as the change (ingestion, breaches, appeals,
    complaint decisions, help requests); the score job re-aggregates these days and clears the marks
    older than its start."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    marked_at = models.DateTimeField()

    class Meta:
        verbose_name = _("metrics day to re-aggregate")
        constraints = [models.UniqueConstraint(fields=["merchant", "day"], name="metrics_dirty_once_per_day")]
        indexes = [models.Index(fields=["marked_at"])]

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.day}"


class RatingsDirtyDay(models.Model):
    """A merchant × local rating day (Asia/Shanghai) whose DSR ratings or their ranks changed since the
    rating rollup last read it. Written in the same transaction as the change (ingestion); the score
    job re-aggregates these days and clears the marks older than its start."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    marked_at = models.DateTimeField()

    class Meta:
        verbose_name = _("ratings day to re-aggregate")
        constraints = [models.UniqueConstraint(fields=["merchant", "day"], name="ratings_dirty_once_per_day")]
        indexes = [models.Index(fields=["marked_at"])]

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.day}"


class CompensationDay(models.Model):
    """What breaches paid one shopper for one merchant × tag on one local breach day: the daily cap.

    One row per key, created on first use and locked (``SELECT ... FOR UPDATE``) by every payment
    for that key, so concurrent workers queue on it and the total never passes the cap.
    """

    shopper_ref = models.CharField(max_length=64)
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    paid = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))

    class Meta:
        verbose_name = _("compensation day")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "shopper_ref", "tag", "day"], name="compensation_day_once_per_key"
            ),
            models.CheckConstraint(condition=Q(paid__gte=0), name="compensation_day_paid_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.shopper_ref} {self.merchant_id}/{self.tag_id} {self.day}: {self.paid}"


class OutboxMessage(models.Model):
    """Work committed together with the state that needs it (transactional outbox).

    A breach and its compensation intent are written in one transaction; after commit the message
    is published to the broker if it answers, else the relay (a periodic job) publishes it when the
    broker is back. The worker marks it done; paying is idempotent, so a message delivered twice
    still pays once.
    """

    class Topic(models.TextChoices):
        COMPENSATE = "compensate", _("compensate breaches")

    topic = models.CharField(max_length=20, choices=Topic.choices)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        indexes = [models.Index(fields=["created_at"], name="outbox_open", condition=Q(done_at__isnull=True))]

    def __str__(self) -> str:
        return f"{self.topic} #{self.pk}"


class RepairTicket(BaseModel):
    """A repair under a brand's integrated warranty service (SPEC §4): the brand accepts within the
    service's response hours and completes within its repair days. A ticket missing either
    deadline is flagged late and breaches the order's nationwide_warranty commitment."""

    class State(models.TextChoices):
        CREATED = "created", _("created")
        SENT_TO_BRAND = "sent_to_brand", _("sent to the brand")
        ACCEPTED = "accepted", _("accepted by the brand")
        COMPLETED = "completed", _("repair completed")

    ALLOWED_TRANSITIONS = {
        State.CREATED: {State.SENT_TO_BRAND},
        State.SENT_TO_BRAND: {State.ACCEPTED},
        State.ACCEPTED: {State.COMPLETED},
        State.COMPLETED: set(),
    }

    class Late(models.TextChoices):
        ACCEPT = "accept", _("not accepted in time")
        COMPLETE = "complete", _("not completed in time")

    external_id = models.CharField(max_length=64, unique=True)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="repair_tickets")
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(BrandWarrantyService, on_delete=models.PROTECT, related_name="repair_tickets")
    fault = models.CharField(max_length=300)
    state = models.CharField(max_length=16, choices=State.choices, default=State.CREATED)
    sent_at = models.DateTimeField(null=True, blank=True)
    accept_due_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    outlet = models.ForeignKey(
        WarrantyOutlet, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    complete_due_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    late = models.CharField(max_length=10, choices=Late.choices, blank=True)
    late_flagged_at = models.DateTimeField(null=True, blank=True)
    breach = models.ForeignKey(Breach, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("repair ticket")
        indexes = [
            models.Index(fields=["service", "state"]),
            models.Index(
                fields=["accept_due_at"], name="repair_awaiting_accept", condition=Q(state="sent_to_brand")
            ),
            models.Index(
                fields=["complete_due_at"], name="repair_awaiting_completion", condition=Q(state="accepted")
            ),
        ]

    def __str__(self) -> str:
        return f"repair {self.external_id} {self.state}"


class BrandRepairKey(BaseModel):
    """The API key a brand uses for its repair tickets (`Authorization: Brand <key>`); only its
    SHA-256 is stored."""

    service = models.OneToOneField(BrandWarrantyService, on_delete=models.CASCADE, related_name="repair_key")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)

    class Meta:
        verbose_name = _("brand repair API key")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.service_id})"
