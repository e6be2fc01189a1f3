"""Core-problem cards: beside the score on the merchant dashboard (order 22), and a section of the
staff console's merchant page. Imported from ScoringConfig.ready()."""

from django.urls import reverse

from core.dashboard import merchant_page_card, office_card

from .selectors import core_problems_for_merchant

CARD_ROWS = 3


@office_card(order=22, template="office/scoring/_core_problems_card.html")
def core_problems_card(request, merchant) -> dict:
    panel = core_problems_for_merchant(merchant.pk, limit=CARD_ROWS, with_links=False)
    return {"panel": panel, "url": reverse("office:core-problems")}


@merchant_page_card(order=22, template="staff/scoring/_core_problems_section.html")
def core_problems_section(request, merchant) -> dict:
    panel = core_problems_for_merchant(merchant.pk, limit=5, with_links=False)
    return {"panel": panel, "url": reverse("staff:merchant-core-problems", args=[merchant.pk])}
