"""Staff console: the review queue for tag applications and brand warranty services."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError, InvalidTransition
from core.roles import STAFF_OPS, STAFF_REVIEWER, has_role, role_required, staff_required

from .. import selectors, services
from ..models import BrandWarrantyService, TagHolding, WarrantyReviewRules
from ..services.warranty import warranty_rule_failures


def _text(post, name: str) -> str:
    """A text field of a form, without NUL characters (PostgreSQL text cannot store them)."""
    return post.get(name, "").replace("\x00", "")


@staff_required
def review_queue(request):
    page = Paginator(selectors.review_queue(), 50).get_page(request.GET.get("page"))
    services_pending = list(selectors.warranty_services(state="submitted"))
    rules = WarrantyReviewRules.current()
    return render(
        request,
        "staff/tags/review_queue.html",
        {
            "page": page,
            "services": [
                {"service": s, "failures": warranty_rule_failures(s, rules=rules)} for s in services_pending
            ],
            "can_review": has_role(request.user, STAFF_REVIEWER),
            "recent": selectors.applications_for().exclude(state="draft").order_by("-updated_at")[:20],
        },
    )


@staff_required
def application_detail(request, application_id: int):
    application = selectors.application_get(application_id=application_id)
    return render(
        request,
        "staff/tags/application.html",
        {"application": application, "can_review": has_role(request.user, STAFF_REVIEWER)},
    )


@role_required(STAFF_REVIEWER)
@require_POST
def application_decide(request, application_id: int):
    decision = request.POST.get("decision")
    try:
        if decision == "approve":
            services.application_approve(
                application_id=application_id, actor=request.user, note=_text(request.POST, "reason")
            )
            messages.success(request, _("Application approved: the tag is active."))
        elif decision == "reject":
            services.application_reject(
                application_id=application_id, actor=request.user, reason=_text(request.POST, "reason")
            )
            messages.success(request, _("Application rejected."))
        else:
            messages.error(request, _("Choose approve or reject."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("staff:tag-review-queue")


@role_required(STAFF_OPS)
@require_POST
def holding_revoke(request, holding_id: int):
    """Revoke an active tag for another reason than the monthly evaluation: the holding enters its
    rectification month (next month) and every badge that needs it goes, as after a failed month."""
    holding = get_object_or_404(TagHolding, pk=holding_id)
    reason = _text(request.POST, "reason").strip()[:300]
    if not reason:
        messages.error(request, _("Give a reason for revoking the tag: the merchant reads it."))
    else:
        try:
            services.holding_revoke(holding_id=holding.pk, reason=reason, actor=request.user)
            messages.success(request, _("Tag revoked: its rectification month follows."))
        except InvalidTransition:
            messages.error(request, _("Only an active tag can be revoked."))
    return redirect("staff:merchant-detail", merchant_id=holding.merchant_id)


@staff_required
def warranty_list(request):
    state = request.GET.get("state", "")
    if state not in BrandWarrantyService.State.values:
        state = ""
    page = Paginator(selectors.warranty_services(state=state), 50).get_page(request.GET.get("page"))
    return render(request, "staff/tags/warranty_services.html", {"page": page, "state": state})


@role_required(STAFF_REVIEWER)
@require_POST
def warranty_decide(request, service_id: int):
    decision = request.POST.get("decision")
    try:
        if decision == "approve":
            services.warranty_service_approve(service_id=service_id, actor=request.user)
            messages.success(request, _("Brand warranty service approved."))
        elif decision == "reject":
            services.warranty_service_reject(
                service_id=service_id, actor=request.user, reason=_text(request.POST, "reason")
            )
            messages.success(request, _("Brand warranty service rejected."))
        else:
            messages.error(request, _("Choose approve or reject."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("staff:tag-review-queue")
