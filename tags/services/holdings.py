"""Holdings (merchant × category × tag) and the category badges that follow them.

Every change locks the merchant row (one stable lock per merchant, so two changes for the same
merchant serialize), writes the holding and its history, recomputes the merchant's badges in the
same transaction, and refreshes the public badge cache after commit.
"""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from core.audit import audit_record
from core.calendar import local_date
from core.errors import ApplicationError, InvalidTransition, NotFound
from core.locks import lock_one
from core.texts import Text, verbatim
from merchants.models import Category, Merchant

from .. import public, texts
from ..models import BadgeEvent, BadgeHolding, CategoryBadge, HoldingEvent, Tag, TagHolding, TagTermsVersion

ACTIVE = TagHolding.State.ACTIVE


def _lock_merchant(merchant_id: int) -> Merchant:
    return lock_one(Merchant, pk=merchant_id, missing="No such merchant.")


def _after_commit(merchant_id: int) -> None:
    transaction.on_commit(lambda: public.refresh_merchants([merchant_id]))


def badges_recompute(
    *, merchant_id: int, reason: Text | None = None, now: datetime | None = None
) -> dict[str, str]:
    """Grant or revoke each category badge of one merchant from its active holdings.

    Call inside the transaction that changed the holdings (the merchant row is locked there).
    Returns {badge_code: "granted" | "revoked"} for the badges that changed.
    """
    now = now or timezone.now()
    active = set(
        TagHolding.objects.filter(merchant_id=merchant_id, state=ACTIVE).values_list("category_id", "tag_id")
    )
    badges = CategoryBadge.objects.prefetch_related("required_tags")
    current = {bh.badge_id: bh for bh in BadgeHolding.objects.filter(merchant_id=merchant_id)}
    changed: dict[str, str] = {}
    for badge in badges:
        required = [t.pk for t in badge.required_tags.all()]
        qualifies = bool(required) and all((badge.category_id, t) in active for t in required)
        holding = current.get(badge.pk)
        if qualifies and (holding is None or not holding.active):
            if holding is None:
                holding = BadgeHolding.objects.create(
                    merchant_id=merchant_id, badge=badge, active=True, since=now
                )
            else:
                holding.active, holding.since = True, now
                holding.save(update_fields=["active", "since", "updated_at"])
            BadgeEvent.objects.create(
                holding=holding,
                at=now,
                kind=BadgeEvent.Kind.GRANTED,
                **(reason or texts.BADGE_ALL_TAGS_HELD).fields(BadgeEvent, "reason"),
            )
            changed[badge.code] = "granted"
        elif not qualifies and holding is not None and holding.active:
            holding.active, holding.since = False, now
            holding.save(update_fields=["active", "since", "updated_at"])
            missing = [t.code for t in badge.required_tags.all() if (badge.category_id, t.pk) not in active]
            BadgeEvent.objects.create(
                holding=holding,
                at=now,
                kind=BadgeEvent.Kind.REVOKED,
                **texts.badge_missing_tags(missing, cause=reason).fields(BadgeEvent, "reason"),
            )
            changed[badge.code] = "revoked"
    return changed


def holding_grant(
    *,
    merchant_id: int,
    category: Category,
    tag: Tag,
    terms_version: TagTermsVersion,
    config: dict | None = None,
    actor=None,
    reason: Text = texts.HOLDING_APPLICATION_APPROVED,
) -> TagHolding:
    """Make the merchant hold the tag in the category (a new holding, or a withdrawn one re-activated)."""
    now = timezone.now()
    with transaction.atomic():
        _lock_merchant(merchant_id)
        if tag.exclusive_group:
            clash = (
                TagHolding.objects.filter(
                    merchant_id=merchant_id,
                    category=category,
                    state=ACTIVE,
                    tag__exclusive_group=tag.exclusive_group,
                )
                .exclude(tag=tag)
                .select_related("tag")
                .first()
            )
            if clash is not None:
                raise InvalidTransition(
                    f"{tag.code} cannot be held with {clash.tag.code} in the same category",
                    fields={"tag": [f"mutually exclusive with {clash.tag.code}"]},
                )
        holding = TagHolding.objects.filter(merchant_id=merchant_id, category=category, tag=tag).first()
        if holding is None:
            holding = TagHolding.objects.create(
                merchant_id=merchant_id,
                category=category,
                tag=tag,
                state=ACTIVE,
                terms_version=terms_version,
                config=config or {},
                granted_at=now,
            )
        else:
            if holding.state == ACTIVE:
                raise InvalidTransition("the merchant already holds this tag in this category")
            if holding.barred_until and holding.barred_until > local_date(now):
                raise InvalidTransition(f"barred from this tag until {holding.barred_until}")
            holding.state = ACTIVE
            holding.terms_version = terms_version
            holding.config = config or {}
            holding.granted_at = now
            holding.ended_at = None
            holding.rectification_month = None
            holding.barred_until = None
            holding.save(
                update_fields=[
                    "state", "terms_version", "config", "granted_at", "ended_at",
                    "rectification_month", "barred_until", "updated_at",
                ]
            )  # fmt: skip
        HoldingEvent.objects.create(
            holding=holding, at=now, kind=HoldingEvent.Kind.GRANTED, **_reason(reason), actor=_user(actor)
        )
        badges = badges_recompute(
            merchant_id=merchant_id, reason=texts.badge_tag_changed(tag.code, "granted"), now=now
        )
        audit_record(
            actor=actor, verb="tag.holding_granted", target=holding, data={"tag": tag.code, "badges": badges}
        )
        _after_commit(merchant_id)
    return holding


def _reason(reason: Text | str) -> dict:
    """The HoldingEvent columns of a reason: a stored text, or what a person typed (shown as typed)."""
    return (reason if isinstance(reason, Text) else verbatim(reason)).fields(HoldingEvent, "reason")


def _english(reason: Text | str) -> str:
    return reason.english() if isinstance(reason, Text) else reason


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _locked_holding(holding_id: int) -> TagHolding:
    merchant_id = TagHolding.objects.filter(pk=holding_id).values_list("merchant_id", flat=True).first()
    if merchant_id is None:
        raise NotFound("No such holding.")
    _lock_merchant(merchant_id)
    return TagHolding.objects.select_for_update().select_related("tag").get(pk=holding_id)


def holding_withdraw(*, holding_id: int, actor=None, reason: Text | str = "") -> TagHolding:
    """The merchant gives the tag up. Orders paid before keep their commitments; new orders get none."""
    now = timezone.now()
    with transaction.atomic():
        holding = _locked_holding(holding_id)
        if holding.state != ACTIVE:
            raise InvalidTransition(
                f"only an active tag can be withdrawn (this one is {holding.state})",
                fields={"state": [holding.state]},
            )
        holding.state = TagHolding.State.WITHDRAWN
        holding.ended_at = now
        holding.save(update_fields=["state", "ended_at", "updated_at"])
        HoldingEvent.objects.create(
            holding=holding, at=now, kind=HoldingEvent.Kind.WITHDRAWN,
            **_reason(reason or texts.HOLDING_WITHDRAWN_BY_MERCHANT), actor=_user(actor),
        )  # fmt: skip
        badges = badges_recompute(
            merchant_id=holding.merchant_id,
            reason=texts.badge_tag_changed(holding.tag.code, "withdrawn"),
            now=now,
        )
        audit_record(actor=actor, verb="tag.holding_withdrawn", target=holding, data={"badges": badges})
        _after_commit(holding.merchant_id)
    return holding


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def holding_revoke(
    *, holding_id: int, reason: Text | str, actor=None, rectification_month: date | None = None
) -> TagHolding:
    """Remove an active tag for failing a requirement: the holding enters its rectification month.

    `rectification_month` (first day of a month) defaults to the month after today (Asia/Shanghai).
    Every badge that needs the tag is revoked in the same transaction.
    """
    if not reason:
        raise ApplicationError("a reason is required", fields={"reason": ["required"]})
    now = timezone.now()
    month = (rectification_month or _next_month(local_date(now))).replace(day=1)
    with transaction.atomic():
        holding = _locked_holding(holding_id)
        if holding.state != ACTIVE:
            raise InvalidTransition(
                f"only an active tag can be revoked (this one is {holding.state})",
                fields={"state": [holding.state]},
            )
        holding.state = TagHolding.State.RECTIFYING
        holding.ended_at = now
        holding.rectification_month = month
        holding.save(update_fields=["state", "ended_at", "rectification_month", "updated_at"])
        HoldingEvent.objects.create(
            holding=holding, at=now, kind=HoldingEvent.Kind.REVOKED, **_reason(reason), actor=_user(actor)
        )
        badges = badges_recompute(
            merchant_id=holding.merchant_id,
            reason=texts.badge_tag_changed(holding.tag.code, "revoked"),
            now=now,
        )
        audit_record(
            actor=actor, verb="tag.holding_revoked", target=holding,
            data={"reason": _english(reason), "rectification_month": month.isoformat(), "badges": badges},
        )  # fmt: skip
        _after_commit(holding.merchant_id)
    return holding


def holding_restore(*, holding_id: int, reason: Text | str, actor=None) -> TagHolding:
    """The rectification month passed: the tag (and any badge it completes) comes back, no application."""
    now = timezone.now()
    with transaction.atomic():
        holding = _locked_holding(holding_id)
        if holding.state != TagHolding.State.RECTIFYING:
            raise InvalidTransition(
                f"only a tag in rectification can be restored (this one is {holding.state})",
                fields={"state": [holding.state]},
            )
        holding.state = ACTIVE
        holding.ended_at = None
        holding.rectification_month = None
        holding.save(update_fields=["state", "ended_at", "rectification_month", "updated_at"])
        HoldingEvent.objects.create(
            holding=holding, at=now, kind=HoldingEvent.Kind.RESTORED, **_reason(reason), actor=_user(actor)
        )
        badges = badges_recompute(
            merchant_id=holding.merchant_id,
            reason=texts.badge_tag_changed(holding.tag.code, "restored"),
            now=now,
        )
        audit_record(
            actor=actor,
            verb="tag.holding_restored",
            target=holding,
            data={"reason": _english(reason), "badges": badges},
        )
        _after_commit(holding.merchant_id)
    return holding


def holding_bar(*, holding_id: int, until: date, reason: Text | str, actor=None) -> TagHolding:
    """The rectification month failed too: no new application before `until`."""
    now = timezone.now()
    with transaction.atomic():
        holding = _locked_holding(holding_id)
        if holding.state not in (TagHolding.State.RECTIFYING, TagHolding.State.ACTIVE):
            raise InvalidTransition(
                f"a {holding.state} holding cannot be barred", fields={"state": [holding.state]}
            )
        was_active = holding.state == ACTIVE
        holding.state = TagHolding.State.BARRED
        holding.barred_until = until
        holding.ended_at = holding.ended_at or now
        holding.save(update_fields=["state", "barred_until", "ended_at", "updated_at"])
        HoldingEvent.objects.create(
            holding=holding, at=now, kind=HoldingEvent.Kind.BARRED, **_reason(reason), actor=_user(actor)
        )
        if was_active:
            badges_recompute(
                merchant_id=holding.merchant_id,
                reason=texts.badge_tag_changed(holding.tag.code, "barred"),
                now=now,
            )
        audit_record(
            actor=actor,
            verb="tag.holding_barred",
            target=holding,
            data={"until": until.isoformat(), "reason": _english(reason)},
        )
        _after_commit(holding.merchant_id)
    return holding
