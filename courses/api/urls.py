from django.urls import path

from . import views

urlpatterns = [
    path("merchant/courses", views.CourseListView.as_view(), name="merchant-courses"),
    path("merchant/courses/progress", views.ShopProgressView.as_view(), name="merchant-course-progress"),
    path("merchant/tips", views.TipListView.as_view(), name="merchant-tips"),
    path("merchant/tips/<slug:scenario>", views.TipDetailView.as_view(), name="merchant-tip"),
    path("merchant/courses/<slug:code>", views.CourseDetailView.as_view(), name="merchant-course"),
    path(
        "merchant/courses/<slug:code>/enrolment",
        views.EnrolmentView.as_view(),
        name="merchant-course-enrolment",
    ),
    path("merchant/courses/<slug:code>/quiz", views.QuizSubmitView.as_view(), name="merchant-course-quiz"),
    path(
        "merchant/courses/<slug:code>/lessons/<int:position>",
        views.LessonView.as_view(),
        name="merchant-course-lesson",
    ),
    path(
        "merchant/courses/<slug:code>/lessons/<int:position>/completion",
        views.LessonCompletionView.as_view(),
        name="merchant-course-lesson-completion",
    ),
]
