"""The back-office dashboard card: courses assigned to the shop until completed, and my progress."""

from django.db.models import Count, Q

from core.dashboard import office_card

from .models import Enrolment
from .selectors import open_assignments, published_courses, recommended_courses


@office_card(order=40, template="office/courses/_card.html")
def courses_card(request, merchant) -> dict:
    mine = Enrolment.objects.filter(user=request.user).aggregate(
        enrolled=Count("id"), completed=Count("id", filter=Q(completed_at__isnull=False))
    )
    courses = list(published_courses())
    return {
        "assignments": list(open_assignments(merchant.pk)),
        "recommended": recommended_courses(merchant.pk, courses, user=request.user, limit=2),
        "enrolled": mine["enrolled"],
        "completed": mine["completed"],
        "in_progress": mine["enrolled"] - mine["completed"],
    }
