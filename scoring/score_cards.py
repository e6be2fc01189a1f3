"""Dashboard card of the experience score (order 20): the latest total, the warning, a link."""

from django.urls import reverse

from core.dashboard import office_card

from .models import MerchantScore


@office_card(order=20, template="office/scoring/_score_card.html")
def score_card(request, merchant) -> dict | None:
    row = MerchantScore.objects.filter(merchant=merchant).order_by("-day").first()
    return {"row": row, "url": reverse("office:score")}
