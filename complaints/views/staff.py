"""Staff console for the desk: the SLA queue, the complaint page with its forms, desk statistics."""

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commitments.models import Commitment, FulfilmentEvent
from core.audit import audit_for
from core.calendar import business_tz
from core.errors import ApplicationError
from core.periods import local_day, local_today
from core.roles import STAFF_ADJUDICATOR, has_role, role_required, staff_required
from merchants.models import Merchant

from .. import indicators, selectors, services
from ..exports import complaints_csv
from ..models import Complaint, Evidence, HelpRequest, Notification, RecoveryClaim, ServiceStandard
from .evidence import evidence_response

adjudicator_required = role_required(STAFF_ADJUDICATOR)
MAX_ID = 2**63 - 1  # the largest id a database integer column holds


def _queue_queryset(params):
    """The queue's filters (page and CSV export alike)."""
    state = params.get("state", "")
    if state not in Complaint.State.values:
        state = ""
    merchant_id = None
    # NUL never matches, and PostgreSQL refuses it in a query parameter (a 500).
    merchant_q = params.get("merchant", "").replace("\x00", "").strip()
    if merchant_q:
        merchant_id = (
            int(merchant_q)
            if merchant_q.isascii()
            and merchant_q.isdigit()
            and len(merchant_q) <= 19
            and 0 < int(merchant_q) <= MAX_ID
            else Merchant.objects.filter(shop_code=merchant_q).values_list("pk", flat=True).first() or -1
        )
    return selectors.complaint_queue(
        state=state,
        standard=params.get("standard", "").replace("\x00", ""),
        merchant_id=merchant_id,
        overdue=params.get("overdue") == "1",
        due_before=local_day(local_today()).end if params.get("due") == "today" else None,
        urgent=params.get("urgent") == "1",
        appealed=params.get("appealed") == "1",
        open_only=not state and params.get("appealed") != "1",
    )


@staff_required
def queue(request):
    params = request.GET
    qs = _queue_queryset(params)
    page = Paginator(qs, 50).get_page(params.get("page"))
    return render(
        request,
        "staff/complaints/queue.html",
        {
            "page": page,
            "params": params,
            "states": Complaint.State.choices,
            "standards": ServiceStandard.objects.all(),
            "notifications": list(selectors.unread_notifications()),
            "now": timezone.now(),
        },
    )


@staff_required
def queue_export(request):
    """The queue as CSV with the page's filters, every merchant's complaints."""
    return complaints_csv(_queue_queryset(request.GET), name="desk", with_merchant=True)


@staff_required
def detail(request, complaint_id: int):
    complaint = selectors.complaint_get(complaint_id)
    order = complaint.order
    appeal = getattr(complaint, "appeal", None)
    claim = getattr(complaint, "recovery_claim", None)
    refund = getattr(complaint, "refund_instruction", None)
    can_decide = has_role(request.user, STAFF_ADJUDICATOR)
    default_amount = limit = proposal = None
    if complaint.state == Complaint.State.UNDER_REVIEW:
        proposal = services.compensation_proposal(complaint)
        default_amount = proposal.amount
        limit = services.compensation_limit(complaint)
    return render(
        request,
        "staff/complaints/detail.html",
        {
            "complaint": complaint,
            "order": order,
            "commitments": Commitment.objects.filter(order=order).select_related("tag", "terms_version"),
            "events": FulfilmentEvent.objects.filter(order=order).order_by("occurred_at", "id"),
            "help_requests": HelpRequest.objects.filter(order=order),
            "other_complaints": Complaint.objects.filter(order=order)
            .exclude(pk=complaint.pk)
            .select_related("standard"),
            "evidence": list(complaint.evidence.all()),
            "timeline": list(audit_for(complaint).order_by("created_at", "id")),
            "appeal": appeal,
            "claim": claim,
            "refund": refund,
            "can_decide": can_decide,
            "default_amount": default_amount,
            "proposal": proposal,
            "limit": limit,
            "responsibilities": Complaint.Responsibility.choices,
            "claim_targets": sorted(RecoveryClaim.ALLOWED_TRANSITIONS.get(claim.state, ())) if claim else [],
            "claim_states": dict(RecoveryClaim.State.choices),
            "tz": business_tz(),
        },
    )


def _run(request, action, success: str):
    try:
        action()
        messages.success(request, success)
    except ApplicationError as exc:
        messages.error(request, exc.message)


@require_POST
@adjudicator_required
def action(request, complaint_id: int):
    what = request.POST.get("action", "")
    actions = {
        "accept": (
            lambda: services.complaint_accept(complaint_id=complaint_id, actor=request.user),
            _("Accepted; the merchant has 48 hours to respond."),
        ),
        "accept_review": (
            lambda: services.complaint_accept(
                complaint_id=complaint_id, ask_merchant=False, actor=request.user
            ),
            _("Accepted and under review."),
        ),
        "ask": (
            lambda: services.complaint_ask_merchant(complaint_id=complaint_id, actor=request.user),
            _("The merchant has 48 hours to respond."),
        ),
        "review": (
            lambda: services.complaint_start_review(complaint_id=complaint_id, actor=request.user),
            _("Review started."),
        ),
        "withdraw": (
            lambda: services.complaint_withdraw(
                complaint_id=complaint_id, reason=request.POST.get("reason", ""), actor=request.user
            ),
            _("Recorded as withdrawn."),
        ),
    }
    if what not in actions:
        messages.error(request, _("Unknown action."))
    else:
        _run(request, *actions[what])
    return redirect("staff:complaint-detail", complaint_id=complaint_id)


@require_POST
@adjudicator_required
def decide(request, complaint_id: int):
    post = request.POST
    raw_amount = post.get("compensation_amount", "").strip()
    try:
        amount = Decimal(raw_amount) if raw_amount else None
    except InvalidOperation:
        messages.error(request, _("Enter an amount such as 50.00."))
        return redirect("staff:complaint-detail", complaint_id=complaint_id)
    fees = {}
    for name in ("instalment_fees", "price_difference", "return_freight"):
        raw = post.get(name, "").strip()
        if raw:
            try:
                value = Decimal(raw)
            except InvalidOperation:
                value = None
            if value is None or not value.is_finite() or value < 0 or value > 1_000_000:
                messages.error(request, _("Enter an amount such as 50.00."))
                return redirect("staff:complaint-detail", complaint_id=complaint_id)
            fees[name] = value
    _run(
        request,
        lambda: services.complaint_decide(
            complaint_id=complaint_id,
            severity=post.get("severity", "") or None,
            fees=fees or None,
            outcome=post.get("outcome", ""),
            responsibility=post.get("responsibility", ""),
            third_party_name=post.get("third_party_name", ""),
            reason=post.get("reason", ""),
            compensation_amount=amount,
            payout=post.get("payout", Complaint.Payout.VOUCHER),
            actor=request.user,
        ),
        _("Decision recorded."),
    )
    return redirect("staff:complaint-detail", complaint_id=complaint_id)


@require_POST
@adjudicator_required
def appeal_decide(request, complaint_id: int):
    complaint = get_object_or_404(Complaint.objects.select_related("appeal"), pk=complaint_id)
    appeal = getattr(complaint, "appeal", None)
    if appeal is None:
        raise Http404("No appeal.")
    _run(
        request,
        lambda: services.complaint_appeal_decide(
            appeal_id=appeal.pk,
            outcome=request.POST.get("outcome", ""),
            reason=request.POST.get("reason", ""),
            actor=request.user,
        ),
        _("Appeal decided."),
    )
    return redirect("staff:complaint-detail", complaint_id=complaint_id)


@require_POST
@adjudicator_required
def recovery_claim_move(request, complaint_id: int):
    claim = get_object_or_404(RecoveryClaim, complaint_id=complaint_id)
    _run(
        request,
        lambda: services.recovery_claim_advance(
            claim_id=claim.pk,
            target=request.POST.get("state", ""),
            note=request.POST.get("note", ""),
            actor=request.user,
        ),
        _("Recovery claim updated."),
    )
    return redirect("staff:complaint-detail", complaint_id=complaint_id)


@require_POST
@staff_required
def notifications_read(request):
    Notification.objects.filter(read_at__isnull=True).update(read_at=timezone.now())
    return redirect("staff:complaint-queue")


@staff_required
def evidence_file(request, evidence_id: int):
    item = get_object_or_404(Evidence, pk=evidence_id)
    return evidence_response(item)


@staff_required
def statistics(request):
    raw = request.GET.get("days", "30").strip()
    days = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 3 and 0 < int(raw) <= 366 else 30
    now = timezone.now()
    stats = selectors.desk_statistics(days=days, now=now)
    start = now - timedelta(days=days)
    by_standard: dict[str, int] = {}
    for per_merchant in indicators.complaint_counts_by_standard(start=start, end=now).values():
        for code, n in per_merchant.items():
            by_standard[code] = by_standard.get(code, 0) + n
    by_scenario: dict[str, int] = {}
    for per_merchant in indicators.help_request_counts_by_scenario(start=start, end=now).values():
        for code, n in per_merchant.items():
            by_scenario[code] = by_scenario.get(code, 0) + n
    standards = {s.code: s for s in ServiceStandard.objects.all()}
    return render(
        request,
        "staff/complaints/statistics.html",
        {
            "stats": stats,
            "days": days,
            "by_standard": [(standards[c], n) for c, n in sorted(by_standard.items(), key=lambda kv: -kv[1])],
            "by_scenario": [
                (HelpRequest.Scenario(c).label, n)
                for c, n in sorted(by_scenario.items(), key=lambda kv: -kv[1])
            ],
        },
    )
