from django.urls import path

from .views import office

urlpatterns = [
    path("courses/", office.course_list, name="course-list"),
    path("courses/progress/", office.shop_progress, name="course-progress"),
    path("courses/tips/", office.tip_list, name="tip-list"),
    path("courses/tips/<slug:scenario>/", office.tip_detail, name="tip-detail"),
    path("courses/<slug:code>/", office.course_detail, name="course-detail"),
    path("courses/<slug:code>/enrol/", office.course_enrol, name="course-enrol"),
    path("courses/<slug:code>/quiz/", office.course_quiz, name="course-quiz"),
    path("courses/<slug:code>/lessons/<int:position>/", office.lesson_detail, name="course-lesson"),
    path(
        "courses/<slug:code>/lessons/<int:position>/complete/",
        office.lesson_complete,
        name="course-lesson-complete",
    ),
]
