"""Back office: my shop's core problems (核心问题) and the order behind each order number."""

from django.shortcuts import render

from merchants.access import merchant_required

from ..core_problems.orders import order_events
from ..core_problems.selectors import core_problems_for_merchant


@merchant_required
def core_problems(request):
    panel = core_problems_for_merchant(request.merchant.pk)
    return render(request, "office/scoring/core_problems.html", {"panel": panel})


@merchant_required
def core_problem_order(request, external_id: str):
    events = order_events(external_id, merchant_id=request.merchant.pk)
    return render(request, "office/scoring/core_problem_order.html", {"events": events})
