"""Complaints desk (服务台): service standards, complaints, evidence, decisions, recovery, appeals, help requests.

Contract used by other apps (scoring, courses): ServiceStandard (the eight 服务标准, the complaint
types), Complaint (with state, responsibility and `counts_in_metrics`), HelpRequest (求助) and the
set-based metric selectors in `complaints.selectors`.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from commitments.models import Breach, Order, Voucher
from core.i18n import localized
from core.models import BaseModel, SingletonSettings
from merchants.models import DepositEntry, Merchant
from tags.models import Tag


@dataclass(frozen=True)
class DeskRules:
    """A snapshot of DeskSettings: what a service or a check reads once and uses throughout."""

    due_working_days: int
    merchant_response_hours: int
    appeal_days: int
    check_window_days: int
    fault_rate_max: Decimal
    small_sample_orders: int
    small_sample_max_upheld: int


class DeskSettings(SingletonSettings):
    """The desk's numbers, editable by staff_ops in the admin. Exactly one row (pk 1).

    Read through ``complaints.selectors.desk_settings()`` (cached); change through
    ``complaints.services.desk_settings_update`` (validates, audits, refreshes the cache).
    The pattern is ``core.models.SingletonSettings``.
    """

    Snapshot = DeskRules
    AUDIT_VERB = "desk_settings.changed"
    EDITABLE = (
        "due_working_days",
        "merchant_response_hours",
        "appeal_days",
        "check_window_days",
        "fault_rate_max",
        "small_sample_orders",
        "small_sample_max_upheld",
    )

    due_working_days = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    merchant_response_hours = models.PositiveSmallIntegerField(
        default=48, validators=[MinValueValidator(1), MaxValueValidator(720)]
    )
    appeal_days = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    # Tag application check: fault complaint rate over the last `check_window_days`.
    check_window_days = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    fault_rate_max = models.DecimalField(
        max_digits=6,
        decimal_places=4,
        default=Decimal("0.0050"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("0.0050 = 0.5%"),
    )
    small_sample_orders = models.PositiveIntegerField(default=30)
    small_sample_max_upheld = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("desk settings")
        verbose_name_plural = _("desk settings")
        constraints = [
            SingletonSettings.single_row_constraint("desk_settings_single_row"),
            models.CheckConstraint(
                condition=Q(due_working_days__gte=1, due_working_days__lte=60),
                name="desk_settings_due_days_range",
            ),
            models.CheckConstraint(
                condition=Q(merchant_response_hours__gte=1, merchant_response_hours__lte=720),
                name="desk_settings_response_hours_range",
            ),
            models.CheckConstraint(
                condition=Q(appeal_days__gte=1, appeal_days__lte=365), name="desk_settings_appeal_range"
            ),
            models.CheckConstraint(
                condition=Q(check_window_days__gte=1, check_window_days__lte=365),
                name="desk_settings_window_range",
            ),
            models.CheckConstraint(
                condition=Q(fault_rate_max__gte=0, fault_rate_max__lte=1),
                name="desk_settings_fault_rate_range",
            ),
        ]

    def __str__(self) -> str:
        return str(_("desk settings"))


class ServiceStandard(BaseModel):
    """One of the eight service standards (八项服务标准); the complaint types."""

    code = models.SlugField(max_length=40, unique=True)
    name_zh = models.CharField(max_length=40)
    name_en = models.CharField(max_length=60)
    process_zh = models.TextField(help_text=_("Handling process"))
    process_en = models.TextField()
    norms_zh = models.TextField(blank=True)
    norms_en = models.TextField(blank=True)
    # Same formula format as TagTermsVersion.compensation (tags.compensation.compute_amount).
    default_compensation = models.JSONField(default=dict)
    max_compensation = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("1000.00"))
    # False only where harm can exceed the price of the goods (personal injury).
    cap_at_paid_amount = models.BooleanField(default=True)
    urgent = models.BooleanField(default=False, help_text=_("Complaints of this type go to the top."))
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("service standard")

    def __str__(self) -> str:
        return f"{self.name_zh} ({self.code})"

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def process(self) -> str:
        return localized(self, "process")

    @property
    def norms(self) -> str:
        return localized(self, "norms")


class Complaint(BaseModel):
    class State(models.TextChoices):
        FILED = "filed", _("filed")
        ACCEPTED = "accepted", _("accepted")
        AWAITING_MERCHANT = "awaiting_merchant", _("awaiting merchant")
        UNDER_REVIEW = "under_review", _("under review")
        UPHELD = "upheld", _("upheld")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn")

    OPEN_STATES = (State.FILED, State.ACCEPTED, State.AWAITING_MERCHANT, State.UNDER_REVIEW)
    DECIDED_STATES = (State.UPHELD, State.REJECTED)

    ALLOWED_TRANSITIONS = {
        State.FILED: {State.ACCEPTED, State.WITHDRAWN},
        State.ACCEPTED: {State.AWAITING_MERCHANT, State.UNDER_REVIEW, State.WITHDRAWN},
        State.AWAITING_MERCHANT: {State.UNDER_REVIEW, State.WITHDRAWN},
        State.UNDER_REVIEW: {State.UPHELD, State.REJECTED, State.WITHDRAWN},
        State.UPHELD: set(),
        State.REJECTED: set(),
        State.WITHDRAWN: set(),
    }

    class Responsibility(models.TextChoices):
        MERCHANT = "merchant", _("merchant")
        THIRD_PARTY = "third_party", _("third party")
        SHOPPER = "shopper", _("shopper")
        PLATFORM = "platform", _("platform")

    class Payout(models.TextChoices):
        VOUCHER = "voucher", _("voucher")
        REFUND = "refund_instruction", _("refund instruction")
        NONE = "none", _("none")

    class Recovery(models.TextChoices):
        DEPOSIT = "deposit", _("merchant deposit")
        THIRD_PARTY = "third_party_claim", _("claim against third party")
        ABSORBED = "platform_absorbed", _("absorbed by the platform")
        NONE = "none", _("none")

    external_id = models.CharField(max_length=64, unique=True)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="complaints")
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="complaints")
    standard = models.ForeignKey(ServiceStandard, on_delete=models.PROTECT, related_name="complaints")
    tag = models.ForeignKey(Tag, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    shopper_ref = models.CharField(max_length=64, db_index=True)
    text = models.TextField()
    claimed_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    filed_at = models.DateTimeField(help_text=_("When the shopper filed it upstream"))
    state = models.CharField(max_length=20, choices=State.choices, default=State.FILED)
    urgent = models.BooleanField(default=False)
    due_at = models.DateTimeField()
    due_fallback = models.BooleanField(
        default=False, help_text=_("The business calendar did not know a day; Mon–Fri was assumed.")
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    merchant_response_due_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    response_text = models.TextField(blank=True)
    response_lapsed = models.BooleanField(default=False)
    review_started_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The decision.
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responsibility = models.CharField(max_length=12, choices=Responsibility.choices, blank=True)
    third_party_name = models.CharField(max_length=120, blank=True)
    decision_reason = models.TextField(blank=True)
    compensation_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    payout = models.CharField(max_length=20, choices=Payout.choices, blank=True)
    voucher = models.OneToOneField(
        Voucher, null=True, blank=True, on_delete=models.PROTECT, related_name="complaint"
    )
    breach = models.ForeignKey(Breach, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Set when the linked commitment was already compensated: one compensation per fact.
    already_compensated = models.BooleanField(default=False)
    recovery = models.CharField(max_length=20, choices=Recovery.choices, blank=True)
    recovery_entry = models.OneToOneField(
        DepositEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # False once an appeal is upheld (or the complaint is not merchant fault): out of the fault rate.
    counts_in_metrics = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("complaint")
        indexes = [
            models.Index(fields=["state", "due_at"]),
            models.Index(fields=["merchant", "state"]),
            models.Index(fields=["merchant", "decided_at"]),
            models.Index(fields=["state", "merchant_response_due_at"], name="complaint_response_due"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(claimed_amount__gte=0), name="complaint_claimed_gte_0"),
            models.CheckConstraint(
                condition=Q(compensation_amount__isnull=True) | Q(compensation_amount__gte=0),
                name="complaint_compensation_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.external_id} {self.state}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def is_fault(self) -> bool:
        return self.state == self.State.UPHELD and self.responsibility == self.Responsibility.MERCHANT


def evidence_path(instance, filename: str) -> str:
    return f"complaints/{instance.complaint_id}/{instance.party}/{filename}"


class Evidence(models.Model):
    class Party(models.TextChoices):
        SHOPPER = "shopper", _("shopper")
        MERCHANT = "merchant", _("merchant")
        APPEAL = "appeal", _("appeal")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="evidence")
    party = models.CharField(max_length=10, choices=Party.choices)
    file = models.FileField(upload_to=evidence_path)
    original_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("evidence file")

    def __str__(self) -> str:
        return self.original_name


class RefundInstruction(BaseModel):
    """Platform-pays-first as money back instead of a voucher: the upstream system executes it."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        EXECUTED = "executed", _("executed")

    complaint = models.OneToOneField(Complaint, on_delete=models.PROTECT, related_name="refund_instruction")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="+")
    shopper_ref = models.CharField(max_length=64)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)

    class Meta:
        verbose_name = _("refund instruction")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_instruction_gt_0")]

    def __str__(self) -> str:
        return f"refund {self.amount} for {self.complaint_id}"


class RecoveryClaim(BaseModel):
    """What the platform paid first, claimed back from a carrier or a brand service provider."""

    class State(models.TextChoices):
        OPEN = "open", _("open")
        SENT = "sent", _("sent to the party")
        RECOVERED = "recovered", _("recovered")
        WRITTEN_OFF = "written_off", _("written off")

    ALLOWED_TRANSITIONS = {
        State.OPEN: {State.SENT, State.WRITTEN_OFF},
        State.SENT: {State.RECOVERED, State.WRITTEN_OFF},
        State.RECOVERED: set(),
        State.WRITTEN_OFF: set(),
    }

    complaint = models.OneToOneField(Complaint, on_delete=models.PROTECT, related_name="recovery_claim")
    party_name = models.CharField(max_length=120)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("recovery claim")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="recovery_claim_gt_0")]

    def __str__(self) -> str:
        return f"claim {self.amount} against {self.party_name}"


class Appeal(BaseModel):
    """The merchant's appeal of an upheld complaint (≤ 7 days after the decision)."""

    class State(models.TextChoices):
        FILED = "filed", _("filed")
        UPHELD = "upheld", _("upheld")
        REJECTED = "rejected", _("rejected")

    ALLOWED_TRANSITIONS = {
        State.FILED: {State.UPHELD, State.REJECTED},
        State.UPHELD: set(),
        State.REJECTED: set(),
    }

    complaint = models.OneToOneField(Complaint, on_delete=models.PROTECT, related_name="appeal")
    reason = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.FILED)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    reversal_entry = models.OneToOneField(
        DepositEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("complaint appeal")

    def __str__(self) -> str:
        return f"appeal of {self.complaint_id} {self.state}"


class Notification(BaseModel):
    """A message for the adjudicators shown in the console (overdue escalations)."""

    class Kind(models.TextChoices):
        OVERDUE = "overdue", _("overdue")
        APPEAL = "appeal", _("appeal filed")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    message = models.CharField(max_length=300)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("desk notification")
        constraints = [
            models.UniqueConstraint(fields=["complaint", "kind"], name="desk_notification_once_per_kind")
        ]

    def __str__(self) -> str:
        return self.message


class HelpRequest(models.Model):
    """求助: a shopper asking the platform for help on an order. Feeds the platform help rate."""

    class Scenario(models.TextChoices):
        URGE_DISPATCH = "urge_dispatch", _("urge dispatch (催发货)")
        URGE_LOGISTICS = "urge_logistics", _("urge logistics (催物流)")
        LOGISTICS_STALLED = "logistics_stalled", _("logistics stalled (物流停滞)")
        MISSING_ITEMS = "missing_items", _("missing items (少件)")
        INSTALL_APPOINTMENT = "install_appointment", _("installation appointment (安装预约)")
        INVOICE = "invoice", _("invoice (发票)")
        REFUND = "refund", _("refund (退款)")
        OTHER = "other", _("other (其他)")

    external_id = models.CharField(max_length=64, unique=True)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="help_requests")
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="+")
    scenario = models.CharField(max_length=24, choices=Scenario.choices)
    requested_at = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("help request")
        indexes = [
            models.Index(fields=["merchant", "requested_at"]),
            models.Index(fields=["scenario", "requested_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.external_id} {self.scenario}"
