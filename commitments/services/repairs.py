"""Repair tickets of integrated brand warranty services (SPEC §4), one service per move.

created → sent_to_brand → accepted (within the service's response hours) → completed (within its
repair days). Each move locks the ticket, checks `RepairTicket.ALLOWED_TRANSITIONS`, saves the
changed fields and writes an audit event. A ticket that misses a deadline is flagged late once
(by the periodic job, or at once when the brand answers after the deadline) and breaches the
order's nationwide_warranty commitment, which pays the shopper under that tag's terms.
"""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from core.audit import SYSTEM, audit_record
from core.errors import ApplicationError, Conflict, NotFound, check_transition
from core.jobs import enqueue_on_commit
from core.models import AuditEvent
from tags.models import BrandWarrantyService, WarrantyOutlet

from .. import texts
from ..errors import CommitmentError
from ..models import BrandRepairKey, Breach, Commitment, Order, RepairTicket
from .breaches import commitments_breach_many
from .text import clean_text

WARRANTY_TAG = "nationwide_warranty"
T = RepairTicket.State
FLAG_BATCH = 1000
LABEL = RepairTicket._meta.label_lower


def integrated_service_for(order: Order) -> BrandWarrantyService | None:
    """The approved, API-integrated warranty service of the order's brand (the newest)."""
    return (
        BrandWarrantyService.objects.filter(
            brand_id=order.brand_id,
            state=BrandWarrantyService.State.APPROVED,
            integration_mode=BrandWarrantyService.Integration.API,
        )
        .order_by("-reviewed_at", "-pk")
        .first()
    )


def repair_ticket_create(
    *, external_id: str, order_external_id: str, fault: str, actor=None
) -> tuple[RepairTicket, bool]:
    """Open a ticket for an order (idempotent by external_id); it is sent to the brand after commit.

    Returns (ticket, created). The same external_id for another order is a 409; an order whose
    brand has no approved API-integrated warranty service is a 409 too (nothing to send it to).
    """
    external_id = (external_id or "").strip()
    fault = clean_text(fault, field="fault")[:300]
    errors = {}
    if not external_id or len(external_id) > 64:
        errors["external_id"] = ["1 to 64 characters"]
    if not fault:
        errors["fault"] = ["describe the fault"]
    if errors:
        raise ApplicationError("invalid repair ticket", fields=errors)
    order = Order.objects.filter(external_id=(order_external_id or "").strip()).first()
    if order is None:
        raise NotFound("no such order", fields={"order_external_id": ["unknown order"]})
    existing = RepairTicket.objects.filter(external_id=external_id).first()
    if existing is not None:
        if existing.order_id != order.pk:
            raise Conflict("this external_id belongs to another order", fields={"external_id": ["in use"]})
        return existing, False
    service = integrated_service_for(order)
    if service is None:
        raise Conflict(
            "the order's brand has no approved API-integrated warranty service",
            code=CommitmentError.NO_INTEGRATED_WARRANTY,
        )
    with transaction.atomic():
        ticket, created = RepairTicket.objects.get_or_create(
            external_id=external_id,
            defaults={"order": order, "merchant_id": order.merchant_id, "service": service, "fault": fault},
        )
        if created:
            audit_record(actor=actor, verb="repair_ticket.created", target=ticket)
            enqueue_on_commit("commitments.repair_ticket_send", ticket.pk)
    if not created and ticket.order_id != order.pk:
        raise Conflict("this external_id belongs to another order", fields={"external_id": ["in use"]})
    return ticket, created


def _locked(ticket_id: int, service: BrandWarrantyService | None = None) -> RepairTicket:
    qs = RepairTicket.objects.select_for_update().select_related("service")
    if service is not None:
        qs = qs.filter(service=service)
    ticket = qs.filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound("no such repair ticket")
    return ticket


def _move(ticket: RepairTicket, to: str, *, actor, data: dict | None = None, **fields) -> None:
    check_transition(
        allowed=RepairTicket.ALLOWED_TRANSITIONS, current=ticket.state, target=to, what="repair ticket"
    )
    ticket.state = to
    for name, value in fields.items():
        setattr(ticket, name, value)
    ticket.save(update_fields=["state", *fields, "updated_at"])
    audit_record(actor=actor, verb=f"repair_ticket.{to}", target=ticket, data=data or {})


def repair_ticket_send(*, ticket_id: int, now=None) -> RepairTicket:
    """created → sent_to_brand: the brand's response clock starts (its service's response hours).

    The brand reads its new tickets through the brand API; a second run finds the ticket sent
    and changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _locked(ticket_id)
        if ticket.state != T.CREATED:
            return ticket
        _move(
            ticket,
            T.SENT_TO_BRAND,
            actor=None,
            sent_at=now,
            accept_due_at=now + timedelta(hours=ticket.service.response_hours),
        )
    return ticket


def repair_ticket_accept(
    *, ticket_id: int, service: BrandWarrantyService, outlet_id: int | None = None, now=None, actor=None
) -> RepairTicket:
    """sent_to_brand → accepted by the brand (optionally naming the outlet that takes the repair);
    the repair clock starts. Accepted after the deadline: flagged late at once."""
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _locked(ticket_id, service)
        outlet = None
        if outlet_id is not None:
            outlet = WarrantyOutlet.objects.filter(pk=outlet_id, service=service).first()
            if outlet is None:
                raise ApplicationError(
                    "unknown outlet of this service", fields={"outlet_id": ["unknown outlet"]}
                )
        _move(
            ticket,
            T.ACCEPTED,
            actor=actor,
            data={"outlet": outlet_id},
            accepted_at=now,
            outlet=outlet,
            complete_due_at=now + timedelta(days=ticket.service.repair_days),
        )
        if ticket.accept_due_at and now > ticket.accept_due_at:
            _flag_late([ticket.pk], now=now)
    ticket.refresh_from_db()
    return ticket


def repair_ticket_complete(
    *, ticket_id: int, service: BrandWarrantyService, now=None, actor=None
) -> RepairTicket:
    """accepted → completed. Completed after the repair deadline: flagged late at once."""
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _locked(ticket_id, service)
        _move(ticket, T.COMPLETED, actor=actor, completed_at=now)
        if ticket.complete_due_at and now > ticket.complete_due_at:
            _flag_late([ticket.pk], now=now)
    ticket.refresh_from_db()
    return ticket


def _overdue(now) -> Q:
    return Q(state=T.SENT_TO_BRAND, accept_due_at__lt=now) | Q(state=T.ACCEPTED, complete_due_at__lt=now)


def _flag_late(ticket_ids: list[int], *, now) -> int:
    """Flag these tickets late (those not flagged yet), breach their orders' nationwide_warranty
    commitments and link the breach. Inside the caller's transaction; `late=''` is the claim."""
    claimed = list(
        RepairTicket.objects.select_for_update()
        .filter(pk__in=ticket_ids, late="")
        .order_by("pk")
        .values_list("pk", "order_id", "external_id", "accepted_at", "accept_due_at")
    )
    if not claimed:
        return 0
    ids = [row[0] for row in claimed]
    detail_of_order = {
        order_id: texts.breach_repair_late(
            external_id, missed_response=accepted_at is None or accepted_at > accept_due_at
        )
        for _pk, order_id, external_id, accepted_at, accept_due_at in claimed
    }
    missed_response = Q(accepted_at__isnull=True) | Q(accepted_at__gt=F("accept_due_at"))
    RepairTicket.objects.filter(pk__in=ids).update(
        late=Case(
            When(missed_response, then=Value(RepairTicket.Late.ACCEPT)),
            default=Value(RepairTicket.Late.COMPLETE),
        ),
        late_flagged_at=now,
        updated_at=now,
    )
    commitments = Commitment.objects.filter(
        order_id__in=sorted(detail_of_order),
        tag__code=WARRANTY_TAG,
        state__in=[Commitment.State.PENDING, Commitment.State.MET],
    ).values_list("pk", "order_id")
    commitments_breach_many(
        items=[(pk, detail_of_order[order_id], "late", now) for pk, order_id in commitments],
        source=Breach.Source.REPAIR,
        now=now,
        from_states=(Commitment.State.PENDING, Commitment.State.MET),
    )
    RepairTicket.objects.filter(pk__in=ids).update(
        breach_id=Subquery(
            Breach.objects.filter(
                commitment__order_id=OuterRef("order_id"), commitment__tag__code=WARRANTY_TAG
            )
            .order_by("pk")
            .values("pk")[:1]
        )
    )
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor_label=SYSTEM, verb="repair_ticket.late", target_type=LABEL, target_id=str(pk), data={}
            )
            for pk in ids
        ]
    )
    return len(ids)


def repair_tickets_flag_late(*, now=None, batch_size: int = FLAG_BATCH) -> int:
    """The periodic job: flag every ticket past its response or repair deadline, in committed
    batches. Safe to run twice (flagged tickets are skipped) and to crash (each batch commits whole)."""
    now = now or timezone.now()
    flagged = 0
    while True:
        ids = list(
            RepairTicket.objects.filter(_overdue(now), late="")
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return flagged
        with transaction.atomic():
            flagged += _flag_late(ids, now=now)


def brand_repair_key_issue(*, service_id: int, actor=None) -> str:
    """A new API key for the brand of an approved, API-integrated service (replacing the old one).
    Returns the key: shown once, only its hash is kept."""
    key = secrets.token_hex(20)
    with transaction.atomic():
        service = BrandWarrantyService.objects.select_for_update().filter(pk=service_id).first()
        if service is None:
            raise NotFound("no such brand warranty service")
        if (
            service.state != BrandWarrantyService.State.APPROVED
            or service.integration_mode != BrandWarrantyService.Integration.API
        ):
            raise Conflict("only an approved, API-integrated service gets a repair API key")
        BrandRepairKey.objects.update_or_create(
            service=service, defaults={"key_hash": brand_key_hash(key), "prefix": key[:8]}
        )
        audit_record(actor=actor, verb="brand_repair_key.issued", target=service, data={"prefix": key[:8]})
    return key


def brand_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()
