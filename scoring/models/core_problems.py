"""Core problems (核心问题): the shop's negative events classified into sub-problems, stored daily.

- `SubProblem`: the seeded, staff-editable table (code, zh/en name, group, the improvement tip and
  the course that address it, by code: scoring never imports courses; links resolve through
  `scoring.hooks.course_for`).
- `SubProblemRule`: which events and reasons map to a sub-problem: (source, value), each pair in at
  most one sub-problem (a database constraint), so every event is counted once.
- `CoreProblemResult`: per merchant × day × sub-problem over the window ending the day before:
  count, orders concerned, share of the window's paid orders, count in the last days, up to five
  order numbers. Written by `scoring.core_problems.services.core_problems_compute` (set-based).
- `CoreProblemSettings`: the window, the "last days", the low-rating cut and the sample size.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.i18n import localized
from core.models import BaseModel, SingletonSettings
from merchants.models import Merchant


class ProblemGroup(models.TextChoices):
    PRODUCT = "product", _("product")
    DISPATCH = "dispatch", _("dispatch")
    LOGISTICS = "logistics", _("logistics")
    EXTRA_SERVICE = "extra_service", _("extra service")
    ATTITUDE = "attitude", _("service attitude")


class EventSource(models.TextChoices):
    """What a rule's `value` is: a help-request scenario, a refund reason category, a complaint's
    service standard, a 1–2★ rating item, or a refund with platform staff intervention."""

    HELP_REQUEST = "help_request", _("help request scenario")
    REFUND_REASON = "refund_reason", _("refund reason")
    COMPLAINT = "complaint", _("complaint standard")
    LOW_RATING = "low_rating", _("low rating item")
    REFUND_DISPUTE = "refund_dispute", _("refund with staff intervention")


# The rating items of an order (commitments.Order.rating_<item>) a LOW_RATING rule may name.
RATING_ITEMS = ("product", "described", "attitude", "logistics")


class SubProblem(BaseModel):
    code = models.SlugField(max_length=40, unique=True)
    group = models.CharField(max_length=16, choices=ProblemGroup.choices)
    name_zh = models.CharField(max_length=60)
    name_en = models.CharField(max_length=80)
    tip_scenario = models.CharField(
        max_length=24, blank=True, help_text=_("The improvement tip's scenario code (help-request scenario).")
    )
    course_code = models.CharField(max_length=40, blank=True, help_text=_("The course's code."))
    sort_order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("core-problem sub-problem")

    def __str__(self) -> str:
        return f"{self.name_zh} ({self.code})"

    @property
    def name(self) -> str:
        return localized(self, "name")


class SubProblemRule(models.Model):
    subproblem = models.ForeignKey(SubProblem, on_delete=models.CASCADE, related_name="rules")
    source = models.CharField(max_length=16, choices=EventSource.choices)
    value = models.CharField(
        max_length=40,
        help_text=_(
            "Help-request scenario, refund reason category, service standard code, rating item "
            "(product, described, attitude, logistics), or 'staff_intervened' for refund disputes."
        ),
    )

    class Meta:
        ordering = ["source", "value"]
        verbose_name = _("sub-problem rule")
        constraints = [models.UniqueConstraint(fields=["source", "value"], name="subproblem_rule_once")]

    def __str__(self) -> str:
        return f"{self.source}:{self.value} → {self.subproblem_id}"


class CoreProblemResult(models.Model):
    """One merchant × computation day × sub-problem with at least one event in the window."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(help_text=_("Computed on this local day, over the window ending the day before"))
    subproblem = models.ForeignKey(SubProblem, on_delete=models.CASCADE, related_name="results")
    event_count = models.PositiveIntegerField()
    order_count = models.PositiveIntegerField(help_text=_("Orders with at least one such event"))
    orders_in_window = models.PositiveIntegerField(help_text=_("Paid orders in the window"))
    share = models.DecimalField(
        max_digits=7,
        decimal_places=4,
        null=True,
        help_text=_("order_count ÷ orders_in_window; 0.0125 = 1.25%"),
    )
    recent_count = models.PositiveIntegerField(help_text=_("Events in the last days of the window"))
    sample_orders = models.JSONField(default=list, help_text=_("Up to five order numbers, latest first"))

    class Meta:
        ordering = ["merchant", "-day", "-event_count", "subproblem"]
        verbose_name = _("core-problem result")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "day", "subproblem"], name="core_problem_result_once")
        ]
        indexes = [models.Index(fields=["merchant", "day"])]

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.day} {self.subproblem_id}: {self.event_count}"


class CoreProblemRun(models.Model):
    """One row per computed day: written in the same transaction as the day's results."""

    day = models.DateField(unique=True)
    window_first_day = models.DateField()
    window_last_day = models.DateField()
    recent_days = models.PositiveSmallIntegerField()
    merchants = models.PositiveIntegerField()
    rows = models.PositiveIntegerField()
    finished_at = models.DateTimeField()

    class Meta:
        ordering = ["-day"]
        verbose_name = _("core-problem run")

    def __str__(self) -> str:
        return f"{self.day}: {self.rows} rows"


@dataclass(frozen=True)
class CoreProblemRules:
    window_days: int
    recent_days: int
    low_rating_max: int
    sample_orders: int


class CoreProblemSettings(SingletonSettings):
    """Core problems' numbers, editable by staff_ops in the admin. Exactly one row (pk 1)."""

    Snapshot = CoreProblemRules
    AUDIT_VERB = "core_problem_settings.changed"
    EDITABLE = ("window_days", "recent_days", "low_rating_max", "sample_orders")

    window_days = models.PositiveSmallIntegerField(
        _("window (days)"),
        default=90,
        validators=[MinValueValidator(7), MaxValueValidator(365)],
        help_text=_("The local days ending yesterday that are counted (the score's window)."),
    )
    recent_days = models.PositiveSmallIntegerField(
        _("recent days"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("The 'last days' count: events in this many last days of the window."),
    )
    low_rating_max = models.PositiveSmallIntegerField(
        _("low rating: at most (stars)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_("A rating item at or below this many stars is a negative event."),
    )
    sample_orders = models.PositiveSmallIntegerField(
        _("order numbers shown"), default=5, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )

    class Meta:
        verbose_name = _("core-problem settings")
        verbose_name_plural = _("core-problem settings")
        constraints = [
            SingletonSettings.single_row_constraint("core_problem_settings_single_row"),
            models.CheckConstraint(
                condition=Q(window_days__gte=7, window_days__lte=365), name="core_problem_window_range"
            ),
            models.CheckConstraint(
                condition=Q(recent_days__gte=1, recent_days__lte=30), name="core_problem_recent_range"
            ),
            models.CheckConstraint(
                condition=Q(low_rating_max__gte=1, low_rating_max__lte=4),
                name="core_problem_low_rating_range",
            ),
            models.CheckConstraint(
                condition=Q(sample_orders__gte=1, sample_orders__lte=20), name="core_problem_sample_range"
            ),
        ]

    def __str__(self) -> str:
        return str(_("core-problem settings"))


SHARE_PLACES = Decimal("0.0001")
