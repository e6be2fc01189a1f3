"""Merchant education: courses with ordered lessons and a quiz, enrolment and progress per merchant
user, course assignments after a failed evaluation month, and improvement tips (服务提升技巧).

Texts are stored in both languages (`<field>_zh`, `<field>_en`) and shown in the reader's; lesson
bodies and tip texts are Markdown, rendered and sanitised by `courses.markdown` at display time.
Seeded from `courses/content/` by `courses.content.load_course_content` (upsert by code).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from complaints.models import ServiceStandard
from core.i18n import localized
from core.models import BaseModel
from merchants.models import Merchant

# The four parts of the experience score (SPEC §7) and the monthly evaluation metrics (SPEC §8)
# a course may teach. Codes, not foreign keys: scoring never imports courses.
PARTS = {
    "product": _("product experience"),
    "dispatch": _("dispatch experience"),
    "logistics": _("logistics experience"),
    "basic_service": _("basic service experience"),
}
METRICS = {
    "fault_complaint_rate": _("fault complaint rate"),
    "dsr_mean": _("DSR mean"),
    "refund_dispute_rate": _("refund dispute rate"),
    "upheld_complaints_count": _("upheld complaints (small shops)"),
}

# Positions are small integers; a larger number in a URL is no lesson at all.
MAX_POSITION = 32767


class Course(BaseModel):
    code = models.SlugField(max_length=40, unique=True)
    title_zh = models.CharField(max_length=120)
    title_en = models.CharField(max_length=160)
    summary_zh = models.TextField()
    summary_en = models.TextField()
    standards = models.ManyToManyField(ServiceStandard, blank=True, related_name="+")
    # Score part codes and evaluation metric codes this course teaches (PARTS, METRICS).
    parts = models.JSONField(default=list, blank=True)
    metrics = models.JSONField(default=list, blank=True)
    pass_mark = models.PositiveSmallIntegerField(
        default=80, help_text=_("Percentage of questions to answer right to pass the quiz.")
    )
    published = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)
    # Digest of the content file last loaded: the loader rewrites a course only when its file
    # changed, so staff edits in the admin survive re-seeding.
    source_digest = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("course")
        constraints = [
            models.CheckConstraint(condition=Q(pass_mark__lte=100), name="course_pass_mark_lte_100")
        ]

    def __str__(self) -> str:
        return f"{self.title_zh} ({self.code})"

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def summary(self) -> str:
        return localized(self, "summary")

    def part_labels(self) -> list[str]:
        return [str(PARTS[p]) for p in self.parts if p in PARTS]

    def metric_labels(self) -> list[str]:
        return [str(METRICS[m]) for m in self.metrics if m in METRICS]


class Lesson(BaseModel):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    position = models.PositiveSmallIntegerField()
    title_zh = models.CharField(max_length=160)
    title_en = models.CharField(max_length=200)
    body_zh = models.TextField(help_text=_("Markdown; HTML is removed when shown."))
    body_en = models.TextField(help_text=_("Markdown; HTML is removed when shown."))

    class Meta:
        ordering = ["course", "position"]
        verbose_name = _("lesson")
        constraints = [
            models.UniqueConstraint(fields=["course", "position"], name="lesson_course_position_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.course.code} #{self.position} {self.title_zh}"

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def body(self) -> str:
        return localized(self, "body")


class Question(BaseModel):
    class Kind(models.TextChoices):
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    text_zh = models.TextField()
    text_en = models.TextField()

    class Meta:
        ordering = ["course", "position"]
        verbose_name = _("quiz question")
        constraints = [
            models.UniqueConstraint(fields=["course", "position"], name="question_course_position_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.course.code} Q{self.position}"

    @property
    def text(self) -> str:
        return localized(self, "text")


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField()
    text_zh = models.CharField(max_length=300)
    text_en = models.CharField(max_length=400)
    correct = models.BooleanField(default=False)

    class Meta:
        ordering = ["question", "position"]
        verbose_name = _("answer choice")
        constraints = [
            models.UniqueConstraint(fields=["question", "position"], name="choice_question_position_uniq")
        ]

    def __str__(self) -> str:
        return self.text_zh

    @property
    def text(self) -> str:
        return localized(self, "text")


class Enrolment(BaseModel):
    """A merchant user taking a course. Completed when every lesson is done and the quiz passed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments")
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="enrolments")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    quiz_passed_at = models.DateTimeField(null=True, blank=True)
    best_score = models.PositiveSmallIntegerField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("enrolment")
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="enrolment_user_course_uniq")]
        indexes = [models.Index(fields=["merchant", "course"])]

    def __str__(self) -> str:
        return f"{self.user} → {self.course.code}"


class LessonCompletion(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="lesson_completions")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField()

    class Meta:
        ordering = ["completed_at", "id"]
        verbose_name = _("lesson completion")
        constraints = [models.UniqueConstraint(fields=["enrolment", "lesson"], name="lesson_completion_uniq")]

    def __str__(self) -> str:
        return f"{self.enrolment_id}: lesson {self.lesson_id}"


class QuizAttempt(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attempts")
    submitted_at = models.DateTimeField()
    # {question id (str): [choice ids]} as submitted; questions may change later.
    answers = models.JSONField(default=dict)
    correct_count = models.PositiveSmallIntegerField()
    question_count = models.PositiveSmallIntegerField()
    score = models.PositiveSmallIntegerField(help_text=_("Percentage of questions answered right."))
    pass_mark = models.PositiveSmallIntegerField()
    passed = models.BooleanField()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("quiz attempt")

    def __str__(self) -> str:
        return f"{self.enrolment_id}: {self.score}%"


class CourseAssignment(BaseModel):
    """A course assigned to a shop after the monthly evaluation failed a metric (once per merchant ×
    metric × month); shown on the dashboard until a member of the shop completes the course."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="course_assignments")
    metric_code = models.CharField(max_length=40)
    period = models.CharField(max_length=7, help_text=_("Evaluated month, YYYY-MM"))
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="assignments")
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-period", "merchant"]
        verbose_name = _("course assignment")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "metric_code", "period"], name="assignment_merchant_metric_period_uniq"
            )
        ]
        indexes = [models.Index(fields=["merchant", "cleared_at"])]

    def __str__(self) -> str:
        return f"{self.merchant.shop_code} {self.metric_code} {self.period} → {self.course.code}"

    @property
    def metric_label(self) -> str:
        return str(METRICS.get(self.metric_code, self.metric_code))


class Tip(BaseModel):
    """An improvement tip (服务提升技巧) for a dispute-prone help-request scenario."""

    scenario = models.SlugField(max_length=24, unique=True)  # complaints.HelpRequest.Scenario
    title_zh = models.CharField(max_length=120)
    title_en = models.CharField(max_length=160)
    rule_zh = models.TextField(help_text=_("Markdown"))
    rule_en = models.TextField(help_text=_("Markdown"))
    suggestions_zh = models.TextField(help_text=_("Markdown"))
    suggestions_en = models.TextField(help_text=_("Markdown"))
    reply_example_zh = models.TextField(help_text=_("Plain text"))
    reply_example_en = models.TextField(help_text=_("Plain text"))
    sort_order = models.PositiveSmallIntegerField(default=0)
    source_digest = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["sort_order", "scenario"]
        verbose_name = _("improvement tip")

    def __str__(self) -> str:
        return f"{self.title_zh} ({self.scenario})"

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def rule(self) -> str:
        return localized(self, "rule")

    @property
    def suggestions(self) -> str:
        return localized(self, "suggestions")

    @property
    def reply_example(self) -> str:
        return localized(self, "reply_example")
