"""The monthly evaluation (SPEC §8): its rules (one staff-editable row), one run per month, one result
per merchant × category × tag × month, and the appealed items each evaluation left out.

Rules are read through ``scoring.selectors.evaluation_settings()`` (a cached snapshot) and changed
through ``scoring.services.evaluation_settings_update`` (validated, audited, bumps `rule_version`).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from commitments.models import Breach
from complaints.models import Complaint
from core.models import SingletonSettings
from merchants.models import Category, Merchant
from tags.models import Tag, TagHolding


@dataclass(frozen=True)
class EvaluationRules:
    """A snapshot of EvaluationSettings: what one run reads once and stores with every result."""

    rule_version: int
    fault_rate_fail_percent: Decimal  # fail when the rate is ≥ this
    dsr_fail_below: Decimal  # fail when the DSR mean is < this ...
    dsr_min_ratings: int  # ... and only with at least this many ratings
    dsr_window_days: int
    dsr_max_per_shopper_month: int
    dispute_rate_fail_percent: Decimal  # fail when the rate is > this
    small_sample_orders: int  # fewer orders in the month: judged on counts
    small_sample_fail_complaints: int  # ... failing with this many upheld complaints
    bar_months: int

    def thresholds(self) -> dict:
        """As stored on each result (JSON: decimals as strings)."""
        return {
            "fault_rate_fail_percent": str(self.fault_rate_fail_percent),
            "dsr_fail_below": str(self.dsr_fail_below),
            "dsr_min_ratings": self.dsr_min_ratings,
            "dsr_window_days": self.dsr_window_days,
            "dsr_max_per_shopper_month": self.dsr_max_per_shopper_month,
            "dispute_rate_fail_percent": str(self.dispute_rate_fail_percent),
            "small_sample_orders": self.small_sample_orders,
            "small_sample_fail_complaints": self.small_sample_fail_complaints,
            "bar_months": self.bar_months,
        }


class EvaluationSettings(SingletonSettings):
    """The monthly evaluation's numbers (SPEC §8), editable by staff_ops. Exactly one row (pk 1).

    The pattern is ``core.models.SingletonSettings``. `rule_version` goes up by one on every change
    (``scoring.evaluation.services.evaluation_settings_update``); each result stores the version it used.
    """

    Snapshot = EvaluationRules
    AUDIT_VERB = "evaluation_settings.changed"
    # rule_version is part of the snapshot but never set by staff: the update service refuses it
    # and bumps it itself (the field is not editable in forms).
    EDITABLE = (
        "rule_version",
        "fault_rate_fail_percent",
        "dsr_fail_below",
        "dsr_min_ratings",
        "dsr_window_days",
        "dsr_max_per_shopper_month",
        "dispute_rate_fail_percent",
        "small_sample_orders",
        "small_sample_fail_complaints",
        "bar_months",
    )

    rule_version = models.PositiveIntegerField(_("rule version"), default=1, editable=False)
    fault_rate_fail_percent = models.DecimalField(
        _("fault complaint rate: fails at (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
        help_text=_("A tag fails when its fault complaint rate in the month is at or above this percentage."),
    )
    dsr_fail_below = models.DecimalField(
        _("DSR: fails below"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("4.60"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("5"))],
        help_text=_("A tag fails when the mean of the three shop ratings is below this (1–5)."),
    )
    dsr_min_ratings = models.PositiveIntegerField(
        _("DSR: minimum ratings"),
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(1_000_000)],
        help_text=_("With fewer ratings in the window the DSR is not judged."),
    )
    dsr_window_days = models.PositiveSmallIntegerField(
        _("DSR: window (days)"),
        default=180,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
        help_text=_("The DSR means cover this many days ending with the evaluated month."),
    )
    dsr_max_per_shopper_month = models.PositiveSmallIntegerField(
        _("DSR: ratings counted per shopper per month"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    dispute_rate_fail_percent = models.DecimalField(
        _("refund dispute rate: fails above (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.10"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("A tag fails when its refund dispute rate in the month is above this percentage."),
    )
    small_sample_orders = models.PositiveIntegerField(
        _("small sample: fewer orders than"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(1_000_000)],
        help_text=_("With fewer orders in the month, rates are judged on counts instead."),
    )
    small_sample_fail_complaints = models.PositiveIntegerField(
        _("small sample: fails with upheld complaints"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
    )
    bar_months = models.PositiveSmallIntegerField(
        _("bar after a failed rectification (calendar months)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )

    class Meta:
        verbose_name = _("evaluation settings")
        verbose_name_plural = _("evaluation settings")
        constraints = [
            SingletonSettings.single_row_constraint("evaluation_settings_single_row"),
            models.CheckConstraint(
                condition=Q(fault_rate_fail_percent__gt=0, fault_rate_fail_percent__lte=100),
                name="evaluation_settings_fault_range",
            ),
            models.CheckConstraint(
                condition=Q(dsr_fail_below__gte=1, dsr_fail_below__lte=5),
                name="evaluation_settings_dsr_range",
            ),
            models.CheckConstraint(
                condition=Q(dispute_rate_fail_percent__gte=0, dispute_rate_fail_percent__lte=100),
                name="evaluation_settings_dispute_range",
            ),
            models.CheckConstraint(
                condition=Q(
                    dsr_min_ratings__gte=1, small_sample_orders__gte=1, small_sample_fail_complaints__gte=1
                ),
                name="evaluation_settings_counts_gte_1",
            ),
            models.CheckConstraint(
                condition=Q(bar_months__gte=1, bar_months__lte=24), name="evaluation_settings_bar_range"
            ),
        ]

    def __str__(self) -> str:
        return str(_("evaluation settings"))

    THRESHOLDS = EDITABLE[1:]

    def rules(self) -> EvaluationRules:
        return self.snapshot()


class EvaluationRun(models.Model):
    """One evaluation of one calendar month. Computing writes the results, applying acts on them."""

    class State(models.TextChoices):
        COMPUTING = "computing", _("computing")
        APPLYING = "applying", _("applying outcomes")
        COMPLETED = "completed", _("completed")

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("schedule")
        COMMAND = "command", _("command")
        STAFF = "staff", _("staff")

    period = models.DateField(unique=True, help_text=_("First day of the evaluated month."))
    state = models.CharField(max_length=12, choices=State.choices, default=State.COMPUTING)
    trigger = models.CharField(max_length=12, choices=Trigger.choices, default=Trigger.SCHEDULE)
    rule_version = models.PositiveIntegerField()
    thresholds = models.JSONField(default=dict)
    started_at = models.DateTimeField()
    computed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    evaluated = models.PositiveIntegerField(default=0)
    passed = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    revoked = models.PositiveIntegerField(default=0)
    restored = models.PositiveIntegerField(default=0)
    barred = models.PositiveIntegerField(default=0)
    excluded = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-period"]
        verbose_name = _("evaluation run")

    def __str__(self) -> str:
        return f"evaluation {self.period:%Y-%m} {self.state}"

    @property
    def month(self) -> str:
        return f"{self.period:%Y-%m}"


class EvaluationResult(models.Model):
    """One merchant × category × tag × month: every metric with its figures, the rules and the outcome."""

    class Judgement(models.TextChoices):
        PASSED = "pass", _("passed")
        FAILED = "fail", _("failed")
        NOT_JUDGED = "not_judged", _("not judged")

    class Outcome(models.TextChoices):
        PASSED = "pass", _("passed")
        FAILED = "fail", _("failed")

    class Action(models.TextChoices):
        PENDING = "pending", _("pending")
        KEPT = "kept", _("kept")
        REVOKED = "revoked", _("revoked: rectification month")
        RESTORED = "restored", _("restored")
        BARRED = "barred", _("barred")
        SKIPPED = "skipped", _("no change (the holding changed meanwhile)")

    # A month's results are streamed in at once (50,000 rows for 20,000 merchants) copying the holding,
    # merchant, category and tag read in the same transaction, under the run's lock. The database checks
    # none of these five keys: a deferred check per key and row, at commit, costs more than the write
    # (holdings, like merchants, are never deleted but by a cascade Django runs, which reaches these
    # rows too; the staff admin cannot delete either). Deletion still cascades / protects in Django; the
    # holding index serves that cascade, the (run, outcome) index and the unique (merchant, period,
    # category, tag) one serve the lookups a single-column index would.
    run = models.ForeignKey(
        EvaluationRun, on_delete=models.CASCADE, related_name="results", db_constraint=False, db_index=False
    )
    period = models.DateField()
    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    tag = models.ForeignKey(
        Tag, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    holding = models.ForeignKey(
        TagHolding, on_delete=models.CASCADE, related_name="evaluations", db_constraint=False
    )
    state_before = models.CharField(max_length=12, choices=TagHolding.State.choices)
    orders = models.PositiveIntegerField(default=0)
    on_counts = models.BooleanField(default=False)
    fault_numerator = models.PositiveIntegerField(default=0)
    fault_denominator = models.PositiveIntegerField(default=0)
    fault_result = models.CharField(max_length=12, choices=Judgement.choices)
    # DSR: the sum of the three item scores over the counted ratings ÷ (3 × ratings).
    dsr_numerator = models.PositiveIntegerField(default=0)
    dsr_denominator = models.PositiveIntegerField(default=0)
    dsr_ratings = models.PositiveIntegerField(default=0)
    dsr_result = models.CharField(max_length=12, choices=Judgement.choices)
    dispute_numerator = models.PositiveIntegerField(default=0)
    dispute_denominator = models.PositiveIntegerField(default=0)
    dispute_result = models.CharField(max_length=12, choices=Judgement.choices)
    excluded_complaints = models.PositiveIntegerField(default=0)
    thresholds = models.JSONField(default=dict)
    rule_version = models.PositiveIntegerField()
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    failed_metrics = models.JSONField(default=list, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.PENDING)
    action_until = models.DateField(null=True, blank=True, help_text=_("Restore month or bar end."))
    applied_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveSmallIntegerField(default=1)
    reevaluated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["period", "merchant_id", "category_id", "tag_id"]
        verbose_name = _("evaluation result")
        constraints = [
            # Merchant first: the same index serves one merchant's history (and its month).
            models.UniqueConstraint(
                fields=["merchant", "period", "category", "tag"], name="evaluation_result_once_per_month"
            ),
        ]
        indexes = [
            models.Index(fields=["run", "outcome"]),
            models.Index(
                fields=["run", "action"], name="evaluation_result_pending", condition=Q(action="pending")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} {self.merchant_id}/{self.category_id}/{self.tag_id} {self.outcome}"

    @property
    def month(self) -> str:
        return f"{self.period:%Y-%m}"

    @staticmethod
    def _ratio(numerator: int, denominator: int) -> Decimal | None:
        return Decimal(numerator) / Decimal(denominator) if denominator else None

    @property
    def fault_rate(self) -> Decimal | None:
        return self._ratio(self.fault_numerator, self.fault_denominator)

    @property
    def dispute_rate(self) -> Decimal | None:
        return self._ratio(self.dispute_numerator, self.dispute_denominator)

    @property
    def dsr_mean(self) -> Decimal | None:
        return self._ratio(self.dsr_numerator, self.dsr_denominator)


class EvaluationExclusion(models.Model):
    """A complaint or breach under appeal at the cut-off: left out of the month and listed.

    `decided_at` is set once the appeal is decided; a decision against the merchant re-evaluates
    the month for that merchant (`reevaluated_at`).
    """

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("complaint under appeal")
        BREACH = "breach", _("breach under appeal")

    run = models.ForeignKey(EvaluationRun, on_delete=models.CASCADE, related_name="exclusions")
    period = models.DateField()
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    complaint = models.ForeignKey(
        Complaint, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    breach = models.ForeignKey(Breach, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    order_external_id = models.CharField(max_length=64)
    decided_at = models.DateTimeField(null=True, blank=True)
    against_merchant = models.BooleanField(null=True, blank=True)
    reevaluated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["period", "merchant_id", "id"]
        verbose_name = _("evaluation exclusion")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "complaint"],
                condition=Q(complaint__isnull=False),
                name="evaluation_excl_complaint",
            ),
            models.UniqueConstraint(
                fields=["period", "breach"], condition=Q(breach__isnull=False), name="evaluation_excl_breach"
            ),
            models.CheckConstraint(
                condition=Q(kind="complaint", complaint__isnull=False, breach__isnull=True)
                | Q(kind="breach", breach__isnull=False, complaint__isnull=True),
                name="evaluation_excl_one_target",
            ),
        ]
        indexes = [
            models.Index(fields=["decided_at"], name="evaluation_excl_open", condition=Q(decided_at=None))
        ]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} {self.kind} {self.order_external_id}"
