"""Staff console: dashboard, merchant directory, merchant detail with its deposit ledger."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.dashboard import merchant_page_cards, staff_cards
from core.errors import ApplicationError
from core.roles import STAFF_OPS, has_role, role_required, staff_required

from ..exports import ledger_csv
from ..models import Category, DepositAccount, DepositEntry, Merchant
from ..selectors import deposit_entries, merchant_directory, merchant_get
from ..services import deposit_post_entry


@staff_required
def dashboard(request):
    return render(
        request,
        "staff/dashboard.html",
        {
            "merchant_count": Merchant.objects.count(),
            "topup_flagged": DepositAccount.objects.filter(topup_required_since__isnull=False).count(),
            "cards": staff_cards(request),
        },
    )


@staff_required
def merchant_list(request):
    flagged = request.GET.get("flagged")
    qs = merchant_directory(
        search=request.GET.get("q", "").strip(),
        category=request.GET.get("category", ""),
        status=request.GET.get("status", ""),
        topup_flagged=True if flagged == "1" else None,
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "staff/merchants.html",
        {
            "page": page,
            "categories": Category.objects.all(),
            "statuses": Merchant.Status.choices,
            "params": request.GET,
        },
    )


@staff_required
def merchant_detail(request, merchant_id: int):
    merchant = merchant_get(merchant_id)
    page = Paginator(deposit_entries(merchant=merchant), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "staff/merchant_detail.html",
        {
            "merchant": merchant,
            "account": merchant.deposit,
            "page": page,
            "members": merchant.memberships.select_related("user"),
            "can_post": has_role(request.user, STAFF_OPS),
            "post_kinds": [(k, label) for k, label in DepositEntry.Kind.choices if k in ("top_up", "refund")],
            "cards": merchant_page_cards(request, merchant),
        },
    )


@staff_required
def merchant_ledger_export(request, merchant_id: int):
    return ledger_csv(merchant=merchant_get(merchant_id))


@require_POST
@role_required(STAFF_OPS)
def merchant_deposit_post(request, merchant_id: int):
    merchant = merchant_get(merchant_id)
    kind = request.POST.get("kind", "")
    try:
        amount = Decimal(request.POST.get("amount", ""))
        if kind not in ("top_up", "refund"):
            raise ApplicationError(_("Choose top-up or refund."))
        deposit_post_entry(
            merchant_id=merchant.pk,
            kind=kind,
            amount=amount,
            memo=request.POST.get("memo", ""),
            actor=request.user,
        )
        messages.success(request, _("Ledger entry recorded."))
    except (InvalidOperation, ValueError):
        messages.error(request, _("Enter an amount such as 5000.00."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("staff:merchant-detail", merchant_id=merchant.pk)
