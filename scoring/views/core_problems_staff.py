"""Staff console: a merchant's core problems (also a section of the merchant page) and an order's events."""

from django.shortcuts import render

from core.roles import staff_required
from merchants.selectors import merchant_get

from ..core_problems.orders import order_events
from ..core_problems.selectors import core_problems_for_merchant


@staff_required
def merchant_core_problems(request, merchant_id: int):
    merchant = merchant_get(merchant_id)
    panel = core_problems_for_merchant(merchant.pk)
    return render(request, "staff/scoring/core_problems.html", {"merchant": merchant, "panel": panel})


@staff_required
def core_problem_order(request, external_id: str):
    events = order_events(external_id)
    return render(request, "staff/scoring/core_problem_order.html", {"events": events})
