from django.urls import path

from .views import staff

urlpatterns = [
    path("courses/", staff.course_statistics, name="course-statistics"),
]
