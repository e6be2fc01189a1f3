"""Merchant back office: dashboard and deposit ledger."""

from django.core.paginator import Paginator
from django.shortcuts import render

from core.dashboard import office_cards

from ..access import merchant_required
from ..models import DepositEntry
from ..selectors import deposit_entries


@merchant_required
def dashboard(request):
    merchant = request.merchant
    return render(
        request,
        "office/dashboard.html",
        {
            "merchant": merchant,
            "account": merchant.deposit,
            "required_deposit": merchant.main_category.required_deposit,
            "recent_entries": list(deposit_entries(merchant=merchant)[:5]),
            "cards": office_cards(request, merchant),
        },
    )


@merchant_required
def deposit_ledger(request):
    merchant = request.merchant
    kind = request.GET.get("kind", "")
    if kind not in DepositEntry.Kind.values:
        kind = ""
    page = Paginator(deposit_entries(merchant=merchant, kind=kind), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "office/deposit.html",
        {
            "merchant": merchant,
            "account": merchant.deposit,
            "required_deposit": merchant.main_category.required_deposit,
            "page": page,
            "kinds": DepositEntry.Kind.choices,
            "kind": kind,
        },
    )
