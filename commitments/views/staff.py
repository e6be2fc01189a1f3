"""Staff console: appeals queue, force-majeure declarations, breach search by order number."""

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.boundary import parse_datetime_input
from core.calendar import business_tz
from core.errors import ApplicationError
from core.files import evidence_file_response
from core.regions import PROVINCES
from core.roles import STAFF_ADJUDICATOR, STAFF_OPS, STAFF_REVIEWER, has_role, role_required, staff_required
from tags.models import BrandWarrantyService, Tag

from .. import selectors, services
from ..exports import breaches_csv, vouchers_csv
from ..models import AppealEvidence, BreachAppeal, RepairTicket


@staff_required
def appeal_queue(request):
    state = request.GET.get("state", BreachAppeal.State.SUBMITTED)
    if state not in BreachAppeal.State.values:
        state = ""  # "all"
    page = Paginator(selectors.appeal_queue(state=state), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "staff/commitments/appeals.html",
        {
            "page": page,
            "states": BreachAppeal.State.choices,
            "params": {"state": state},
            "can_decide": has_role(request.user, STAFF_ADJUDICATOR, STAFF_OPS),
        },
    )


@role_required(STAFF_ADJUDICATOR, STAFF_OPS)
@require_POST
def appeal_decide(request, appeal_id: int):
    decision = request.POST.get("decision")
    if decision not in ("uphold", "reject"):
        messages.error(request, _("Choose uphold or reject."))
        return redirect("staff:commitment-appeals")
    try:
        services.breach_appeal_decide(
            appeal_id=appeal_id,
            uphold=decision == "uphold",
            note=request.POST.get("note", ""),
            actor=request.user,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Appeal decided."))
    return redirect("staff:commitment-appeals")


def _local(raw: str) -> datetime | None:
    # Unparsable, impossible, beyond ±15:59 or outside the business years: None (the form says so).
    return parse_datetime_input(raw, naive_tz=business_tz())


@staff_required
def force_majeure(request):
    form = {"provinces": [], "tags": [], "starts_at": "", "ends_at": "", "reason": ""}
    if request.method == "POST":
        if not has_role(request.user, STAFF_OPS):
            raise PermissionDenied("Declaring force majeure needs the staff_ops role.")
        form = {
            "provinces": request.POST.getlist("provinces"),
            "tags": [
                int(t) for t in request.POST.getlist("tags") if t.isascii() and t.isdigit() and len(t) < 10
            ],
            "starts_at": request.POST.get("starts_at", ""),
            "ends_at": request.POST.get("ends_at", ""),
            "reason": request.POST.get("reason", ""),
        }
        try:
            declaration = services.force_majeure_declare(
                provinces=form["provinces"],
                starts_at=_local(form["starts_at"]),
                ends_at=_local(form["ends_at"]),
                tag_ids=form["tags"],
                reason=form["reason"],
                actor=request.user,
            )
        except ApplicationError as exc:
            messages.error(
                request, exc.message + " " + "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.fields.items())
            )
        else:
            messages.success(
                request,
                _("Declared. %(count)s commitments exempted.") % {"count": declaration.exempted_count},
            )
            return redirect("staff:commitment-force-majeure")
    page = Paginator(selectors.force_majeure_list(), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "staff/commitments/force_majeure.html",
        {
            "page": page,
            "provinces": sorted(PROVINCES.items()),
            "tags": Tag.objects.filter(monitored=True).order_by("sort_order", "code"),
            "form": form,
            "can_declare": has_role(request.user, STAFF_OPS),
        },
    )


def _breach_search_params(request) -> tuple[str, str]:
    clean = lambda name: request.GET.get(name, "").replace("\x00", "").strip()[:64]  # noqa: E731
    return clean("order"), clean("merchant")


def _breaches_matching(order: str, shop_code: str):
    qs = selectors.breach_list(order_external_id=order)
    return qs.filter(merchant__shop_code=shop_code) if shop_code else qs


@staff_required
def breach_search(request):
    order, shop_code = _breach_search_params(request)
    searched = bool(order or shop_code)
    breaches = list(_breaches_matching(order, shop_code)[:50]) if searched else []
    commitments = (
        list(selectors.commitment_list(order_external_id=order).select_related("merchant")[:50])
        if order
        else []
    )
    return render(
        request,
        "staff/commitments/breach_search.html",
        {
            "order": order,
            "merchant": shop_code,
            "searched": searched,
            "breaches": breaches,
            "commitments": commitments,
        },
    )


@staff_required
def breach_export(request):
    """The breach search as CSV, with the page's filters (order number, shop code); all when none."""
    order, shop_code = _breach_search_params(request)
    return breaches_csv(_breaches_matching(order, shop_code), name=shop_code or order, with_merchant=True)


@staff_required
def voucher_export(request):
    """Vouchers as CSV: one merchant's (?merchant=shop code) or all."""
    shop_code = request.GET.get("merchant", "").replace("\x00", "").strip()[:64]
    qs = selectors.voucher_list()
    if shop_code:
        qs = qs.filter(merchant__shop_code=shop_code)
    return vouchers_csv(qs, name=shop_code, with_merchant=True)


@staff_required
def appeal_evidence(request, evidence_id: int):
    """An appeal's evidence file, behind the staff check (media is never served publicly)."""
    item = get_object_or_404(AppealEvidence, pk=evidence_id)
    return evidence_file_response(item.file, filename=item.name)


@staff_required
def warranty_service_detail(request, service_id: int):
    """A brand warranty service: its terms, outlets, repair tickets (with the late ones) and API key."""
    service = get_object_or_404(
        BrandWarrantyService.objects.select_related("brand", "reviewed_by", "repair_key"), pk=service_id
    )
    tickets = RepairTicket.objects.filter(service=service)
    state = request.GET.get("state", "")
    if state not in RepairTicket.State.values:
        state = ""
    late_only = request.GET.get("late") == "1"
    listed = tickets.filter(state=state) if state else tickets
    if late_only:
        listed = listed.exclude(late="")
    page = Paginator(
        listed.select_related("order", "merchant", "outlet").order_by("-created_at", "-pk"), 50
    ).get_page(request.GET.get("page"))
    counts = {row["state"]: row["n"] for row in tickets.values("state").annotate(n=Count("pk"))}
    return render(
        request,
        "staff/commitments/warranty_service.html",
        {
            "service": service,
            "outlets": list(service.outlets.all()),
            "page": page,
            "state": state,
            "late_only": late_only,
            "states": [(value, label, counts.get(value, 0)) for value, label in RepairTicket.State.choices],
            "late_count": tickets.exclude(late="").count(),
            "can_issue_key": has_role(request.user, STAFF_REVIEWER, STAFF_OPS)
            and service.state == BrandWarrantyService.State.APPROVED
            and service.integration_mode == BrandWarrantyService.Integration.API,
        },
    )


@require_POST
@role_required(STAFF_REVIEWER, STAFF_OPS)
def warranty_service_key(request, service_id: int):
    try:
        key = services.brand_repair_key_issue(service_id=service_id, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("New brand API key (shown once, give it to the brand): %(key)s") % {"key": key}
        )
    return redirect("staff:tag-warranty-service", service_id=service_id)
