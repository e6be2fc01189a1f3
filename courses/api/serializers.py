"""Course API shapes. Texts are in the reader's language (Accept-Language zh / en); lesson and tip
Markdown is also given rendered and sanitised (`*_html`)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..markdown import render_markdown


class ProgressSerializer(serializers.Serializer):
    enrolled = serializers.BooleanField()
    lessons_done = serializers.IntegerField()
    lesson_count = serializers.IntegerField()
    quiz_passed = serializers.BooleanField()
    best_score = serializers.IntegerField(allow_null=True, help_text="Best quiz score, percent")
    completed = serializers.BooleanField()
    percent = serializers.IntegerField(help_text="Lessons and the quiz, one step each")


class CourseSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    standards = serializers.SerializerMethodField()
    parts = serializers.ListField(child=serializers.CharField())
    metrics = serializers.ListField(child=serializers.CharField())
    pass_mark = serializers.IntegerField(help_text="Percent")
    lesson_count = serializers.IntegerField()
    question_count = serializers.IntegerField()
    progress = serializers.SerializerMethodField()

    def get_standards(self, course) -> list[str]:
        return [s.code for s in course.standards.all()]

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, course) -> dict:
        return ProgressSerializer(self.context["progress"][course.pk]).data


class LessonSummarySerializer(serializers.Serializer):
    position = serializers.IntegerField()
    title = serializers.CharField()
    done = serializers.BooleanField()


class ChoiceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()


class QuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["single", "multiple"])
    text = serializers.CharField()
    choices = serializers.SerializerMethodField()

    @extend_schema_field(ChoiceSerializer(many=True))
    def get_choices(self, question) -> list:
        return ChoiceSerializer(question.choices.all(), many=True).data


class CourseDetailSerializer(CourseSerializer):
    lessons = serializers.SerializerMethodField()
    questions = serializers.SerializerMethodField(help_text="The quiz; the right answers are not given")

    @extend_schema_field(LessonSummarySerializer(many=True))
    def get_lessons(self, course) -> list:
        done = self.context["done"]
        return [
            {"position": lesson.position, "title": lesson.title, "done": lesson.pk in done}
            for lesson in course.lessons.all()
        ]

    @extend_schema_field(QuestionSerializer(many=True))
    def get_questions(self, course) -> list:
        return QuestionSerializer(course.questions.all(), many=True).data


class LessonSerializer(serializers.Serializer):
    course = serializers.CharField(source="course.code")
    position = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField(help_text="Markdown as written")
    body_html = serializers.SerializerMethodField(help_text="Rendered and sanitised HTML")
    done = serializers.SerializerMethodField()

    def get_body_html(self, lesson) -> str:
        return str(render_markdown(lesson.body))

    def get_done(self, lesson) -> bool:
        return bool(self.context.get("done"))


class EnrolmentSerializer(serializers.Serializer):
    course = serializers.CharField(source="course.code")
    enrolled_at = serializers.DateTimeField(source="created_at")
    best_score = serializers.IntegerField(allow_null=True)
    quiz_passed_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)


class QuizSubmitSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="{question id: [chosen answer ids]}; every question answered, exactly one for single choice",
    )


class QuizAttemptSerializer(serializers.Serializer):
    course = serializers.CharField(source="enrolment.course.code")
    submitted_at = serializers.DateTimeField()
    correct_count = serializers.IntegerField()
    question_count = serializers.IntegerField()
    score = serializers.IntegerField(help_text="Percent, rounded down")
    pass_mark = serializers.IntegerField()
    passed = serializers.BooleanField()
    course_completed = serializers.SerializerMethodField()

    def get_course_completed(self, attempt) -> bool:
        return attempt.enrolment.completed_at is not None


class MemberProgressSerializer(serializers.Serializer):
    username = serializers.CharField(source="user.username")
    course = serializers.CharField(source="course.code")
    lessons_done = serializers.IntegerField()
    best_score = serializers.IntegerField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)


class AssignmentSerializer(serializers.Serializer):
    course = serializers.CharField(source="course.code")
    metric = serializers.CharField(source="metric_code")
    period = serializers.CharField(help_text="Evaluated month YYYY-MM")
    assigned_at = serializers.DateTimeField(source="created_at")
    cleared_at = serializers.DateTimeField(allow_null=True)


class ShopProgressSerializer(serializers.Serializer):
    members = MemberProgressSerializer(many=True)
    assignments = AssignmentSerializer(many=True)


class TipSerializer(serializers.Serializer):
    scenario = serializers.CharField()
    title = serializers.CharField()
    rule = serializers.CharField(help_text="Markdown")
    rule_html = serializers.SerializerMethodField()
    suggestions = serializers.CharField(help_text="Markdown")
    suggestions_html = serializers.SerializerMethodField()
    reply_example = serializers.CharField(help_text="Plain text")

    def get_rule_html(self, tip) -> str:
        return str(render_markdown(tip.rule))

    def get_suggestions_html(self, tip) -> str:
        return str(render_markdown(tip.suggestions))
