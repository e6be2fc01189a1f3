"""Dashboard cards contributed by the apps above core.

The merchant dashboard (`merchants.views.office.dashboard`) and the staff dashboard
(`merchants.views.staff.dashboard`) render, after their own cards, every card registered here,
in `order`; so does the staff console's merchant page (`merchant_page_card`). An app registers its cards from `AppConfig.ready()` so that `merchants` never imports
a higher app (layers: STYLE.md). A card is a template plus a function returning its context, or
None to hide the card for this request:

    from core.dashboard import office_card

    @office_card(order=20, template="office/scoring/_card.html")
    def score_card(request, merchant) -> dict | None:
        ...

Each context function must run a bounded number of queries (the dashboard pages are counted).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Card:
    order: int
    template: str
    context: Callable


_OFFICE: list[Card] = []
_STAFF: list[Card] = []
_MERCHANT_PAGE: list[Card] = []


def _register(registry: list[Card], order: int, template: str):
    def decorator(func):
        if not any(card.context is func for card in registry):
            registry.append(Card(order=order, template=template, context=func))
            registry.sort(key=lambda card: card.order)
        return func

    return decorator


def office_card(*, order: int, template: str):
    """Register a merchant back-office dashboard card: func(request, merchant) -> dict | None."""
    return _register(_OFFICE, order, template)


def staff_card(*, order: int, template: str):
    """Register a staff console dashboard card: func(request) -> dict | None."""
    return _register(_STAFF, order, template)


def merchant_page_card(*, order: int, template: str):
    """Register a section of the staff console's merchant page: func(request, merchant) -> dict | None."""
    return _register(_MERCHANT_PAGE, order, template)


def render_cards(registry: list[Card], *args) -> list[dict]:
    cards = []
    for card in registry:
        context = card.context(*args)
        if context is not None:
            cards.append({"template": card.template, "context": context})
    return cards


def office_cards(request, merchant) -> list[dict]:
    return render_cards(_OFFICE, request, merchant)


def staff_cards(request) -> list[dict]:
    return render_cards(_STAFF, request)


def merchant_page_cards(request, merchant) -> list[dict]:
    return render_cards(_MERCHANT_PAGE, request, merchant)
