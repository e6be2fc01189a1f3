"""Reads of the commitments app: the settings, lists for pages and APIs, the breach timeline.

Set-based metrics live in ``commitments/indicators.py``."""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from core.audit import audit_for
from core.readable import readable_text
from core.singletons import settings_forget, settings_snapshot
from merchants.models import DepositEntry

from .models import (
    Breach,
    BreachAppeal,
    Commitment,
    CommitmentRules,
    CommitmentSettings,
    ForceMajeure,
    FulfilmentEvent,
    Voucher,
)

logger = logging.getLogger(__name__)

# --- settings ----------------------------------------------------------------------------------


def commitment_settings() -> CommitmentRules:
    """The current CommitmentSettings as a snapshot: one cache read, the database only on a miss.

    Hot paths (compensation batches, the sweep) call it once per batch and pass the snapshot on.
    Redis down: read the row from the database rather than fail.
    """
    return settings_snapshot(CommitmentSettings)


def commitment_settings_forget() -> None:
    """Drop the cached snapshot (after a change); the next read goes to the database."""
    settings_forget(CommitmentSettings)


# --- lists -------------------------------------------------------------------------------------


def commitment_list(
    *, merchant=None, tag_id: int | None = None, state: str = "", since=None, until=None, order_external_id=""
) -> QuerySet[Commitment]:
    qs = Commitment.objects.select_related("order", "tag", "terms_version", "breach").order_by(
        "-order__paid_at", "-pk"
    )
    if merchant is not None:
        qs = qs.filter(merchant=merchant)
    if tag_id:
        qs = qs.filter(tag_id=tag_id)
    if state:
        qs = qs.filter(state=state)
    if since:
        qs = qs.filter(order__paid_at__gte=since)
    if until:
        qs = qs.filter(order__paid_at__lt=until)
    if order_external_id:
        qs = qs.filter(order__external_id=order_external_id)
    return qs


def breach_list(
    *, merchant=None, tag_id: int | None = None, since=None, until=None, order_external_id: str = ""
) -> QuerySet[Breach]:
    qs = Breach.objects.select_related(
        "commitment__order", "commitment__tag", "merchant", "voucher", "appeal"
    ).order_by("-detected_at", "-pk")
    if merchant is not None:
        qs = qs.filter(merchant=merchant)
    if tag_id:
        qs = qs.filter(commitment__tag_id=tag_id)
    if since:
        qs = qs.filter(detected_at__gte=since)
    if until:
        qs = qs.filter(detected_at__lt=until)
    if order_external_id:
        qs = qs.filter(commitment__order__external_id=order_external_id.strip())
    return qs


def breach_get(*, breach_id: int, merchant=None) -> Breach | None:
    qs = Breach.objects.select_related(
        "commitment__order", "commitment__tag", "commitment__terms_version", "merchant", "voucher", "appeal"
    )
    if merchant is not None:
        qs = qs.filter(merchant=merchant)
    return qs.filter(pk=breach_id).first()


def voucher_list(*, merchant=None, state: str = "") -> QuerySet[Voucher]:
    qs = Voucher.objects.select_related("order", "breach__commitment__tag").order_by("-created_at", "-pk")
    if merchant is not None:
        qs = qs.filter(merchant=merchant)
    if state:
        qs = qs.filter(state=state)
    return qs


def vouchers_after(*, after: int = 0, limit: int = 500) -> QuerySet[Voucher]:
    """Keyset cursor for the upstream system: vouchers with id > after, oldest first."""
    return Voucher.objects.select_related("order").filter(pk__gt=after).order_by("pk")[:limit]


def appeal_queue(*, state: str = BreachAppeal.State.SUBMITTED) -> QuerySet[BreachAppeal]:
    qs = BreachAppeal.objects.select_related(
        "breach__commitment__order", "breach__commitment__tag", "merchant", "breach__voucher"
    ).prefetch_related("evidence")
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("created_at", "pk")


def force_majeure_list() -> QuerySet[ForceMajeure]:
    return ForceMajeure.objects.select_related("declared_by").prefetch_related("tags")


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    what: str
    detail: str = ""


def breach_timeline(breach: Breach) -> list[TimelineEntry]:
    """Paid, deadline, events, breach, voucher, recovery, appeal, decision — in time order."""
    commitment = breach.commitment
    order = commitment.order
    entries = [TimelineEntry(order.paid_at, _("Paid"), f"¥{order.paid_amount}")]
    if commitment.deadline:
        entries.append(TimelineEntry(commitment.deadline, _("Deadline"), commitment.tag.name))
    for event in FulfilmentEvent.objects.filter(order=order).order_by("occurred_at", "pk"):
        detail = readable_text(event.data)
        entries.append(TimelineEntry(event.occurred_at, event.get_kind_display(), detail))
    how, detail = breach.get_source_display(), breach.detail_text
    if detail:
        how = _("%(how)s: %(detail)s") % {"how": how, "detail": detail}
    entries.append(TimelineEntry(breach.detected_at, _("Breach detected"), how))
    try:
        voucher = breach.voucher
    except Voucher.DoesNotExist:
        voucher = None
    if voucher is not None:
        entries.append(
            TimelineEntry(voucher.created_at, _("Voucher issued"), f"{voucher.code} ¥{voucher.amount}")
        )
        for entry in DepositEntry.objects.filter(
            Q(source_type="commitments.voucher", source_id=str(voucher.pk))
            | Q(
                source_type="commitments.breach_appeal",
                source_id__in=[
                    str(a) for a in BreachAppeal.objects.filter(breach=breach).values_list("pk", flat=True)
                ],
            )
        ).order_by("created_at"):
            entries.append(TimelineEntry(entry.created_at, entry.get_kind_display(), f"¥{entry.amount}"))
        if voucher.redeemed_at:
            entries.append(TimelineEntry(voucher.redeemed_at, _("Voucher redeemed"), voucher.code))
        if voucher.expired_at:
            entries.append(TimelineEntry(voucher.expired_at, _("Voucher expired"), voucher.code))
    appeal = BreachAppeal.objects.filter(breach=breach).first()
    if appeal is not None:
        entries.append(TimelineEntry(appeal.created_at, _("Appeal submitted"), appeal.text[:120]))
        if appeal.decided_at:
            entries.append(TimelineEntry(appeal.decided_at, _("Appeal decided"), appeal.get_state_display()))
    if commitment.state == Commitment.State.EXEMPTED and commitment.resolved_at:
        entries.append(TimelineEntry(commitment.resolved_at, _("Exempted"), commitment.exemption_reason_text))
    return sorted(entries, key=lambda e: e.at)


def audit_trail(obj):
    return audit_for(obj).select_related("actor")[:50]
