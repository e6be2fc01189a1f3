"""Dashboard cards of the tags app: held tags and badges (merchant), the review queues (staff)."""

from django.db.models import Count, Min, Q

from core.dashboard import merchant_page_card, office_card, staff_card
from core.roles import STAFF_OPS, has_role

from .models import BadgeHolding, BrandWarrantyService, TagApplication, TagHolding

SHOWN_STATES = (TagHolding.State.ACTIVE, TagHolding.State.RECTIFYING, TagHolding.State.BARRED)


def _tags_and_badges(merchant) -> dict:
    holdings = list(
        TagHolding.objects.filter(merchant=merchant, state__in=SHOWN_STATES)
        .select_related("tag", "category")
        .order_by("category__sort_order", "tag__sort_order")
    )
    badges = list(
        BadgeHolding.objects.filter(merchant=merchant)
        .select_related("badge__category")
        .order_by("badge__category__sort_order")
    )
    return {
        "holdings": holdings,
        "badges": badges,
        "active_count": sum(h.state == TagHolding.State.ACTIVE for h in holdings),
    }


@office_card(order=10, template="office/tags/_card.html")
def office_tags_card(request, merchant) -> dict:
    return _tags_and_badges(merchant)


@merchant_page_card(order=10, template="staff/tags/_merchant_section.html")
def merchant_page_tags(request, merchant) -> dict:
    # Operations staff may revoke an active tag for a reason other than the monthly evaluation.
    return {**_tags_and_badges(merchant), "can_revoke": has_role(request.user, STAFF_OPS)}


@staff_card(order=10, template="staff/tags/_card.html")
def staff_review_card(request) -> dict:
    applications = TagApplication.objects.filter(state=TagApplication.State.UNDER_REVIEW).aggregate(
        count=Count("pk"), oldest=Min("submitted_at")
    )
    services = BrandWarrantyService.objects.aggregate(
        count=Count("pk", filter=Q(state=BrandWarrantyService.State.SUBMITTED)),
        oldest=Min("created_at", filter=Q(state=BrandWarrantyService.State.SUBMITTED)),
    )
    return {"applications": applications, "services": services}
