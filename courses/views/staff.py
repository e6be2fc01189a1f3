"""Staff console: course completion statistics per course and per merchant category."""

from django.shortcuts import render

from core.roles import staff_required

from .. import selectors


@staff_required
def course_statistics(request):
    return render(request, "staff/courses/statistics.html", selectors.completion_statistics())
