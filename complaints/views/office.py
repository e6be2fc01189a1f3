"""Back office: complaints against my shop with their deadlines, the response form, the appeal form."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from merchants.access import merchant_required

from .. import selectors, services
from ..exports import complaints_csv
from ..models import Complaint, Evidence
from ..services.appeals import appeal_deadline
from .evidence import evidence_response


@merchant_required
def complaint_list(request):
    state = request.GET.get("state", "")
    if state not in Complaint.State.values:
        state = ""
    qs = selectors.complaints_for_merchant(merchant_id=request.merchant.pk, state=state)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    awaiting = Complaint.objects.filter(
        merchant=request.merchant, state=Complaint.State.AWAITING_MERCHANT
    ).count()
    return render(
        request,
        "office/complaints/list.html",
        {"page": page, "state": state, "states": Complaint.State.choices, "awaiting": awaiting},
    )


@merchant_required
def complaint_export(request):
    """This shop's complaints as CSV, with the page's state filter."""
    state = request.GET.get("state", "")
    qs = selectors.complaints_for_merchant(
        merchant_id=request.merchant.pk, state=state if state in Complaint.State.values else ""
    )
    return complaints_csv(qs, name=request.merchant.shop_code)


@merchant_required
def complaint_detail(request, complaint_id: int):
    complaint = selectors.complaint_get(complaint_id, merchant_id=request.merchant.pk)
    appeal = getattr(complaint, "appeal", None)
    deadline = appeal_deadline(complaint) if complaint.is_fault else None
    can_appeal = bool(
        complaint.is_fault and appeal is None and deadline is not None and timezone.now() <= deadline
    )
    return render(
        request,
        "office/complaints/detail.html",
        {
            "complaint": complaint,
            "evidence": list(complaint.evidence.all()),
            "appeal": appeal,
            "appeal_deadline": deadline,
            "can_appeal": can_appeal,
            "can_respond": complaint.state == Complaint.State.AWAITING_MERCHANT,
        },
    )


@require_POST
@merchant_required
def complaint_respond(request, complaint_id: int):
    selectors.complaint_get(complaint_id, merchant_id=request.merchant.pk)
    try:
        services.complaint_merchant_respond(
            complaint_id=complaint_id,
            merchant_id=request.merchant.pk,
            text=request.POST.get("text", ""),
            files=request.FILES.getlist("evidence"),
            actor=request.user,
        )
        messages.success(request, _("Your response was sent to the service desk."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("office:complaint-detail", complaint_id=complaint_id)


@require_POST
@merchant_required
def complaint_appeal(request, complaint_id: int):
    selectors.complaint_get(complaint_id, merchant_id=request.merchant.pk)
    try:
        services.complaint_appeal_file(
            complaint_id=complaint_id,
            merchant_id=request.merchant.pk,
            reason=request.POST.get("reason", ""),
            files=request.FILES.getlist("evidence"),
            actor=request.user,
        )
        messages.success(request, _("Your appeal was filed."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("office:complaint-detail", complaint_id=complaint_id)


@merchant_required
def evidence_file(request, evidence_id: int):
    item = get_object_or_404(Evidence, pk=evidence_id, complaint__merchant=request.merchant)
    return evidence_response(item)
