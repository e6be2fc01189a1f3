"""The back-office dashboard card: courses assigned to the shop until completed, and my progress
(two queries; the recommendations are on the course list, one click away)."""

from core.dashboard import office_card

from .models import Enrolment
from .selectors import open_assignments


@office_card(order=40, template="office/courses/_card.html")
def courses_card(request, merchant) -> dict:
    mine = list(Enrolment.objects.filter(user=request.user).values_list("completed_at", flat=True))
    completed = sum(1 for at in mine if at is not None)
    return {
        "assignments": list(open_assignments(merchant.pk)),
        "completed": completed,
        "in_progress": len(mine) - completed,
    }
