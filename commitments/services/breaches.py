"""Breaches: applying decisions in bulk, the deadline sweep, compensation and the complaint entry points."""

import logging
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from core.audit import audit_record
from core.calendar import business_tz
from core.errors import InvalidTransition, NotFound
from core.jobs import enqueue_on_commit
from merchants.services import deposit_post_entry
from tags.compensation import compute_amount

from ..models import (
    Breach,
    BreachAppeal,
    Commitment,
    CommitmentRules,
    ForceMajeure,
    FulfilmentEvent,
    SweepRun,
    Voucher,
)
from ..selectors import commitment_settings
from .metrics import metrics_days_mark
from .transitions import commitment_move, commitments_move
from .vouchers import voucher_issue

logger = logging.getLogger(__name__)

P = Commitment.State
BREACH_SOURCE = "commitments.breach"
VOUCHER_SOURCE = "commitments.voucher"


# --- force majeure matching ------------------------------------------------------------------


@dataclass(frozen=True)
class _Declaration:
    pk: int
    provinces: frozenset
    tag_ids: frozenset
    starts_at: datetime
    ends_at: datetime
    reason: str


def active_declarations() -> list[_Declaration]:
    """Every declaration (a small table), with its tags: two queries."""
    return [
        _Declaration(
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
    declarations: list[_Declaration], *, province: str, tag_id: int, deadline, paid_at
) -> _Declaration | None:
    """A declaration covers a commitment of its tags and provinces due (or paid) within its range."""
    for d in declarations:
        if province in d.provinces and tag_id in d.tag_ids:
            moment = deadline or paid_at
            if moment is not None and d.starts_at <= moment <= d.ends_at:
                return d
            if paid_at is not None and d.starts_at <= paid_at <= d.ends_at:
                return d
    return None


def force_majeure_reason(d: _Declaration) -> str:
    return f"force majeure #{d.pk}: {d.reason}"[:200]


# --- applying decisions set-based --------------------------------------------------------------


_DEFER_COMPENSATION: ContextVar[bool] = ContextVar("commitments_defer_compensation", default=False)


@contextmanager
def compensation_deferred():
    """Within this block new breaches are not queued for compensation: the caller (the demo's bulk
    path) pays them itself, or leaves them to the backlog job."""
    token = _DEFER_COMPENSATION.set(True)
    try:
        yield
    finally:
        _DEFER_COMPENSATION.reset(token)


def _queue_compensation(breach_ids: list[int]) -> None:
    if not breach_ids or _DEFER_COMPENSATION.get():
        return
    chunk = 500
    for start in range(0, len(breach_ids), chunk):
        enqueue_on_commit("commitments.compensate_breaches", breach_ids[start : start + chunk])


def commitments_breach_many(
    *, items: list[tuple[int, str, str, datetime]], source: str, now=None, from_states=(P.PENDING,)
) -> list[int]:
    """Breach several commitments at once: (commitment id, detail, severity, detected_at).

    Locks the rows, keeps only those still in `from_states` (a racing sweep or event already took
    the others), moves them to breached and creates one Breach each (one per commitment, by the
    database). Returns the new breach ids; compensation is queued after commit.
    """
    if not items:
        return []
    now = now or timezone.now()
    by_id = {item[0]: item for item in items}
    with transaction.atomic():
        rows = list(
            Commitment.objects.select_for_update()
            .filter(pk__in=list(by_id), state__in=list(from_states))
            .order_by("pk")
            .values_list("pk", "merchant_id")
        )
        if not rows:
            return []
        commitments_move(
            ids=[pk for pk, _ in rows], to=P.BREACHED, from_states=from_states, now=now, resolved_at=now
        )
        breaches = Breach.objects.bulk_create(
            [
                Breach(
                    commitment_id=pk,
                    merchant_id=merchant_id,
                    detected_at=by_id[pk][3] or now,
                    source=source,
                    detail=by_id[pk][1][:300],
                    severity=by_id[pk][2] or "late",
                )
                for pk, merchant_id in rows
            ]
        )
        breach_ids = [b.pk for b in breaches if b.pk is not None]
        if len(breach_ids) != len(breaches):  # backends that do not return ids from bulk inserts
            breach_ids = list(
                Breach.objects.filter(commitment_id__in=[pk for pk, _ in rows]).values_list("pk", flat=True)
            )
        metrics_days_mark(commitment_ids=[pk for pk, _ in rows], now=now)
        _queue_compensation(breach_ids)
    return breach_ids


def commitments_exempt_many(
    *,
    ids: list[int],
    reason: str,
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
            exemption_reason=reason[:200],
            force_majeure_id=force_majeure_id,
            resolved_at=now,
        )
        # Breaches exempted afterwards no longer count anywhere.
        Breach.objects.filter(commitment_id__in=locked).update(counts_in_metrics=False, updated_at=now)
        metrics_days_mark(commitment_ids=locked, now=now)
    return count


# --- the sweep ---------------------------------------------------------------------------------


def commitments_sweep(*, now=None, batch_size: int = 5000, max_batches: int | None = None) -> SweepRun:
    """Breach every pending commitment whose deadline (plus grace) passed, in committed batches.

    Events may reach us a little late: the grace is CommitmentSettings.sweep_grace_minutes, read
    once per run (the cut-off is fixed for the whole run and recorded on the SweepRun).

    Each batch claims its rows with FOR UPDATE SKIP LOCKED on the partial index
    `commitment_pending_deadline`, exempts those under a force-majeure declaration, breaches the
    rest and commits. A sweep killed half-way leaves only whole batches behind; the next one picks
    up where it stopped. Running it twice changes nothing the second time.
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
                    .order_by("deadline")
                    .values_list("pk", "tag_id", "deadline", "order__province", "order__paid_at")[:batch_size]
                )
                if not rows:
                    break
                exempt: dict[_Declaration, list[int]] = {}
                to_breach: list[int] = []
                for pk, tag_id, deadline, province, paid_at in rows:
                    d = (
                        declaration_covering(
                            declarations, province=province, tag_id=tag_id, deadline=deadline, paid_at=paid_at
                        )
                        if declarations
                        else None
                    )
                    if d is not None:
                        exempt.setdefault(d, []).append(pk)
                    else:
                        to_breach.append(pk)
                exempted = 0
                for d, ids in exempt.items():
                    exempted += commitments_move(
                        ids=ids,
                        to=P.EXEMPTED,
                        from_states=(P.PENDING,),
                        now=now,
                        exemption_reason=force_majeure_reason(d),
                        force_majeure_id=d.pk,
                        resolved_at=now,
                    )
                breached = _sweep_breach(to_breach, now=now)
                run.batches += 1
                run.breached += breached
                run.exempted += exempted
                run.save(update_fields=["batches", "breached", "exempted"])
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
    merchants = dict(Commitment.objects.filter(pk__in=ids).values_list("pk", "merchant_id"))
    breaches = Breach.objects.bulk_create(
        [
            Breach(
                commitment_id=pk,
                merchant_id=merchants[pk],
                detected_at=now,
                source=Breach.Source.SWEEP,
                detail="deadline passed without the fulfilling event",
            )
            for pk in ids
        ],
        batch_size=2000,
    )
    _queue_compensation([b.pk for b in breaches])
    return len(breaches)


# --- compensation ------------------------------------------------------------------------------


def _daily_cap_room(*, commitment: Commitment, cap, day_start, day_end):
    issued = (
        Voucher.objects.filter(
            breach__commitment__tag_id=commitment.tag_id,
            merchant_id=commitment.merchant_id,
            shopper_ref=commitment.order.shopper_ref,
            created_at__gte=day_start,
            created_at__lt=day_end,
        ).aggregate(total=Sum("amount"))["total"]
        or 0
    )
    return cap - issued


def _compensation_fee(commitment: Commitment, terms) -> Decimal:
    """The fee a fee-based formula adds to: return freight for returns, else the shipping fee charged."""
    if (terms.compensation or {}).get("formula") not in ("fee_plus", "fees_plus"):
        return Decimal("0")
    if (terms.terms or {}).get("kind") == "return_freight_within_hours":
        for data in FulfilmentEvent.objects.filter(
            order_id=commitment.order_id, kind=FulfilmentEvent.Kind.RETURN_SIGNED
        ).values_list("data", flat=True):
            try:
                return max(Decimal(str(data.get("freight", "0"))), Decimal("0"))
            except ArithmeticError:
                return Decimal("0")
        return Decimal("0")
    return commitment.order.shipping_fee


def breach_compensate(*, breach_id: int, actor=None, rules: CommitmentRules | None = None) -> Voucher | None:
    """Issue the breach's voucher per the tag's formula (daily cap applied) and recover it from the deposit.

    Idempotent: a breach already compensated returns its voucher. None when there is nothing to
    pay (formula gives zero, the daily cap is used up, or the commitment was exempted meanwhile).
    """

    with transaction.atomic():
        breach = Breach.objects.select_related("commitment").filter(pk=breach_id).first()
        if breach is None:
            raise NotFound("no such breach")
        commitment = (
            Commitment.objects.select_for_update(of=("self",))
            .select_related("order", "terms_version")
            .get(pk=breach.commitment_id)
        )
        existing = Voucher.objects.filter(breach_id=breach.pk).first()
        if existing is not None:
            return existing
        if commitment.state != P.BREACHED:
            return None
        order = commitment.order
        terms = commitment.terms_version
        fee = _compensation_fee(commitment, terms)
        amount = compute_amount(
            terms.compensation, paid_amount=order.paid_amount, fee=fee, severity=breach.severity or "late"
        )
        local_now = timezone.now().astimezone(business_tz())
        day_start = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
        room = _daily_cap_room(
            commitment=commitment,
            cap=terms.daily_cap,
            day_start=day_start,
            day_end=day_start + timedelta(days=1),
        )
        amount = min(amount, room)
        now = timezone.now()
        if amount <= 0:
            commitment_move(commitment, to=P.COMPENSATED)
            audit_record(
                actor=actor,
                verb="breach.compensation_skipped",
                target=breach,
                data={"reason": "zero amount or daily cap reached"},
            )
            return None
        # An appeal upheld before the voucher was paid (a delayed task, the backlog job): the shopper is
        # still compensated, the platform funds it and nothing is recovered from the merchant. The
        # commitment lock held here is also taken by breach_appeal_decide, so the two never interleave.
        upheld = BreachAppeal.objects.filter(breach_id=breach.pk, state=BreachAppeal.State.UPHELD).exists()
        voucher, _created = voucher_issue(
            order=order,
            amount=amount,
            source_type=BREACH_SOURCE,
            source_id=str(breach.pk),
            funded_by=Voucher.FundedBy.PLATFORM if upheld else Voucher.FundedBy.MERCHANT,
            breach=breach,
            actor=actor,
            rules=rules,
        )
        if not upheld:
            deposit_post_entry(
                merchant_id=commitment.merchant_id,
                kind="compensation_recovery",
                amount=voucher.amount,
                memo=f"voucher {voucher.code} for order {order.external_id}",
                source_type=VOUCHER_SOURCE,
                source_id=str(voucher.pk),
                actor=actor,
            )
        commitment_move(commitment, to=P.COMPENSATED, resolved_at=commitment.resolved_at or now)
        audit_record(actor=actor, verb="breach.compensated", target=breach, data={"voucher": voucher.code})
    return voucher


def breaches_compensate(*, breach_ids: list[int]) -> dict[str, int]:
    """Compensate each breach in its own transaction; one failure does not stop the others.

    The settings (voucher validity) are read once for the whole list.
    """
    paid = skipped = failed = 0
    rules = commitment_settings() if breach_ids else None
    for breach_id in breach_ids:
        try:
            voucher = breach_compensate(breach_id=breach_id, rules=rules)
        except Exception:  # noqa: BLE001 - logged, retried by the next run of the backlog job
            logger.exception("compensating breach %s failed", breach_id)
            failed += 1
            continue
        if voucher is None:
            skipped += 1
        else:
            paid += 1
    return {"paid": paid, "skipped": skipped, "failed": failed}


def breaches_uncompensated_ids(*, limit: int = 5000) -> list[int]:
    """Breached commitments still waiting for their voucher (a crashed task): the backlog job retries them."""
    return list(
        Breach.objects.filter(commitment__state=P.BREACHED, voucher__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


# --- entry points used by the complaints desk ------------------------------------------------


@dataclass
class BreachOutcome:
    breach: Breach | None
    already_compensated: bool = False


def commitment_breach_from_complaint(
    *, order_id: int, tag_id: int, complaint_ref: str, detail: str, actor=None
) -> BreachOutcome:
    """An upheld complaint establishes a breach of the order's commitment for that tag.

    pending or met → breached (source "complaint"); already breached → that breach; already
    compensated → already_compensated=True (nothing is paid twice); no commitment → breach None.
    The caller pays (breach_compensate, or its own voucher then breach_mark_compensated).
    """
    now = timezone.now()
    with transaction.atomic():
        commitment = Commitment.objects.select_for_update().filter(order_id=order_id, tag_id=tag_id).first()
        if commitment is None:
            return BreachOutcome(breach=None)
        if commitment.state == P.COMPENSATED:
            return BreachOutcome(
                breach=Breach.objects.filter(commitment=commitment).first(), already_compensated=True
            )
        if commitment.state == P.BREACHED:
            return BreachOutcome(breach=Breach.objects.get(commitment=commitment))
        if commitment.state == P.EXEMPTED:
            return BreachOutcome(breach=None)
        commitment_move(commitment, to=P.BREACHED, resolved_at=now)
        breach = Breach.objects.create(
            commitment=commitment,
            merchant_id=commitment.merchant_id,
            detected_at=now,
            source=Breach.Source.COMPLAINT,
            detail=f"complaint {complaint_ref}: {detail}"[:300],
        )
        audit_record(
            actor=actor, verb="breach.from_complaint", target=breach, data={"complaint": complaint_ref}
        )
    return BreachOutcome(breach=breach)


def breach_mark_compensated(*, breach_id: int, voucher_id: int, actor=None) -> Breach:
    """The complaint paid the breach's compensation with its own voucher: link it, close the commitment."""
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
            voucher.save(update_fields=["breach", "updated_at"])
        if commitment.state != P.COMPENSATED:
            commitment_move(commitment, to=P.COMPENSATED)
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
