"""Dashboard cards of commitments: open breaches and appeal windows, vouchers paid, the appeal queue."""

from django.db.models import Count, Min
from django.utils import timezone

from core.dashboard import merchant_page_card, office_card, staff_card

from .models import Breach, BreachAppeal, Voucher
from .selectors import commitment_settings

SHOWN = 5


@office_card(order=14, template="office/commitments/_breaches_card.html")
def office_breaches_card(request, merchant) -> dict:
    """Breaches the shop may still appeal (window open, no appeal yet) and its appeals under review."""
    rules = commitment_settings()
    now = timezone.now()
    appealable = Breach.objects.filter(
        merchant=merchant, detected_at__gte=now - rules.appeal_window, appeal__isnull=True
    )
    breaches = list(
        appealable.select_related("commitment__order", "commitment__tag").order_by("detected_at")[:SHOWN]
    )
    for breach in breaches:
        breach.appeal_until = breach.detected_at + rules.appeal_window
    return {
        "appealable_count": appealable.count(),
        "breaches": breaches,
        "appeals_pending": BreachAppeal.objects.filter(
            merchant=merchant, state=BreachAppeal.State.SUBMITTED
        ).count(),
        "appeal_days": rules.appeal_days,
    }


@office_card(order=16, template="office/commitments/_vouchers_card.html")
def office_vouchers_card(request, merchant) -> dict:
    return {
        "vouchers": list(
            Voucher.objects.filter(merchant=merchant)
            .select_related("order", "breach__commitment__tag")
            .order_by("-created_at", "-pk")[:SHOWN]
        )
    }


@merchant_page_card(order=14, template="staff/commitments/_merchant_section.html")
def merchant_page_breaches_and_vouchers(request, merchant) -> dict:
    return {
        "breaches": list(
            Breach.objects.filter(merchant=merchant)
            .select_related("commitment__order", "commitment__tag", "appeal")
            .order_by("-detected_at", "-pk")[:10]
        ),
        "vouchers": list(
            Voucher.objects.filter(merchant=merchant)
            .select_related("order", "breach__commitment__tag")
            .order_by("-created_at", "-pk")[:10]
        ),
    }


@staff_card(order=14, template="staff/commitments/_card.html")
def staff_appeals_card(request) -> dict:
    return {
        "appeals": BreachAppeal.objects.filter(state=BreachAppeal.State.SUBMITTED).aggregate(
            count=Count("pk"), oldest=Min("created_at")
        )
    }
