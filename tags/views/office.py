"""Merchant back office: the tag catalog, applying (checks, agreement), my tags and badges."""

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.i18n import is_chinese
from core.regions import PROVINCES
from merchants.access import merchant_required
from merchants.models import Category

from .. import selectors, services
from ..models import Tag, TagApplication, TagHolding

# What to do about a failed check, shown under its result.
FIX_HINTS = {
    "not_barred": gettext_lazy(
        "Wait until the date shown; a tag in rectification comes back by itself when the month passes."
    ),
    "category_eligible": gettext_lazy("Choose a category this tag is offered in (see the catalog)."),
    "exclusive": gettext_lazy("Withdraw the other dispatch-speed tag first, or apply in another category."),
    "requires": gettext_lazy("Apply for the required tag first."),
    "fault_complaint_rate": gettext_lazy(
        "Reduce complaints where your shop is at fault; see the courses for the service standards."
    ),
    "on_time_dispatch": gettext_lazy(
        "Raise your on-time dispatch rate to the required level (see the check's detail), then apply again."
    ),
    "deposit": gettext_lazy("Top up your deposit to the category requirement (see the deposit ledger)."),
    "configuration": gettext_lazy("Complete the tag's configuration in a new application."),
}


def _text(post, name: str) -> str:
    """A text field of a form, without NUL characters (PostgreSQL text cannot store them)."""
    return post.get(name, "").replace("\x00", "")


def _lang() -> str:
    return "zh" if is_chinese() else "en"


@merchant_required
def catalog(request):
    merchant = request.merchant
    held = set(
        TagHolding.objects.filter(merchant=merchant, state=TagHolding.State.ACTIVE).values_list(
            "category_id", "tag_id"
        )
    )
    tags = list(selectors.tag_catalog())
    categories = list(Category.objects.order_by("sort_order"))
    rows = []
    for tag in tags:
        eligible = {c.pk for c in tag.categories.all()}
        rows.append(
            {
                "tag": tag,
                "cells": [
                    {"category": c, "eligible": c.pk in eligible, "held": (c.pk, tag.pk) in held}
                    for c in categories
                ],
            }
        )
    return render(
        request,
        "office/tags/catalog.html",
        {"rows": rows, "categories": categories, "badges": selectors.badge_catalog()},
    )


def _config_from_post(tag: Tag, post) -> dict:
    if tag.code == "sf_free_shipping":
        if post.get("sf_mode") == "warehouse":
            return {"warehouse": True}
        return {"sf_coverage": post.getlist("sf_coverage")}
    if tag.code == "nationwide_warranty":
        option = post.get("warranty_option", "")
        warranty: dict = {"option": option}
        if option == "brand_service":
            warranty["service_id"] = int(post.get("service_id") or 0)
        elif option == "disclosed":
            warranty.update(
                {
                    "hotline": post.get("hotline", "").strip(),
                    "outlets": post.get("outlets", "").strip(),
                    "warranty_period_months": post.get("warranty_period_months", "").strip(),
                    "policy": post.get("policy", "").strip(),
                }
            )
        elif option == "certified_provider":
            warranty["provider"] = post.get("provider", "").strip()
        return {"warranty": warranty}
    if tag.code == "worry_free_returns":
        return {"returns_terms_accepted": post.get("returns_terms_accepted") == "on"}
    return {}


@merchant_required
def apply(request, code: str):
    tag = Tag.objects.select_related("current_terms").filter(code=code).first()
    if tag is None:
        raise Http404("No such tag.")
    categories = list(tag.categories.order_by("sort_order"))
    if request.method == "POST":
        code_in = _text(request.POST, "category")
        category = next((c for c in categories if c.code == code_in), None)
        if category is None:
            category = Category.objects.filter(code=code_in).first()
        if category is None:
            messages.error(request, _("Choose a category."))
            return redirect("office:tag-apply", code=code)
        try:
            config = _config_from_post(tag, request.POST)
            application = services.application_create(
                merchant=request.merchant, category=category, tag=tag, config=config, actor=request.user
            )
            services.application_submit(
                application_id=application.pk, merchant=request.merchant, actor=request.user
            )
        except (ApplicationError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", str(exc)))
            return redirect("office:tag-apply", code=code)
        return redirect("office:tag-application", application_id=application.pk)
    return render(
        request,
        "office/tags/apply.html",
        {
            "tag": tag,
            "categories": categories,
            "provinces": sorted(PROVINCES.items()),
            "services": selectors.warranty_services(approved_only=True),
            "default_category": request.merchant.main_category_id,
        },
    )


@merchant_required
def application_list(request):
    state = request.GET.get("state", "")
    if state not in TagApplication.State.values:
        state = ""

    page = Paginator(selectors.applications_for(merchant=request.merchant, state=state), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "office/tags/applications.html",
        {"page": page, "states": TagApplication.State.choices, "state": state},
    )


@merchant_required
def application_detail(request, application_id: int):
    application = selectors.application_get(application_id=application_id, merchant=request.merchant)
    terms = application.tag.current_terms
    lang = _lang()
    checks = [
        {"check": c, "fix": FIX_HINTS.get(c.code, "") if c.status == "failed" else ""}
        for c in application.checks.all()
    ]
    return render(
        request,
        "office/tags/application.html",
        {
            "application": application,
            "checks": checks,
            "terms": terms,
            "agreement": (terms.agreement_zh if lang == "zh" else terms.agreement_en) if terms else "",
            "config_json": json.dumps(application.config, ensure_ascii=False, indent=1),
            "agreement_record": getattr(application, "agreement", None),
        },
    )


@merchant_required
@require_POST
def application_sign(request, application_id: int):
    try:
        services.application_sign(
            application_id=application_id,
            merchant=request.merchant,
            actor=request.user,
            signer_name=_text(request.POST, "signer_name"),
            accept=request.POST.get("accept") == "on",
            ip_address=request.META.get("REMOTE_ADDR"),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Agreement signed."))
    return redirect("office:tag-application", application_id=application_id)


@merchant_required
def my_tags(request):
    return render(
        request,
        "office/tags/my_tags.html",
        {
            "holdings": selectors.holdings_for(merchant=request.merchant),
            "badges": selectors.badges_for(merchant=request.merchant),
        },
    )


@merchant_required
@require_POST
def holding_withdraw(request, holding_id: int):
    holding = selectors.holding_get(holding_id=holding_id, merchant=request.merchant)
    try:
        services.holding_withdraw(
            holding_id=holding.pk, actor=request.user, reason=_text(request.POST, "reason")[:300]
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Tag withdrawn. Orders paid before keep their commitments."))
    return redirect("office:tag-mine")
