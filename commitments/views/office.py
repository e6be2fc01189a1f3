"""Merchant back office: commitments, breaches (with timeline and appeal form), vouchers paid."""

from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.calendar import business_tz
from core.errors import ApplicationError
from merchants.access import merchant_required
from tags.models import Tag

from .. import selectors, services
from ..exports import breaches_csv, vouchers_csv
from ..models import BreachAppeal, Commitment, Voucher


def _period(request) -> tuple[datetime | None, datetime | None, dict]:
    """?since=YYYY-MM-DD&until=YYYY-MM-DD (Asia/Shanghai days, inclusive)."""
    since, until = _day_param(request, "since"), _day_param(request, "until")
    tz = business_tz()
    return (
        datetime.combine(since, time.min, tzinfo=tz) if since else None,
        datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz) if until else None,
        {"since": since.isoformat() if since else "", "until": until.isoformat() if until else ""},
    )


def _day_param(request, name: str) -> date | None:
    """A YYYY-MM-DD query parameter; an impossible or out-of-range day is ignored (no filter)."""
    try:
        value = parse_date(request.GET.get(name, "") or "")
    except ValueError:  # well formed but impossible, e.g. 2026-02-30
        return None
    return value if value is not None and 2000 <= value.year <= 2099 else None


def _tag_param(request) -> int | None:
    raw = request.GET.get("tag", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


def _monitored_tags():
    return Tag.objects.filter(monitored=True).order_by("sort_order", "code")


@merchant_required
def commitment_list(request):
    since, until, period = _period(request)
    state = request.GET.get("state", "")
    if state not in Commitment.State.values:
        state = ""
    tag_id = _tag_param(request)
    qs = selectors.commitment_list(
        merchant=request.merchant, tag_id=tag_id, state=state, since=since, until=until
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "office/commitments/commitments.html",
        {
            "page": page,
            "tags": _monitored_tags(),
            "states": Commitment.State.choices,
            "params": {"tag": tag_id, "state": state, **period},
        },
    )


@merchant_required
def breach_list(request):
    since, until, period = _period(request)
    tag_id = _tag_param(request)
    qs = selectors.breach_list(merchant=request.merchant, tag_id=tag_id, since=since, until=until)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "office/commitments/breaches.html",
        {"page": page, "tags": _monitored_tags(), "params": {"tag": tag_id, **period}},
    )


@merchant_required
def breach_detail(request, breach_id: int):
    breach = selectors.breach_get(breach_id=breach_id, merchant=request.merchant)
    if breach is None:
        raise Http404("no such breach")
    try:
        appeal = breach.appeal
    except BreachAppeal.DoesNotExist:
        appeal = None
    rules = selectors.commitment_settings()
    deadline = services.appeal_deadline(breach, rules=rules)

    return render(
        request,
        "office/commitments/breach_detail.html",
        {
            "breach": breach,
            "commitment": breach.commitment,
            "timeline": selectors.breach_timeline(breach),
            "appeal": appeal,
            "appeal_deadline": deadline,
            "appeal_days": rules.appeal_days,
            "can_appeal": appeal is None and timezone.now() <= deadline,
        },
    )


@merchant_required
@require_POST
def breach_appeal(request, breach_id: int):
    try:
        services.breach_appeal_submit(
            breach_id=breach_id,
            merchant=request.merchant,
            text=request.POST.get("text", ""),
            files=request.FILES.getlist("evidence"),
            actor=request.user,
        )
    except ApplicationError as exc:
        if exc.status_code == 404:
            raise Http404("no such breach") from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your appeal was submitted. Platform staff will decide."))
    return redirect("office:commitment-breach", breach_id=breach_id)


@merchant_required
def voucher_list(request):
    state = request.GET.get("state", "")
    if state not in Voucher.State.values:
        state = ""
    page = Paginator(selectors.voucher_list(merchant=request.merchant, state=state), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "office/commitments/vouchers.html",
        {
            "page": page,
            "states": Voucher.State.choices,
            "params": {"state": state},
            "voucher_valid_days": selectors.commitment_settings().voucher_valid_days,
        },
    )


@merchant_required
def breach_export(request):
    """This shop's breaches as CSV, with the page's filters (tag, period)."""
    since, until, _period_params = _period(request)
    qs = selectors.breach_list(
        merchant=request.merchant, tag_id=_tag_param(request), since=since, until=until
    )
    return breaches_csv(qs, name=request.merchant.shop_code)


@merchant_required
def voucher_export(request):
    state = request.GET.get("state", "")
    qs = selectors.voucher_list(
        merchant=request.merchant, state=state if state in Voucher.State.values else ""
    )
    return vouchers_csv(qs, name=request.merchant.shop_code)
