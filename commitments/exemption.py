"""The one exemption decision: is this commitment exempt, and why.

Consulted by every path that can breach a commitment: the payment-time snapshot (a free_shipping
order charged a fee breaches at once), fulfilment events, the deadline sweep and upheld complaints.
Reasons, in order:

1. a remote province for free_shipping, an address outside the merchant's SF coverage (known at
   payment: the holding's configuration);
2. the order cancelled by the shopper before the deadline (and before the breaking fact);
3. a force-majeure declaration by staff_ops covering the order's province, the tag and the moment
   (the deadline, or the payment) within its time range.

Pure over plain values: the caller loads the declarations once per batch (``active_declarations``).
"""

from dataclasses import dataclass
from datetime import datetime

from core.texts import Text

from . import terms as T
from . import texts
from .models import ForceMajeure

CANCELLED_REASON = texts.EXEMPT_CANCELLED


@dataclass(frozen=True)
class Declaration:
    pk: int
    provinces: frozenset
    tag_ids: frozenset
    starts_at: datetime
    ends_at: datetime
    reason: str


@dataclass(frozen=True)
class Exemption:
    reason: Text
    force_majeure_id: int | None = None


def active_declarations() -> list[Declaration]:
    """Every declaration (a small table), with its tags: two queries."""
    return [
        Declaration(
            pk=fm.pk,
            provinces=frozenset(fm.provinces),
            tag_ids=frozenset(t.pk for t in fm.tags.all()),
            starts_at=fm.starts_at,
            ends_at=fm.ends_at,
            reason=fm.reason,
        )
        for fm in ForceMajeure.objects.prefetch_related("tags")
    ]


def declaration_covering(
    declarations: list[Declaration], *, province: str, tag_id: int, deadline, paid_at
) -> Declaration | None:
    """A declaration covers a commitment of its tags and provinces due (or paid) within its range."""
    for d in declarations:
        if province in d.provinces and tag_id in d.tag_ids:
            moment = deadline or paid_at
            if moment is not None and d.starts_at <= moment <= d.ends_at:
                return d
            if paid_at is not None and d.starts_at <= paid_at <= d.ends_at:
                return d
    return None


def force_majeure_reason(d: Declaration) -> Text:
    return texts.exempt_force_majeure(d.pk, d.reason)


def exemption_decision(
    *,
    terms: dict,
    tag_id: int,
    province: str,
    paid_at: datetime,
    deadline: datetime | None,
    declarations: list[Declaration],
    holding_config: dict | None = None,
    cancelled_at: datetime | None = None,
    breached_at: datetime | None = None,
) -> Exemption | None:
    """Why the commitment is exempt, or None when it is not.

    `holding_config` is given at payment time only (the SF coverage is the holding's); later paths
    pass None, the static reasons having been decided by the snapshot already.
    """
    if holding_config is not None:
        reason = T.initial_exemption(terms, province=province, holding_config=holding_config)
        if reason is not None:
            return Exemption(reason)
    cancelled_in_time = cancelled_at is not None and (deadline is None or cancelled_at < deadline)
    if cancelled_in_time and (breached_at is None or cancelled_at < breached_at):
        return Exemption(CANCELLED_REASON)
    if declarations:
        d = declaration_covering(
            declarations, province=province, tag_id=tag_id, deadline=deadline, paid_at=paid_at
        )
        if d is not None:
            return Exemption(force_majeure_reason(d), d.pk)
    return None
