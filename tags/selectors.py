"""Reads of the tags app, already joined."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from merchants.models import Category, Merchant

from .models import (
    ApplicationCheck,
    BadgeEvent,
    BadgeHolding,
    BrandWarrantyService,
    CategoryBadge,
    HoldingEvent,
    Tag,
    TagApplication,
    TagHolding,
)


def tag_catalog() -> QuerySet[Tag]:
    return (
        Tag.objects.select_related("current_terms", "requires")
        .prefetch_related(Prefetch("categories", queryset=Category.objects.order_by("sort_order")))
        .order_by("sort_order", "code")
    )


def badge_catalog() -> QuerySet[CategoryBadge]:
    return (
        CategoryBadge.objects.select_related("category")
        .prefetch_related("required_tags")
        .order_by("category__sort_order")
    )


def applications_for(
    *, merchant: Merchant | None = None, state: str = "", tag: str = ""
) -> QuerySet[TagApplication]:
    qs = TagApplication.objects.select_related("tag", "category", "merchant", "terms_version", "agreement")
    if merchant is not None:
        qs = qs.filter(merchant=merchant)
    if state:
        qs = qs.filter(state=state)
    if tag:
        qs = qs.filter(tag__code=tag)
    return qs.prefetch_related(Prefetch("checks", queryset=ApplicationCheck.objects.order_by("position")))


def application_get(*, application_id: int, merchant: Merchant | None = None) -> TagApplication:
    application = applications_for(merchant=merchant).filter(pk=application_id).first()
    if application is None:
        raise Http404("No such application.")
    return application


def review_queue() -> QuerySet[TagApplication]:
    return applications_for(state=TagApplication.State.UNDER_REVIEW).order_by("submitted_at", "id")


def holdings_for(*, merchant: Merchant, state: str = "") -> QuerySet[TagHolding]:
    qs = TagHolding.objects.filter(merchant=merchant).select_related("tag", "category", "terms_version")
    if state:
        qs = qs.filter(state=state)
    return qs.prefetch_related(
        Prefetch("history", queryset=HoldingEvent.objects.select_related("actor").order_by("-at", "-id"))
    ).order_by("category__sort_order", "tag__sort_order")


def holding_get(*, holding_id: int, merchant: Merchant | None = None) -> TagHolding:
    qs = holdings_for(merchant=merchant) if merchant is not None else TagHolding.objects.select_related("tag")
    holding = qs.filter(pk=holding_id).first()
    if holding is None:
        raise Http404("No such holding.")
    return holding


def badges_for(*, merchant: Merchant) -> QuerySet[BadgeHolding]:
    return (
        BadgeHolding.objects.filter(merchant=merchant)
        .select_related("badge__category")
        .prefetch_related(Prefetch("history", queryset=BadgeEvent.objects.order_by("-at", "-id")))
        .order_by("badge__category__sort_order")
    )


def warranty_services(*, state: str = "", approved_only: bool = False) -> QuerySet[BrandWarrantyService]:
    qs = BrandWarrantyService.objects.select_related("brand", "reviewed_by").prefetch_related("outlets")
    if approved_only:
        qs = qs.filter(state=BrandWarrantyService.State.APPROVED)
    elif state:
        qs = qs.filter(state=state)
    return qs.order_by("-created_at", "-id")


def warranty_service_get(service_id: int) -> BrandWarrantyService:
    service = warranty_services().filter(pk=service_id).first()
    if service is None:
        raise Http404("No such brand warranty service.")
    return service
