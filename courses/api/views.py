"""Merchant API: courses, lessons, enrolment, lesson completion, quiz submission, progress, tips."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import ApplicationError, NotFound
from merchants.access import IsMerchantMember

from .. import selectors, services
from ..errors import CourseError
from ..models import MAX_POSITION, Course, Lesson, Question
from . import serializers as s


def _course_or_404(code: str) -> Course:
    course = (
        selectors.published_courses()
        .filter(code=code)
        .prefetch_related(
            "standards",
            Prefetch("lessons", queryset=Lesson.objects.order_by("position")),
            Prefetch("questions", queryset=Question.objects.order_by("position").prefetch_related("choices")),
        )
        .first()
    )
    if course is None:
        raise NotFound("No such course.")
    return course


def _lesson_or_404(code: str, position: int) -> Lesson:
    if position > MAX_POSITION:
        raise NotFound("No such lesson.")
    lesson = (
        Lesson.objects.filter(course__code=code, course__published=True, position=position)
        .select_related("course")
        .first()
    )
    if lesson is None:
        raise NotFound("No such lesson.")
    return lesson


class CourseListView(generics.ListAPIView):
    permission_classes = [IsMerchantMember]
    serializer_class = s.CourseSerializer

    def get_queryset(self):
        return selectors.published_courses().prefetch_related("standards").order_by("sort_order", "code")

    @extend_schema(tags=["merchant"], summary="Courses with my progress")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "progress": self._progress}

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._progress = selectors.user_progress(
            self.request.user, page if page is not None else list(queryset)
        )
        return page


class CourseDetailView(APIView):
    permission_classes = [IsMerchantMember]

    @extend_schema(
        tags=["merchant"],
        summary="A course: lessons (with my completion) and its quiz",
        responses=s.CourseDetailSerializer,
    )
    def get(self, request, code: str):
        course = _course_or_404(code)
        enrolment = selectors.user_enrolment(request.user, course)
        done = {c.lesson_id for c in enrolment.lesson_completions.all()} if enrolment else set()
        context = {"progress": selectors.user_progress(request.user, [course]), "done": done}
        return Response(s.CourseDetailSerializer(course, context=context).data)


class EnrolmentView(APIView):
    permission_classes = [IsMerchantMember]

    @extend_schema(
        tags=["merchant"],
        summary="Enrol in a course (idempotent: 201 the first time, 200 after)",
        request=None,
        responses={201: s.EnrolmentSerializer, 200: s.EnrolmentSerializer},
    )
    def post(self, request, code: str):
        course = _course_or_404(code)
        existed = selectors.user_enrolment(request.user, course) is not None
        enrolment = services.enrolment_start(
            user=request.user, merchant_id=request.merchant.pk, course_id=course.pk
        )
        return Response(
            s.EnrolmentSerializer(enrolment).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


class LessonView(APIView):
    permission_classes = [IsMerchantMember]

    @extend_schema(
        tags=["merchant"], summary="A lesson: Markdown and sanitised HTML", responses=s.LessonSerializer
    )
    def get(self, request, code: str, position: int):
        lesson = _lesson_or_404(code, position)
        enrolment = selectors.user_enrolment(request.user, lesson.course)
        done = bool(enrolment and any(c.lesson_id == lesson.pk for c in enrolment.lesson_completions.all()))
        return Response(s.LessonSerializer(lesson, context={"done": done}).data)


class LessonCompletionView(APIView):
    permission_classes = [IsMerchantMember]

    @extend_schema(
        tags=["merchant"],
        summary="Mark a lesson done (enrols if needed; idempotent)",
        request=None,
        responses=s.EnrolmentSerializer,
    )
    def post(self, request, code: str, position: int):
        lesson = _lesson_or_404(code, position)
        enrolment = services.lesson_complete(
            user=request.user, merchant_id=request.merchant.pk, lesson_id=lesson.pk
        )
        return Response(s.EnrolmentSerializer(enrolment).data)


class QuizSubmitView(APIView):
    permission_classes = [IsMerchantMember]

    @extend_schema(
        tags=["merchant"],
        summary="Submit the quiz; a bad or incomplete answer set is a 400 and nothing is recorded",
        request=s.QuizSubmitSerializer,
        responses={201: s.QuizAttemptSerializer},
    )
    def post(self, request, code: str):
        course = _course_or_404(code)
        if not isinstance(request.data, dict) or "answers" not in request.data:
            raise ApplicationError(
                'Send the answers as {"answers": {question id: [answer ids]}}.',
                code=CourseError.INVALID_ANSWERS,
                fields={"answers": ["This field is required."]},
            )
        attempt = services.quiz_submit(
            user=request.user,
            merchant_id=request.merchant.pk,
            course_id=course.pk,
            answers=request.data["answers"],
        )
        return Response(s.QuizAttemptSerializer(attempt).data, status=status.HTTP_201_CREATED)


class ShopProgressView(APIView):
    permission_classes = [IsMerchantMember]

    @extend_schema(
        tags=["merchant"],
        summary="My shop's members' progress and assigned courses",
        responses=s.ShopProgressSerializer,
    )
    def get(self, request):
        data = {
            "members": list(selectors.shop_member_progress(request.merchant.pk)),
            "assignments": list(selectors.assignments_for_merchant(request.merchant.pk)),
        }
        return Response(s.ShopProgressSerializer(data).data)


class TipListView(generics.ListAPIView):
    permission_classes = [IsMerchantMember]
    serializer_class = s.TipSerializer

    def get_queryset(self):
        return selectors.tips()

    @extend_schema(tags=["merchant"], summary="Improvement tips (服务提升技巧)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class TipDetailView(APIView):
    permission_classes = [IsMerchantMember]

    @extend_schema(tags=["merchant"], summary="One improvement tip", responses=s.TipSerializer)
    def get(self, request, scenario: str):
        return Response(s.TipSerializer(selectors.tip_get(scenario)).data)
