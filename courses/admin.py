"""Staff_ops edit courses (with their lessons and quiz questions inline), choices and tips here."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    METRICS,
    PARTS,
    Choice,
    Course,
    CourseAssignment,
    Enrolment,
    Lesson,
    Question,
    QuizAttempt,
    Tip,
)


class CourseForm(forms.ModelForm):
    parts = forms.MultipleChoiceField(
        choices=list(PARTS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("score parts"),
    )
    metrics = forms.MultipleChoiceField(
        choices=list(METRICS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("evaluation metrics"),
    )

    class Meta:
        model = Course
        fields = [
            "code",
            "title_zh",
            "title_en",
            "summary_zh",
            "summary_en",
            "standards",
            "parts",
            "metrics",
            "pass_mark",
            "published",
            "sort_order",
        ]


class LessonInline(admin.StackedInline):
    model = Lesson
    extra = 0
    fields = ["position", "title_zh", "title_en", "body_zh", "body_en"]


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["position", "kind", "text_zh", "text_en"]
    show_change_link = True


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    form = CourseForm
    list_display = ["code", "title_zh", "title_en", "pass_mark", "published", "sort_order"]
    list_editable = ["published", "sort_order"]
    search_fields = ["code", "title_zh", "title_en"]
    filter_horizontal = ["standards"]
    inlines = [LessonInline, QuestionInline]


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0
    fields = ["position", "text_zh", "text_en", "correct"]


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["course", "position", "kind", "text_zh", "text_en"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionForm
    list_display = ["course", "position", "kind", "text_zh"]
    list_filter = ["course"]
    inlines = [ChoiceInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        question = form.instance
        right = question.choices.filter(correct=True).count()
        if right == 0 or (question.kind == Question.Kind.SINGLE and right != 1):
            self.message_user(
                request,
                _("This question has %(n)d correct answers; a single-choice question needs exactly one.")
                % {"n": right},
                level="warning",
            )


@admin.register(Tip)
class TipAdmin(admin.ModelAdmin):
    list_display = ["scenario", "title_zh", "title_en", "sort_order"]
    fields = [
        "scenario",
        "title_zh",
        "title_en",
        "rule_zh",
        "rule_en",
        "suggestions_zh",
        "suggestions_en",
        "reply_example_zh",
        "reply_example_en",
        "sort_order",
    ]


@admin.register(CourseAssignment)
class CourseAssignmentAdmin(admin.ModelAdmin):
    list_display = ["merchant", "metric_code", "period", "course", "cleared_at"]
    list_filter = ["metric_code", "period"]
    search_fields = ["merchant__shop_code", "merchant__name"]
    raw_id_fields = ["merchant", "cleared_by"]
    readonly_fields = ["cleared_at", "cleared_by"]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["user", "merchant", "course", "best_score", "quiz_passed_at", "completed_at"]
    list_filter = ["course"]
    raw_id_fields = ["user", "merchant"]
    readonly_fields = ["quiz_passed_at", "best_score", "completed_at"]

    def has_add_permission(self, request):
        return False


@admin.register(QuizAttempt)
class QuizAttemptAdmin(admin.ModelAdmin):
    list_display = ["enrolment", "submitted_at", "score", "pass_mark", "passed"]
    readonly_fields = [f.name for f in QuizAttempt._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
