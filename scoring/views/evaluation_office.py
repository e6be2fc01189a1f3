"""Merchant back office: my monthly evaluations (history, rectification and bar status) and the what-if."""

from django.core.paginator import Paginator
from django.shortcuts import render

from merchants.access import merchant_required
from tags.models import TagHolding

from ..evaluation import selectors


@merchant_required
def evaluation(request):
    merchant = request.merchant
    rules = selectors.evaluation_settings()
    page = Paginator(selectors.merchant_history(merchant_id=merchant.pk), 30).get_page(
        request.GET.get("page")
    )
    status = list(
        TagHolding.objects.filter(
            merchant=merchant, state__in=[TagHolding.State.RECTIFYING, TagHolding.State.BARRED]
        )
        .select_related("tag", "category")
        .order_by("state", "tag__sort_order")
    )
    return render(
        request,
        "office/scoring/evaluation.html",
        {
            "merchant": merchant,
            "rules": rules,
            "page": page,
            "status": status,
            "what_if": selectors.what_if(merchant_id=merchant.pk, rules=rules),
            "exclusions": list(selectors.merchant_exclusions(merchant_id=merchant.pk)[:20]),
        },
    )
