"""Holdings (merchant × category × tag) and the category badges that follow them.

Every change locks the merchant row (one stable lock per merchant, so two changes for the same
merchant serialize), writes the holding and its history, recomputes the merchant's badges in the
same transaction, and refreshes the public badge cache after commit.
"""

from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace

from django.db import transaction
from django.utils import timezone

from core.audit import audit_record, audit_row, audit_rows_write
from core.bulk import copy_rows, json_text
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
    return badges_recompute_many({merchant_id: reason}, now=now).get(merchant_id, {})


def badges_recompute_many(
    reasons: dict[int, Text | None], *, now: datetime | None = None
) -> dict[int, dict[str, str]]:
    """``badges_recompute`` for many merchants ({merchant_id: the cause to record}) in a fixed number
    of queries. Returns {merchant_id: {badge_code: "granted" | "revoked"}} for the badges that changed."""
    now = now or timezone.now()
    merchant_ids = sorted(reasons)
    active: set[tuple[int, int, int]] = set(
        TagHolding.objects.filter(merchant_id__any_of=merchant_ids, state=ACTIVE).values_list(
            "merchant_id", "category_id", "tag_id"
        )
    )
    badges = [
        (badge, [(t.pk, t.code) for t in badge.required_tags.all()])
        for badge in CategoryBadge.objects.prefetch_related("required_tags").order_by("pk")
    ]
    current = {  # (merchant, badge) → its holding's id and state: read as values, thousands per batch
        (merchant_id, badge_id): SimpleNamespace(pk=pk, active=active)
        for pk, merchant_id, badge_id, active in BadgeHolding.objects.filter(
            merchant_id__any_of=merchant_ids
        ).values_list("pk", "merchant_id", "badge_id", "active")
    }
    # Only the badges a merchant could gain (of a category it holds an active tag in) or lose (held):
    # the others cannot change, whatever the catalogue's size.
    relevant: dict[int, set[int]] = {}
    for merchant_id, category_id, _tag_id in active:
        relevant.setdefault(merchant_id, set()).add(category_id)
    held_badges: dict[int, set[int]] = {}
    for merchant_id, badge_id in current:
        held_badges.setdefault(merchant_id, set()).add(badge_id)
    changed: dict[int, dict[str, str]] = {}
    new_holdings: list[BadgeHolding] = []
    reactivated: list[int] = []
    deactivated: list[int] = []
    events: list[tuple[BadgeHolding | SimpleNamespace, str, Text]] = []
    for merchant_id in merchant_ids:
        reason = reasons[merchant_id]
        categories = relevant.get(merchant_id, ())
        held = held_badges.get(merchant_id, ())
        for badge, required in badges:
            if badge.category_id not in categories and badge.pk not in held:
                continue
            qualifies = bool(required) and all(
                (merchant_id, badge.category_id, t) in active for t, _c in required
            )
            holding = current.get((merchant_id, badge.pk))
            if qualifies and (holding is None or not holding.active):
                if holding is None:
                    holding = BadgeHolding(merchant_id=merchant_id, badge=badge, active=True, since=now)
                    new_holdings.append(holding)
                else:
                    reactivated.append(holding.pk)
                events.append((holding, BadgeEvent.Kind.GRANTED, reason or texts.BADGE_ALL_TAGS_HELD))
                changed.setdefault(merchant_id, {})[badge.code] = "granted"
            elif not qualifies and holding is not None and holding.active:
                deactivated.append(holding.pk)
                missing = [code for t, code in required if (merchant_id, badge.category_id, t) not in active]
                events.append(
                    (holding, BadgeEvent.Kind.REVOKED, texts.badge_missing_tags(missing, cause=reason))
                )
                changed.setdefault(merchant_id, {})[badge.code] = "revoked"
    if new_holdings:
        BadgeHolding.objects.bulk_create(new_holdings)
    if reactivated:
        BadgeHolding.objects.filter(pk__any_of=reactivated).update(active=True, since=now, updated_at=now)
    if deactivated:
        BadgeHolding.objects.filter(pk__any_of=deactivated).update(active=False, since=now, updated_at=now)
    rendered: dict[Text, tuple] = {}  # a batch repeats a few texts: each rendered once
    copy_rows(
        BadgeEvent._meta.db_table,
        ["holding_id", "at", "kind", *REASON_COLUMNS],
        [
            (holding.pk, now, kind.value, *_reason_row(BadgeEvent, text, rendered))
            for holding, kind, text in events
        ],
    )
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


def _reason(reason: Text | str, model=HoldingEvent) -> dict:
    """The `reason` columns of a history row of `model` (HoldingEvent, BadgeEvent): a stored text, or
    what a person typed (shown as typed)."""
    return (reason if isinstance(reason, Text) else verbatim(reason)).fields(model, "reason")


REASON_COLUMNS = ["reason", "reason_code", "reason_params"]


def _reason_row(model, reason: Text | str, rendered: dict) -> tuple:
    """The `reason` columns of a history row of `model` as plain values (English cut to the column, code,
    parameters as JSON text), for the batch writers: each distinct reason is rendered once into
    `rendered`, with its whole English text (``rendered[reason][1]``, what the audit records)."""
    if reason not in rendered:
        fields = _reason(reason, model)
        columns = (fields["reason"], fields["reason_code"], json_text(fields["reason_params"]))
        rendered[reason] = (columns, _english(reason))
    return rendered[reason][0]


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


# --- many holdings at once (the monthly evaluation) ------------------------------------------------

REVOKE, RESTORE, BAR = "revoke", "restore", "bar"
_CHANGE_FROM = {
    REVOKE: (TagHolding.State.ACTIVE,),
    RESTORE: (TagHolding.State.RECTIFYING,),
    BAR: (TagHolding.State.RECTIFYING, TagHolding.State.ACTIVE),
}
_CHANGE_EVENT = {
    REVOKE: HoldingEvent.Kind.REVOKED,
    RESTORE: HoldingEvent.Kind.RESTORED,
    BAR: HoldingEvent.Kind.BARRED,
}
_CHANGE_WORD = {REVOKE: "revoked", RESTORE: "restored", BAR: "barred"}


@dataclass(frozen=True)
class HoldingChange:
    """One move of ``holdings_change_many``: revoke (``until`` = the rectification month), restore, or
    bar (``until`` = the end of the bar), with the reason to record."""

    holding_id: int
    action: str
    reason: Text
    until: date | None = None


def holdings_change_many(changes: list[HoldingChange], *, actor=None) -> dict[int, bool]:
    """``holding_revoke`` / ``holding_restore`` / ``holding_bar`` for many holdings in one transaction
    and a fixed number of queries: the merchants are locked (pk order), then the holdings; a holding
    no longer in a state its move starts from is skipped (not an error: the batch goes on). History,
    badges, audit and the public cache as the single services do. Returns {holding_id: applied}."""
    if not changes:
        return {}
    now = timezone.now()
    by_id = {c.holding_id: c for c in changes}
    with transaction.atomic():
        merchant_ids = sorted(
            set(TagHolding.objects.filter(pk__any_of=by_id).values_list("merchant_id", flat=True))
        )
        list(
            Merchant.objects.select_for_update()
            .filter(pk__any_of=merchant_ids)
            .order_by("pk")
            .values_list("pk")
        )
        holdings = {  # read as values: thousands per evaluation batch
            pk: SimpleNamespace(pk=pk, merchant_id=merchant_id, tag_id=tag_id, state=state)
            for pk, merchant_id, tag_id, state in TagHolding.objects.select_for_update()
            .filter(pk__any_of=by_id)
            .order_by("pk")
            .values_list("pk", "merchant_id", "tag_id", "state")
        }
        tag_codes = dict(
            Tag.objects.filter(pk__in={h.tag_id for h in holdings.values()}).values_list("pk", "code")
        )
        applied = {
            pk: pk in holdings and holdings[pk].state in _CHANGE_FROM[change.action]
            for pk, change in by_id.items()
        }
        moved = [holdings[pk] for pk in sorted(by_id) if applied[pk]]
        groups: dict[tuple[str, date | None], list[int]] = {}
        for holding in moved:
            change = by_id[holding.pk]
            groups.setdefault((change.action, change.until), []).append(holding.pk)
        for (action, until), pks in groups.items():
            rows = TagHolding.objects.filter(pk__any_of=pks)
            if action == REVOKE:
                rows.update(
                    state=TagHolding.State.RECTIFYING, ended_at=now, updated_at=now,
                    rectification_month=(until or _next_month(local_date(now))).replace(day=1),
                )  # fmt: skip
            elif action == RESTORE:
                rows.update(state=ACTIVE, ended_at=None, rectification_month=None, updated_at=now)
            else:
                rows.filter(ended_at__isnull=True).update(ended_at=now)
                rows.update(state=TagHolding.State.BARRED, barred_until=until, updated_at=now)
        user = _user(actor)
        rendered: dict[Text | str, tuple] = {}  # a batch repeats a few reasons: each rendered once
        copy_rows(  # plain rows: thousands per evaluation batch
            HoldingEvent._meta.db_table,
            ["holding_id", "at", "kind", "actor_id", *REASON_COLUMNS],
            [
                (
                    h.pk,
                    now,
                    _CHANGE_EVENT[by_id[h.pk].action].value,
                    user.pk if user else None,
                    *_reason_row(HoldingEvent, by_id[h.pk].reason, rendered),
                )
                for h in moved
            ],
        )
        # The badges of every merchant whose active tags changed (a bar of a tag in rectification
        # changes none), the cause being its first moved holding.
        causes: dict[int, Text] = {}
        cause_of: dict[int, int] = {}  # merchant → the holding whose move the badge change is recorded on
        for h in moved:
            if by_id[h.pk].action != BAR or h.state == ACTIVE:
                cause_of.setdefault(h.merchant_id, h.pk)
                causes.setdefault(
                    h.merchant_id,
                    texts.badge_tag_changed(tag_codes[h.tag_id], _CHANGE_WORD[by_id[h.pk].action]),
                )
        badges = badges_recompute_many(causes, now=now) if causes else {}
        label = TagHolding._meta.label_lower
        data: dict[tuple, str] = {}  # a batch repeats a few audit data: each serialized once

        def data_of(h) -> str:
            change = by_id[h.pk]
            changed = badges.get(h.merchant_id, {}) if cause_of.get(h.merchant_id) == h.pk else {}
            key = (change.action, change.until, change.reason, tuple(changed.items()))
            if key not in data:
                data[key] = json_text(_audit_data(change, changed, english=rendered[change.reason][1]))
            return data[key]

        audit_rows_write(
            [
                audit_row(
                    actor, f"tag.holding_{_CHANGE_WORD[by_id[h.pk].action]}", label, h.pk, data_of(h), now
                )
                for h in moved
            ]
        )
        touched = sorted({h.merchant_id for h in moved})
        if touched:
            transaction.on_commit(lambda: public.refresh_merchants(touched))
    return applied


def _audit_data(change: HoldingChange, badges: dict, *, english: str) -> dict:
    """The audit data the single services record for the same move (`english`: the reason rendered)."""
    reason = english
    if change.action == REVOKE:
        month = (change.until or _next_month(local_date(timezone.now()))).replace(day=1)
        return {"reason": reason, "rectification_month": month.isoformat(), "badges": badges}
    if change.action == RESTORE:
        return {"reason": reason, "badges": badges}
    return {"until": change.until.isoformat() if change.until else None, "reason": reason}
