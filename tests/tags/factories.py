from decimal import Decimal

from merchants.models import DepositAccount
from tags.models import Tag, TagHolding
from tags.services import holding_grant
from tests.factories import category


def tag(code: str) -> Tag:
    return Tag.objects.select_related("current_terms").get(code=code)


def fund(merchant, amount: str = "100000.00") -> None:
    DepositAccount.objects.filter(merchant=merchant).update(balance=Decimal(amount))


def grant(merchant, code: str, cat: str = "large_appliances", config: dict | None = None) -> TagHolding:
    t = tag(code)
    return holding_grant(
        merchant_id=merchant.pk,
        category=category(cat),
        tag=t,
        terms_version=t.current_terms,
        config=config or {},
    )


def grant_badge_set(merchant, cat: str = "large_appliances") -> list[TagHolding]:
    from tags.models import CategoryBadge

    badge = CategoryBadge.objects.get(category__code=cat)
    return [grant(merchant, t.code, cat) for t in badge.required_tags.all()]
