"""The demo: content loaded, core problems stored for today, shops part-way through courses, one
shop with a course assigned after last month's failure."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from courses.models import CourseAssignment, Enrolment, LessonCompletion
from scoring.models import CoreProblemRun

pytestmark = pytest.mark.django_db


def test_demo_shops_learn_and_one_has_an_assigned_course(settings, client):
    settings.DEBUG = True
    out = StringIO()
    call_command("demo", seed=7, merchants=8, stdout=out)
    assert "Courses: 12 courses, " in out.getvalue()
    assert CoreProblemRun.objects.count() == 1
    assignment = CourseAssignment.objects.select_related("merchant").get()
    assert assignment.metric_code == "fault_complaint_rate"
    assert assignment.cleared_at is None
    # part-way: an enrolment with some lessons done and not completed; and completed ones
    partial = [
        e
        for e in Enrolment.objects.filter(completed_at__isnull=True)
        if 0 < LessonCompletion.objects.filter(enrolment=e).count() < e.course.lessons.count()
    ]
    assert partial
    assert Enrolment.objects.filter(completed_at__isnull=False).exists()

    owner = get_user_model().objects.get(
        membership__merchant=assignment.merchant, membership__role="merchant_owner"
    )
    client.force_login(owner)
    client.cookies["django_language"] = "en"
    html = client.get("/office/").content.decode()
    assert 'id="dashboard-assigned-courses"' in html
    assert 'id="core-problems-card"' in html
