"""Merchant back office: dashboard, deposit ledger, notification centre."""

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.dashboard import office_cards

from ..access import merchant_required
from ..exports import ledger_csv
from ..models import DepositEntry, Notice
from ..notices import render_notice
from ..selectors import deposit_entries
from ..services import notice_mark_read


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


@merchant_required
def notices(request):
    """The notification centre: newest first, each rendered in the reader's language."""
    page = Paginator(
        Notice.objects.filter(merchant=request.merchant).order_by("-created_at", "-id"), 20
    ).get_page(request.GET.get("page"))
    items = [{"notice": n, "text": render_notice(n.code, n.params)} for n in page.object_list]
    return render(request, "office/notices.html", {"page": page, "items": items})


@require_POST
@merchant_required
def notices_read(request):
    """Mark one notice (`notice` in the form) or all of them read."""
    raw = request.POST.get("notice", "")
    ids = [int(raw)] if raw.isdigit() else None
    notice_mark_read(merchant_id=request.merchant.pk, notice_ids=ids, user=request.user)
    return redirect("office:notices")


@merchant_required
def deposit_export(request):
    """The ledger as CSV, with the page's kind filter: this shop's entries only."""
    kind = request.GET.get("kind", "")
    return ledger_csv(merchant=request.merchant, kind=kind if kind in DepositEntry.Kind.values else "")
