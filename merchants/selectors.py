"""Reads for merchants and deposits, already joined."""

from django.db.models import F, Q, QuerySet
from django.http import Http404

from .models import DepositEntry, Membership, Merchant


def merchant_for_user(user) -> Merchant | None:
    if not user.is_authenticated:
        return None
    membership = (
        Membership.objects.select_related("merchant__main_category", "merchant__deposit")
        .filter(user=user)
        .first()
    )
    return membership.merchant if membership else None


def merchant_directory(
    *, search: str = "", category: str = "", status: str = "", topup_flagged: bool | None = None
) -> QuerySet[Merchant]:
    qs = Merchant.objects.select_related("main_category", "deposit").annotate(
        balance=F("deposit__balance"),
        required_deposit=F("main_category__required_deposit"),
        topup_since=F("deposit__topup_required_since"),
    )
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(name_en__icontains=search) | Q(shop_code__iexact=search))
    if category:
        qs = qs.filter(main_category__code=category)
    if status:
        qs = qs.filter(status=status)
    if topup_flagged is not None:
        qs = qs.filter(deposit__topup_required_since__isnull=not topup_flagged)
    return qs.order_by("shop_code")


def merchant_get(merchant_id: int) -> Merchant:
    merchant = Merchant.objects.select_related("main_category", "deposit").filter(pk=merchant_id).first()
    if merchant is None:
        raise Http404("No such merchant.")
    return merchant


def deposit_entries(*, merchant: Merchant, kind: str = "") -> QuerySet[DepositEntry]:
    qs = DepositEntry.objects.filter(account__merchant=merchant).select_related("created_by")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-created_at", "-id")
