"""Dashboard cards of the complaints desk: replies the shop owes (merchant), the desk's queues (staff)."""

from django.db.models import Count, Min, Q
from django.utils import timezone

from core.dashboard import merchant_page_card, office_card, staff_card
from core.periods import local_day, local_today

from .models import Appeal, Complaint

SHOWN = 5


@office_card(order=12, template="office/complaints/_card.html")
def office_awaiting_reply_card(request, merchant) -> dict:
    awaiting = Complaint.objects.filter(merchant=merchant, state=Complaint.State.AWAITING_MERCHANT)
    return {
        "count": awaiting.count(),
        "complaints": list(
            awaiting.select_related("standard", "order").order_by("merchant_response_due_at", "pk")[:SHOWN]
        ),
        "now": timezone.now(),
    }


@merchant_page_card(order=12, template="staff/complaints/_merchant_section.html")
def merchant_page_complaints(request, merchant) -> dict:
    complaints = Complaint.objects.filter(merchant=merchant)
    return {
        "open_count": complaints.filter(state__in=Complaint.OPEN_STATES).count(),
        "complaints": list(complaints.select_related("standard", "order").order_by("-filed_at", "-pk")[:10]),
    }


@staff_card(order=12, template="staff/complaints/_card.html")
def staff_desk_card(request) -> dict:
    now = timezone.now()
    tomorrow = local_day(local_today(now)).end
    open_complaints = Complaint.objects.filter(state__in=Complaint.OPEN_STATES)
    due_today = Q(due_at__gte=now, due_at__lt=tomorrow)
    overdue = Q(due_at__lt=now)
    figures = open_complaints.aggregate(
        due_today=Count("pk", filter=due_today),
        due_today_oldest=Min("filed_at", filter=due_today),
        overdue=Count("pk", filter=overdue),
        overdue_oldest=Min("filed_at", filter=overdue),
        urgent_count=Count("pk", filter=Q(urgent=True)),
        urgent_oldest=Min("filed_at", filter=Q(urgent=True)),
    )
    appeals = Appeal.objects.filter(state=Appeal.State.FILED).aggregate(
        count=Count("pk"), oldest=Min("created_at")
    )
    return {"figures": figures, "appeals": appeals}
