"""Breaches: applying decisions in bulk, the deadline sweep, severity escalation and the complaint entry points.

Paying breaches lives in ``payments``; the exemption decision in ``commitments.exemption``; the
compensation work is queued through the transactional outbox (``outbox``).
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from core.audit import audit_record
from core.errors import ApplicationError, InvalidTransition
from core.models import AuditEvent
from core.texts import Text
from tags.compensation import SEVERITIES

from .. import terms as T
from .. import texts
from ..compensation import SEVERE, breach_day, severity_rank
from ..exemption import (
    Declaration,
    active_declarations,
    declaration_covering,
    exemption_decision,
    force_majeure_reason,
)
from ..models import Breach, Commitment, CompensationDay, FulfilmentEvent, SweepRun, Voucher
from ..selectors import commitment_settings
from .metrics import metrics_days_mark
from .outbox import compensation_deferred, outbox_enqueue_compensation
from .payments import (
    BREACH_SOURCE,
    VOUCHER_SOURCE,
    breach_compensate,
    breaches_compensate,
    breaches_uncompensated_ids,
    compensation_days_lock,
)
from .transitions import commitment_move, commitments_move
from .vouchers import voucher_issue

logger = logging.getLogger(__name__)

P = Commitment.State

__all__ = [
    "BREACH_SOURCE",
    "VOUCHER_SOURCE",
    "Declaration",
    "active_declarations",
    "breach_compensate",
    "breaches_compensate",
    "breaches_uncompensated_ids",
    "compensation_deferred",
    "declaration_covering",
    "force_majeure_reason",
]


def _detail(detail: Text | None) -> dict:
    """The Breach columns of a detail (none: an empty detail)."""
    return detail.fields(Breach, "detail") if detail is not None else {}


def _queue_compensation(breach_ids: list[int]) -> None:
    """Inside the breaching transaction: the compensation intent goes to the outbox with the breaches."""
    outbox_enqueue_compensation(breach_ids)


def commitments_breach_many(
    *, items: list[tuple[int, Text | None, str, datetime]], source: str, now=None, from_states=(P.PENDING,)
) -> list[int]:
    """Breach several commitments at once: (commitment id, detail, severity, detected_at).

    Locks the rows, keeps only those still in `from_states` (a racing sweep or event already took
    the others), moves them to breached and creates one Breach each (one per commitment, by the
    database). Returns the new breach ids; their compensation goes to the outbox in this transaction.
    """
    if not items:
        return []
    now = now or timezone.now()
    by_id = {item[0]: item for item in items}
    with transaction.atomic():
        rows = list(
            Commitment.objects.select_for_update(of=("self",))
            .filter(pk__in=list(by_id), state__in=list(from_states))
            .order_by("pk")
            .values_list("pk", "merchant_id", "deadline", "terms_version__terms")
        )
        if not rows:
            return []
        commitments_move(
            ids=[row[0] for row in rows], to=P.BREACHED, from_states=from_states, now=now, resolved_at=now
        )
        breaches = []
        for pk, merchant_id, deadline, terms in rows:
            severity = by_id[pk][2] or "late"
            breaches.append(
                Breach(
                    commitment_id=pk,
                    merchant_id=merchant_id,
                    detected_at=by_id[pk][3] or now,
                    source=source,
                    **_detail(by_id[pk][1]),
                    severity=severity,
                    escalate_at=T.escalation_deadline(terms or {}, deadline) if severity != SEVERE else None,
                )
            )
        Breach.objects.bulk_create(breaches)
        breach_ids = [b.pk for b in breaches if b.pk is not None]
        if len(breach_ids) != len(breaches):  # backends that do not return ids from bulk inserts
            breach_ids = list(
                Breach.objects.filter(commitment_id__in=[row[0] for row in rows]).values_list("pk", flat=True)
            )
        metrics_days_mark(commitment_ids=[row[0] for row in rows], now=now)
        _queue_compensation(breach_ids)
    return breach_ids


def commitments_exempt_many(
    *,
    ids: list[int],
    reason: Text,
    now=None,
    force_majeure_id: int | None = None,
    include_breached: bool = False,
) -> int:
    """Exempt commitments (pending, and breached-not-compensated when asked), with the reason."""
    if not ids:
        return 0
    now = now or timezone.now()
    states = [P.PENDING, P.BREACHED] if include_breached else [P.PENDING]
    with transaction.atomic():
        qs = Commitment.objects.filter(pk__in=ids, state__in=states)
        if include_breached:
            # A breach already paid stays paid: only those without a voucher can be exempted.
            qs = qs.exclude(breach__voucher__isnull=False)
        locked = list(qs.select_for_update(of=("self",)).order_by("pk").values_list("pk", flat=True))
        if not locked:
            return 0
        count = commitments_move(
            ids=locked,
            to=P.EXEMPTED,
            from_states=states,
            now=now,
            **reason.fields(Commitment, "exemption_reason"),
            force_majeure_id=force_majeure_id,
            resolved_at=now,
        )
        # Breaches exempted afterwards no longer count anywhere.
        Breach.objects.filter(commitment_id__in=locked).update(
            counts_in_metrics=False, escalate_at=None, updated_at=now
        )
        metrics_days_mark(commitment_ids=locked, now=now)
    return count


# --- the sweep ---------------------------------------------------------------------------------


def commitments_sweep(*, now=None, batch_size: int = 5000, max_batches: int | None = None) -> SweepRun:
    """Breach every pending commitment whose deadline (plus grace) passed, in committed batches,
    then raise the severity of late breaches past their escalation deadline.

    Events may reach us a little late: the grace is CommitmentSettings.sweep_grace_minutes, read
    once per run (the cut-off is fixed for the whole run and recorded on the SweepRun).

    Each batch claims its rows with FOR UPDATE SKIP LOCKED on the partial index
    `commitment_pending_deadline`, exempts those the exemption decision exempts (force majeure, a
    cancellation), breaches the rest and commits. A sweep killed half-way leaves only whole batches
    behind; the next one picks up where it stopped. Running it twice changes nothing the second time.
    """
    now = now or timezone.now()
    cutoff = now - commitment_settings().sweep_grace
    run = SweepRun.objects.create(started_at=timezone.now(), cutoff=cutoff)
    declarations = active_declarations()
    try:
        while max_batches is None or run.batches < max_batches:
            with transaction.atomic():
                rows = list(
                    Commitment.objects.select_for_update(skip_locked=True, of=("self",))
                    .filter(state=P.PENDING, deadline__lt=cutoff)
                    .order_by("deadline", "pk")
                    .values_list(
                        "pk", "tag_id", "deadline", "order__province", "order__paid_at", "order__cancelled_at"
                    )[:batch_size]
                )
                if not rows:
                    break
                exempt: dict[tuple[Text, int | None], list[int]] = {}
                to_breach: list[int] = []
                for pk, tag_id, deadline, province, paid_at, cancelled_at in rows:
                    exemption = exemption_decision(
                        terms={}, tag_id=tag_id, province=province, paid_at=paid_at, deadline=deadline,
                        declarations=declarations, cancelled_at=cancelled_at,
                    )  # fmt: skip
                    if exemption is not None:
                        exempt.setdefault((exemption.reason, exemption.force_majeure_id), []).append(pk)
                    else:
                        to_breach.append(pk)
                exempted = 0
                for (reason, fm_id), ids in exempt.items():
                    exempted += commitments_move(
                        ids=ids,
                        to=P.EXEMPTED,
                        from_states=(P.PENDING,),
                        now=now,
                        **reason.fields(Commitment, "exemption_reason"),
                        force_majeure_id=fm_id,
                        resolved_at=now,
                    )
                breached = _sweep_breach(to_breach, now=now)
                run.batches += 1
                run.breached += breached
                run.exempted += exempted
                run.save(update_fields=["batches", "breached", "exempted"])
        breaches_escalate_due(cutoff=cutoff, now=now, batch_size=batch_size)
        run.state = SweepRun.State.DONE
    except BaseException as exc:  # a time limit or a shutdown too: the record says it stopped
        run.state = SweepRun.State.FAILED
        run.error = repr(exc)[:2000]
        raise
    finally:
        run.finished_at = timezone.now()
        run.save(update_fields=["state", "finished_at", "error"])
    return run


def _sweep_breach(ids: list[int], *, now) -> int:
    """Inside the batch transaction, rows already locked: one UPDATE, one INSERT."""
    if not ids:
        return 0
    commitments_move(ids=ids, to=P.BREACHED, from_states=(P.PENDING,), now=now, resolved_at=now)
    # In commitment order, so that breaches of one deadline are numbered (and paid under the daily
    # cap) in the same order on every database.
    rows = (
        Commitment.objects.filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", "merchant_id", "deadline", "terms_version__terms")
    )
    breaches = Breach.objects.bulk_create(
        [
            Breach(
                commitment_id=pk,
                merchant_id=merchant_id,
                detected_at=now,
                source=Breach.Source.SWEEP,
                **_detail(texts.BREACH_DEADLINE_PASSED),
                escalate_at=T.escalation_deadline(terms or {}, deadline),
            )
            for pk, merchant_id, deadline, terms in rows
        ],
        batch_size=2000,
    )
    _queue_compensation([b.pk for b in breaches])
    return len(breaches)


# --- severity escalation -----------------------------------------------------------------------


def _escalate(candidates: list[tuple[int, int, datetime, int]], *, now, wait_without_fact: bool) -> int:
    """(breach id, commitment id, escalate_at, order id) → raise to severe or clear the escalation.

    Locks the commitments first (the order every payer locks in), then compare-and-sets the breach
    from its lower level, and queues the top-up through the outbox in the same transaction.
    """
    if not candidates:
        return 0
    with transaction.atomic():
        locked = set(
            Commitment.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=[c[1] for c in candidates])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        installed = dict(
            FulfilmentEvent.objects.filter(
                order_id__in={c[3] for c in candidates}, kind=FulfilmentEvent.Kind.INSTALLED
            )
            .values("order_id")
            .annotate(first=Min("occurred_at"))
            .values_list("order_id", "first")
        )
        raise_ids, clear_ids = [], []
        for breach_id, commitment_id, escalate_at, order_id in candidates:
            if commitment_id not in locked:
                continue
            done_at = installed.get(order_id)
            if done_at is None:
                if not wait_without_fact and now > escalate_at:
                    raise_ids.append(breach_id)
            elif done_at > escalate_at:
                raise_ids.append(breach_id)
            else:
                clear_ids.append(breach_id)
        lower = [lvl for lvl in SEVERITIES if severity_rank(lvl) < severity_rank(SEVERE)]
        raised = list(
            Breach.objects.filter(pk__in=raise_ids, severity__in=lower).values_list("pk", flat=True)
        )
        Breach.objects.filter(pk__in=raised).update(severity=SEVERE, escalate_at=None, updated_at=now)
        Breach.objects.filter(pk__in=clear_ids).update(escalate_at=None, updated_at=now)
        if raised:
            AuditEvent.objects.bulk_create(
                [
                    AuditEvent(actor_label="system", verb="breach.escalated", target_type="commitments.breach",
                               target_id=str(pk), data={"severity": SEVERE})
                    for pk in raised
                ]
            )  # fmt: skip
            _queue_compensation(raised)
    return len(raised)


def breaches_escalate_due(*, cutoff: datetime, now=None, batch_size: int = 5000) -> int:
    """The sweep's second pass: late breaches past their escalation deadline become severe unless
    the fulfilling fact came in time. Keyset batches; safe to run twice."""
    now = now or timezone.now()
    total, last = 0, 0
    while True:
        rows = list(
            Breach.objects.filter(
                escalate_at__lt=cutoff, pk__gt=last, commitment__state__in=[P.BREACHED, P.COMPENSATED]
            )
            .order_by("pk")
            .values_list("pk", "commitment_id", "escalate_at", "commitment__order_id")[:batch_size]
        )
        if not rows:
            return total
        last = rows[-1][0]
        total += _escalate(rows, now=now, wait_without_fact=False)


def breaches_escalate_on_facts(*, order_ids) -> int:
    """A fulfilling fact arrived for orders with a late breach awaiting escalation (an installation
    after the sweep found it late): raise it to severe when too late, else settle it at late."""
    rows = list(
        Breach.objects.filter(commitment__order_id__in=list(order_ids), escalate_at__isnull=False)
        .order_by("pk")
        .values_list("pk", "commitment_id", "escalate_at", "commitment__order_id")
    )
    return _escalate(rows, now=timezone.now(), wait_without_fact=True) if rows else 0


# --- entry points used by the complaints desk ------------------------------------------------


@dataclass
class BreachOutcome:
    breach: Breach | None
    already_compensated: bool = False
    escalated: bool = False
    exempted: Text | None = None


def _complaint_severity(commitment: Commitment, severity: str | None, now) -> str:
    terms = commitment.terms_version.terms or {}
    if severity:
        if severity not in SEVERITIES:
            raise ApplicationError(f"unknown severity {severity!r}", fields={"severity": list(SEVERITIES)})
        return severity
    installed_at = FulfilmentEvent.objects.filter(
        order_id=commitment.order_id, kind=FulfilmentEvent.Kind.INSTALLED
    ).aggregate(first=Min("occurred_at"))["first"]
    return T.severity_from_facts(terms, deadline=commitment.deadline, installed_at=installed_at, now=now)


def commitment_breach_from_complaint(
    *, order_id: int, tag_id: int, complaint_ref: str, detail: str, actor=None, severity: str | None = None
) -> BreachOutcome:
    """An upheld complaint establishes a breach of the order's commitment for that tag.

    The exemption decision is consulted first (force majeure, a cancellation before the deadline):
    an exempt pending commitment is exempted, and no breach is established. pending or met →
    breached (source "complaint") at `severity` (default: what the facts establish); already
    breached → that breach, raised to `severity` when higher; already compensated →
    already_compensated=True, and a higher severity raises the breach, whose top-up is then paid
    like any escalation (once per level). No commitment → breach None. The caller pays an unpaid
    breach (``breach_pay_from_complaint``).
    """
    now = timezone.now()
    with transaction.atomic():
        commitment = (
            Commitment.objects.select_for_update(of=("self",))
            .select_related("order", "terms_version")
            .filter(order_id=order_id, tag_id=tag_id)
            .first()
        )
        if commitment is None or commitment.state == P.EXEMPTED:
            return BreachOutcome(
                breach=None,
                exempted=Text(commitment.exemption_reason_code, commitment.exemption_reason_params)
                if commitment
                else None,
            )
        level = _complaint_severity(commitment, severity, now)
        if commitment.state in (P.BREACHED, P.COMPENSATED):
            breach = Breach.objects.get(commitment=commitment)
            escalated = severity_rank(level) > severity_rank(breach.severity)
            if escalated:
                breach.severity = level
                breach.escalate_at = None
                breach.save(update_fields=["severity", "escalate_at", "updated_at"])
                audit_record(actor=actor, verb="breach.escalated", target=breach,
                             data={"severity": level, "complaint": complaint_ref})  # fmt: skip
                if commitment.state == P.COMPENSATED:
                    _queue_compensation([breach.pk])
            return BreachOutcome(
                breach=breach, already_compensated=commitment.state == P.COMPENSATED, escalated=escalated
            )
        order = commitment.order
        exemption = exemption_decision(
            terms=commitment.terms_version.terms or {}, tag_id=tag_id, province=order.province,
            paid_at=order.paid_at, deadline=commitment.deadline, declarations=active_declarations(),
            cancelled_at=order.cancelled_at, breached_at=now,
        )  # fmt: skip
        if exemption is not None:
            if commitment.state == P.PENDING:
                commitments_exempt_many(
                    ids=[commitment.pk],
                    reason=exemption.reason,
                    now=now,
                    force_majeure_id=exemption.force_majeure_id,
                )
            return BreachOutcome(breach=None, exempted=exemption.reason)
        commitment_move(commitment, to=P.BREACHED, resolved_at=now)
        breach = Breach.objects.create(
            commitment=commitment,
            merchant_id=commitment.merchant_id,
            detected_at=now,
            source=Breach.Source.COMPLAINT,
            **_detail(texts.breach_complaint(complaint_ref, detail)),
            severity=level,
            escalate_at=T.escalation_deadline(commitment.terms_version.terms or {}, commitment.deadline)
            if level != SEVERE
            else None,
        )
        audit_record(
            actor=actor, verb="breach.from_complaint", target=breach, data={"complaint": complaint_ref}
        )
    return BreachOutcome(breach=breach)


def breach_pay_from_complaint(
    *, breach_id: int, amount, funded_by: str, source_type: str, source_id: str, actor=None
) -> Voucher:
    """An upheld complaint pays an unpaid breach with its own voucher (the platform pays first; the
    complaint recovers it per the responsibility). The voucher is the breach's first, at its
    severity level; it counts toward the day's cap like any breach payment (the row locked)."""
    with transaction.atomic():
        breach = Breach.objects.get(pk=breach_id)
        commitment = (
            Commitment.objects.select_for_update(of=("self",))
            .select_related("order")
            .get(pk=breach.commitment_id)
        )
        if commitment.state != P.BREACHED or Voucher.objects.filter(breach_id=breach.pk).exists():
            raise InvalidTransition("the breach is already compensated", fields={"state": [commitment.state]})
        key = (
            commitment.merchant_id,
            commitment.order.shopper_ref,
            commitment.tag_id,
            breach_day(
                deadline=commitment.deadline, occurred_at=breach.detected_at, detected_at=breach.detected_at
            ),
        )
        day = compensation_days_lock(keys={key})[key]
        voucher, _created = voucher_issue(
            order=commitment.order, amount=amount, source_type=source_type, source_id=source_id,
            funded_by=funded_by, breach=breach, actor=actor, level=breach.severity,
        )  # fmt: skip
        CompensationDay.objects.filter(pk=day.pk).update(paid=day.paid + voucher.amount)
        Breach.objects.filter(pk=breach.pk).update(paid_level=breach.severity, updated_at=timezone.now())
        commitment_move(commitment, to=P.COMPENSATED)
        audit_record(actor=actor, verb="breach.compensated", target=breach, data={"voucher": voucher.code})
    return voucher


def breach_mark_compensated(*, breach_id: int, voucher_id: int, actor=None) -> Breach:
    """A voucher issued elsewhere paid the breach's compensation: link it, settle the level, close the commitment."""
    with transaction.atomic():
        breach = Breach.objects.select_related("commitment").get(pk=breach_id)
        commitment = Commitment.objects.select_for_update().get(pk=breach.commitment_id)
        voucher = Voucher.objects.select_for_update().get(pk=voucher_id)
        if voucher.breach_id not in (None, breach.pk):
            raise InvalidTransition("the voucher belongs to another breach")
        if Voucher.objects.filter(breach_id=breach.pk).exclude(pk=voucher.pk).exists():
            raise InvalidTransition("the breach already has a voucher")
        if voucher.breach_id is None:
            voucher.breach = breach
            voucher.level = breach.severity
            voucher.save(update_fields=["breach", "level", "updated_at"])
        if commitment.state != P.COMPENSATED:
            commitment_move(commitment, to=P.COMPENSATED)
        Breach.objects.filter(pk=breach.pk).update(paid_level=breach.severity)
        audit_record(actor=actor, verb="breach.compensated", target=breach, data={"voucher": voucher.code})
    return breach


def breach_exclude_from_metrics(
    *, breach_id: int, reason: str, source: Breach.Source | str | None = None, actor=None
) -> bool:
    """Take a breach out of every metric (an upheld appeal elsewhere). The voucher stays with the shopper.

    With `source`, only a breach of that source is touched. Returns whether anything changed.
    """
    with transaction.atomic():
        qs = Breach.objects.select_for_update().filter(pk=breach_id, counts_in_metrics=True)
        if source is not None:
            qs = qs.filter(source=source)
        breach = qs.first()
        if breach is None:
            return False
        breach.counts_in_metrics = False
        breach.save(update_fields=["counts_in_metrics", "updated_at"])
        metrics_days_mark(commitment_ids=[breach.commitment_id])
        audit_record(actor=actor, verb="breach.excluded_from_metrics", target=breach, data={"reason": reason})
    return True
