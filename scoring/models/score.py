"""The experience score: daily rollups per merchant × category × local paid day, the staff-editable
indicator bounds, one score row per merchant per day with its figures (parts and indicators, peers),
and a run record per day."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from merchants.models import Category, Merchant

from ..definitions import INDICATORS, PARTS

INDICATOR_CHOICES = [(i.code, i.label) for i in INDICATORS]
FIGURE_CODES = ["total", *PARTS, *(i.code for i in INDICATORS)]


class ScoreBound(models.Model):
    """Floor (scores 0) and excellent (scores 100) value of an indicator; a row without category is the
    default, a row with one overrides it for that category. Seeded with SPEC §7's defaults."""

    indicator = models.CharField(max_length=32, choices=INDICATOR_CHOICES)
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty: default"),
    )
    floor = models.DecimalField(_("floor (0 points)"), max_digits=10, decimal_places=4)
    excellent = models.DecimalField(_("excellent (100 points)"), max_digits=10, decimal_places=4)

    class Meta:
        verbose_name = _("score indicator bound")
        ordering = ["indicator", "category_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator"], condition=Q(category__isnull=True), name="score_bound_one_default"
            ),
            models.UniqueConstraint(
                fields=["indicator", "category"],
                condition=Q(category__isnull=False),
                name="score_bound_one_per_category",
            ),
            models.CheckConstraint(
                condition=~Q(floor=models.F("excellent")), name="score_bound_floor_ne_excellent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.category_id or '*'}: {self.floor} → {self.excellent}"


class DailyRollup(models.Model):
    """Numerators, denominators and sums of every indicator for the orders one merchant was paid on one
    local day (Asia/Shanghai) in one category. Re-aggregated when the day is marked dirty."""

    # Derived rows written by the million (a rebuild): no per-row foreign-key check at commit and no
    # index beyond the unique key (its leading merchant column serves lookups). Deleting a merchant
    # through the ORM still deletes its rollups (on_delete runs in Django).
    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    day = models.DateField()
    orders = models.PositiveIntegerField(default=0)
    orders_live = models.PositiveIntegerField(default=0)  # not cancelled before pickup
    rating_n = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    dsr_n = models.PositiveIntegerField(default=0)
    dsr_sum = models.PositiveIntegerField(default=0)  # the three DSR items summed
    quality_refunds = models.PositiveIntegerField(default=0)
    pickup_48h = models.PositiveIntegerField(default=0)
    signed_n = models.PositiveIntegerField(default=0)
    sign_seconds = models.BigIntegerField(default=0)
    logistics_exceptions = models.PositiveIntegerField(default=0)
    negative_logistics = models.PositiveIntegerField(default=0)
    handled_n = models.PositiveIntegerField(default=0)
    handling_seconds = models.BigIntegerField(default=0)
    refund_disputes = models.PositiveIntegerField(default=0)
    help_orders = models.PositiveIntegerField(default=0)
    dispatch_decided = models.PositiveIntegerField(default=0)
    dispatch_kept = models.PositiveIntegerField(default=0)
    dispatch_violations = models.PositiveIntegerField(default=0)
    commitments_decided = models.PositiveIntegerField(default=0)
    commitments_kept = models.PositiveIntegerField(default=0)

    COUNTERS = (
        "orders", "orders_live", "rating_n", "rating_sum", "dsr_n", "dsr_sum", "quality_refunds", "pickup_48h",
        "signed_n", "sign_seconds", "logistics_exceptions", "negative_logistics", "handled_n", "handling_seconds",
        "refund_disputes", "help_orders", "dispatch_decided", "dispatch_kept", "dispatch_violations",
        "commitments_decided", "commitments_kept",
    )  # fmt: skip

    class Meta:
        verbose_name = _("daily score rollup")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "category", "day"], name="rollup_once_per_merchant_day"
            )
        ]
        indexes = [models.Index(fields=["day", "merchant"])]

    def __str__(self) -> str:
        return f"{self.merchant_id}/{self.category_id} {self.day}"


class RatingDay(models.Model):
    """The shop ratings (DSR) one merchant received on one local day, grouped by their rank: a rating's
    place among the same shopper's ratings of the merchant in that calendar month, earliest first
    (``commitments.indicators.dsr_ranked``; ranks above RANK_CAP are kept together). The evaluation
    sums the rows of its window with rank ≤ its per-shopper cap. Re-aggregated for the rating days
    ingestion marks (``commitments.RatingsDirtyDay``)."""

    RANK_CAP = 101  # the per-shopper cap is at most 100 (EvaluationSettings)

    merchant = models.ForeignKey(  # derived rows by the million: as DailyRollup
        Merchant, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    day = models.DateField()
    rank = models.PositiveSmallIntegerField()
    points = models.PositiveIntegerField(default=0)  # the item scores summed
    items = models.PositiveIntegerField(default=0)  # item scores given (≤ 3 per rating)
    ratings = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily rating rollup")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "day", "rank"], name="rating_day_once_per_rank")
        ]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.day} #{self.rank}"


class MonthRollup(models.Model):
    """The daily rollups of one merchant × category summed over a local calendar month (``month``: its
    first day), for the counters the monthly evaluation reads. Kept in step with the rollups: every
    re-aggregated rollup row moves its old counters out and its new ones in (``scoring.services.months``),
    so a month's evaluation reads one row per merchant × category instead of one per day."""

    merchant = models.ForeignKey(  # derived rows: as DailyRollup
        Merchant, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    month = models.DateField()
    orders = models.BigIntegerField(default=0)

    COUNTERS = ("orders",)

    class Meta:
        verbose_name = _("monthly rollup")
        constraints = [
            models.UniqueConstraint(fields=["month", "merchant", "category"], name="month_rollup_once")
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id}/{self.category_id} {self.month:%Y-%m}"


class RatingMonth(models.Model):
    """``RatingDay`` summed over a local calendar month (``month``: its first day), rank by rank: the
    evaluation's DSR window reads its whole months here and only the days of its first, partial month
    from ``RatingDay``. Kept in step with ``RatingDay`` (``scoring.services.months``)."""

    merchant = models.ForeignKey(  # derived rows: as DailyRollup
        Merchant, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    month = models.DateField()
    rank = models.PositiveSmallIntegerField()
    points = models.BigIntegerField(default=0)
    items = models.BigIntegerField(default=0)
    ratings = models.BigIntegerField(default=0)

    COUNTERS = ("points", "items", "ratings")

    class Meta:
        verbose_name = _("monthly rating rollup")
        constraints = [
            models.UniqueConstraint(fields=["month", "merchant", "rank"], name="rating_month_once_per_rank")
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.month:%Y-%m} #{self.rank}"


class WindowSum(models.Model):
    """The rollups of one merchant × category summed over a score window (``recent``: the 90 local days
    T-90..T-1, ``lagged``: T-97..T-8) for the day T held in ``WindowState``. Kept in step with the
    rollups: every re-aggregated rollup row moves its old counters out and its new ones in, and moving T
    to the next day adds the days entering and takes out the days leaving (``scoring.services.windows``),
    so the daily job reads 2 rows per merchant instead of summing 90 days of rollups."""

    class Span(models.TextChoices):
        RECENT = "recent", _("90 days")
        LAGGED = "lagged", _("lagged 90 days")

    merchant = models.ForeignKey(  # derived rows: as DailyRollup
        Merchant, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    span = models.CharField(max_length=8, choices=Span.choices)
    orders = models.BigIntegerField(default=0)
    orders_live = models.BigIntegerField(default=0)
    rating_n = models.BigIntegerField(default=0)
    rating_sum = models.BigIntegerField(default=0)
    dsr_n = models.BigIntegerField(default=0)
    dsr_sum = models.BigIntegerField(default=0)
    quality_refunds = models.BigIntegerField(default=0)
    pickup_48h = models.BigIntegerField(default=0)
    signed_n = models.BigIntegerField(default=0)
    sign_seconds = models.BigIntegerField(default=0)
    logistics_exceptions = models.BigIntegerField(default=0)
    negative_logistics = models.BigIntegerField(default=0)
    handled_n = models.BigIntegerField(default=0)
    handling_seconds = models.BigIntegerField(default=0)
    refund_disputes = models.BigIntegerField(default=0)
    help_orders = models.BigIntegerField(default=0)
    dispatch_decided = models.BigIntegerField(default=0)
    dispatch_kept = models.BigIntegerField(default=0)
    dispatch_violations = models.BigIntegerField(default=0)
    commitments_decided = models.BigIntegerField(default=0)
    commitments_kept = models.BigIntegerField(default=0)

    COUNTERS = DailyRollup.COUNTERS

    class Meta:
        verbose_name = _("score window sum")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "category", "span"], name="window_sum_once")
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id}/{self.category_id} {self.span}"


class WindowState(models.Model):
    """The day T the window sums are for (one row; no row or no day: rebuilt from the rollups)."""

    day = models.DateField(null=True)

    class Meta:
        verbose_name = _("score window state")

    def __str__(self) -> str:
        return f"windows as of {self.day}"


class MerchantScore(models.Model):
    """One merchant's score on one day (window: the 90 local days ending the day before)."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="scores")
    day = models.DateField()
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")  # main category
    orders = models.PositiveIntegerField()  # paid in the 90-day window
    total = models.DecimalField(max_digits=5, decimal_places=2, null=True)  # 0–100; null: not enough data
    product = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    dispatch = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    logistics = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    basic_service = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    change_7d = models.DecimalField(
        max_digits=6, decimal_places=2, null=True
    )  # total minus total 7 days before
    warning = models.BooleanField(default=False)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("merchant score")
        ordering = ["-day", "merchant_id"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "day"], name="score_once_per_merchant_day")
        ]
        indexes = [models.Index(fields=["day", "category", "total"])]

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.day}: {self.total}"

    @property
    def total_display(self) -> str | None:
        """0–100 shown as x.x / 5.0."""
        return None if self.total is None else f"{(self.total / 20).quantize(Decimal('0.1'))}"


class ScoreFigure(models.Model):
    """One figure of a score row: the total, a part or an indicator, with its peer level (同行业水平)."""

    class Status(models.TextChoices):
        OK = "ok", _("ok")
        INSUFFICIENT = "insufficient", _("insufficient sample")

    # A day's figures (17 per merchant: 340,000 for 20,000 merchants) are written only by
    # scoring.services.scores.scores_store, in one INSERT … SELECT that joins each to its score row,
    # and deleted with it. So they carry no database foreign-key triggers (one deferred check per row
    # doubled the daily job's cost) and only the (score_row, code) index that readers use.
    score_row = models.ForeignKey(
        MerchantScore, on_delete=models.CASCADE, related_name="figures", db_index=False, db_constraint=False
    )
    day = models.DateField()  # denormalised from the score row
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )  # the score row's main category (peers partition by it)
    in_peers = models.BooleanField(default=False)  # the merchant has a total: it is someone's peer
    code = models.CharField(max_length=32)
    numerator = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    denominator = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    value = models.DecimalField(max_digits=12, decimal_places=4, null=True)  # raw, in the indicator's unit
    adjusted = models.DecimalField(max_digits=12, decimal_places=4, null=True)  # after the prior (rates)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OK)
    peer_count = models.PositiveIntegerField(null=True)
    peer_percentile = models.DecimalField(max_digits=5, decimal_places=2, null=True)  # better than X %
    peer_decile = models.PositiveSmallIntegerField(null=True)  # 1 (lowest tenth) … 10 (highest)
    peer_mean = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    peer_p90 = models.DecimalField(max_digits=5, decimal_places=2, null=True)

    class Meta:
        verbose_name = _("score figure")
        constraints = [
            models.UniqueConstraint(fields=["score_row", "code"], name="figure_once_per_score_code")
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.score}"


class ScoreRun(models.Model):
    """The daily job's record for one day: safe to run twice, resumes after a crash."""

    class State(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    day = models.DateField(unique=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    dirty_days = models.PositiveIntegerField(default=0)
    merchants = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("score run")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"score run {self.day} {self.state}"
