"""Force-majeure declarations (不可抗力) by staff_ops, and the commitments they exempt."""

from datetime import datetime

from django.db import transaction
from django.db.models import Q

from core.audit import audit_record
from core.errors import ApplicationError
from core.regions import is_province
from tags.models import Tag

from .. import texts
from ..models import Commitment, ForceMajeure
from .breaches import commitments_exempt_many
from .text import clean_text

BATCH = 5000


def force_majeure_declare(
    *,
    provinces: list[str],
    starts_at: datetime,
    ends_at: datetime,
    tag_ids: list[int],
    reason: str,
    actor=None,
) -> ForceMajeure:
    """Record a declaration and exempt every matching pending or breached-not-yet-compensated commitment.

    A commitment matches when its order's province is listed, its tag is listed, and it fell due
    (or the order was paid) within the time range. Later commitments are exempted as the sweep or
    an event reaches them.
    """
    problems: dict[str, list[str]] = {}
    reason = clean_text(reason, field="reason")
    provinces = sorted(set(provinces or []))
    if not provinces:
        problems["provinces"] = ["choose at least one province"]
    elif any(not is_province(code) for code in provinces):
        problems["provinces"] = ["unknown province code"]
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        problems["ends_at"] = ["must be after the start"]
    tags = list(Tag.objects.filter(pk__in=tag_ids or [], monitored=True))
    if not tags or len(tags) != len(set(tag_ids)):
        problems["tag_ids"] = ["choose monitored tags"]
    if not reason:
        problems["reason"] = ["required"]
    if problems:
        raise ApplicationError("The declaration is incomplete.", fields=problems)
    with transaction.atomic():
        declaration = ForceMajeure.objects.create(
            provinces=provinces, starts_at=starts_at, ends_at=ends_at, reason=reason.strip()[:300],
            declared_by=actor if getattr(actor, "is_authenticated", False) else None,
        )  # fmt: skip
        declaration.tags.set(tags)
        audit_record(
            actor=actor,
            verb="force_majeure.declared",
            target=declaration,
            data={"provinces": provinces, "tags": [t.code for t in tags], "reason": reason},
        )
    force_majeure_apply(declaration=declaration)
    return declaration


def force_majeure_apply(*, declaration: ForceMajeure) -> int:
    """Exempt the declaration's commitments in batches (safe to re-run)."""
    reason = texts.exempt_force_majeure(declaration.pk, declaration.reason)
    window = Q(deadline__range=(declaration.starts_at, declaration.ends_at)) | Q(
        order__paid_at__range=(declaration.starts_at, declaration.ends_at)
    )
    matching = (
        Commitment.objects.filter(
            tag__in=declaration.tags.all(),
            order__province__in=declaration.provinces,
            state__in=[Commitment.State.PENDING, Commitment.State.BREACHED],
        )
        .filter(window)
        .exclude(breach__voucher__isnull=False)
        .order_by("pk")
    )
    total, last = 0, 0
    while True:
        ids = list(matching.filter(pk__gt=last).values_list("pk", flat=True)[:BATCH])
        if not ids:
            break
        last = ids[-1]
        total += commitments_exempt_many(
            ids=ids, reason=reason, force_majeure_id=declaration.pk, include_breached=True
        )
    ForceMajeure.objects.filter(pk=declaration.pk).update(exempted_count=total)
    declaration.exempted_count = total
    return total
