"""Paying breaches: vouchers, the daily cap and the deposit recovery, in batches per merchant.

One function pays whatever a breach is owed, whichever path found it (event, sweep, complaint
escalation): the first voucher at the breach's severity, or, when the severity rose after a payment,
a top-up for the difference, exactly once per breach × level (``voucher_once_per_breach_level``).

A batch is one merchant's breaches in one transaction:

1. lock the commitments (``FOR UPDATE``, id order: the lock every other writer of a commitment takes);
2. read breaches, orders, terms, previous vouchers, upheld appeals, return freight: one query each;
3. quote each breach (``commitments.compensation``), then apply the daily cap per shopper × merchant
   × tag × local breach day on ``CompensationDay`` rows created if missing and locked, so concurrent
   workers queue on the same key and the day's total never passes the cap;
4. one multi-row INSERT of vouchers, one of ledger entries (the ``balance_after`` chain computed in
   one pass under one account lock), one of audit rows; set-based updates of the states.

Lock order everywhere: commitment → compensation day → deposit account.
"""

import logging
from collections import defaultdict
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from core.audit import audit_row, audit_rows_write
from core.bulk import insert_rows
from core.errors import NotFound
from core.money import ZERO, to_money
from merchants.services import deposit_post_recoveries
from tags.models import TagTermsVersion

from .. import texts
from ..compensation import (
    FEE_RETURN_FREIGHT,
    QuoteInputs,
    breach_day,
    compensation_quote,
    fee_input_for,
    return_freight_of,
    severity_rank,
)
from ..models import Breach, BreachAppeal, Commitment, CommitmentRules, CompensationDay, Order, Voucher
from ..selectors import commitment_settings
from .bulk import bulk_set
from .transitions import commitments_move
from .vouchers import voucher_new_code

logger = logging.getLogger(__name__)

P = Commitment.State
BREACH_SOURCE = "commitments.breach"
VOUCHER_SOURCE = "commitments.voucher"
BATCH = 1000


def _owes(state: str, severity: str, paid_level: str) -> bool:
    if state == P.BREACHED:
        return severity_rank(severity) > severity_rank(paid_level) or not paid_level
    return state == P.COMPENSATED and bool(paid_level) and severity_rank(severity) > severity_rank(paid_level)


def compensation_days_lock(*, keys: set[tuple[int, str, int, object]]) -> dict:
    """The CompensationDay rows of (merchant_id, shopper_ref, tag_id, day) keys, created if missing
    and locked for this transaction (id order): {key: row}."""
    if not keys:
        return {}
    CompensationDay.objects.bulk_create(
        [CompensationDay(merchant_id=m, shopper_ref=s, tag_id=t, day=d) for m, s, t, d in sorted(keys)],
        ignore_conflicts=True,
    )
    rows = (
        CompensationDay.objects.select_for_update()
        .filter(
            merchant_id__in={k[0] for k in keys},
            shopper_ref__in={k[1] for k in keys},
            tag_id__in={k[2] for k in keys},
            day__in={k[3] for k in keys},
        )
        .order_by("pk")
    )
    found = {(r.merchant_id, r.shopper_ref, r.tag_id, r.day): r for r in rows}
    return {k: found[k] for k in keys}


VOUCHER_COLUMNS = [
    "created_at", "updated_at", "code", "shopper_ref", "merchant_id", "order_id", "amount", "currency", "state",
    "valid_until", "funded_by", "breach_id", "top_up_of_id", "level", "source_type", "source_id",
]  # fmt: skip


def _pay_batch(*, breach_ids: list[int], rules: CommitmentRules, actor=None) -> tuple[int, int]:
    """Pay a batch of breaches (one or many merchants) in one transaction. Returns (vouchers issued,
    settled without one)."""
    now = timezone.now()
    with transaction.atomic():
        locked = {
            row[0]: row
            for row in Commitment.objects.select_for_update(of=("self",))
            .filter(breach__pk__in=breach_ids, state__in=[P.BREACHED, P.COMPENSATED])
            .order_by("pk")
            .values_list("pk", "state", "deadline", "tag_id", "terms_version_id", "order_id", "merchant_id")
        }
        if not locked:
            return 0, 0
        owed = [
            b
            for b in Breach.objects.filter(pk__in=breach_ids, commitment_id__in=list(locked))
            .order_by("pk")
            .values("pk", "commitment_id", "severity", "paid_level", "detected_at")
            if _owes(locked[b["commitment_id"]][1], b["severity"], b["paid_level"])
        ]
        if not owed:
            return 0, 0
        owed_ids = [b["pk"] for b in owed]
        paid_before: dict[int, Decimal] = defaultdict(lambda: ZERO)
        has_base: set[int] = set()
        for base_of, top_up_of, amount in Voucher.objects.filter(
            Q(breach_id__in=owed_ids) | Q(top_up_of_id__in=owed_ids)
        ).values_list("breach_id", "top_up_of_id", "amount"):
            paid_before[base_of or top_up_of] += amount
            if base_of:
                has_base.add(base_of)
        order_ids = {locked[b["commitment_id"]][5] for b in owed}
        orders = {
            row[0]: row
            for row in Order.objects.filter(pk__in=order_ids).values_list(
                "pk", "shopper_ref", "paid_amount", "shipping_fee", "external_id"
            )
        }
        versions = {
            row[0]: row
            for row in TagTermsVersion.objects.filter(
                pk__in={locked[b["commitment_id"]][4] for b in owed}
            ).values_list("pk", "terms", "compensation", "daily_cap")
        }
        freight_orders = {
            locked[b["commitment_id"]][5]
            for b in owed
            if fee_input_for(
                versions[locked[b["commitment_id"]][4]][1], versions[locked[b["commitment_id"]][4]][2]
            )
            == FEE_RETURN_FREIGHT
        }
        freight = return_freight_of(freight_orders) if freight_orders else {}
        upheld = set(
            BreachAppeal.objects.filter(breach_id__in=owed_ids, state=BreachAppeal.State.UPHELD).values_list(
                "breach_id", flat=True
            )
        )

        def key_of(b):
            _pk, _state, deadline, tag_id, _v, order_id, merchant_id = locked[b["commitment_id"]]
            day = breach_day(deadline=deadline, occurred_at=b["detected_at"], detected_at=b["detected_at"])
            return (merchant_id, orders[order_id][1], tag_id, day)

        days = compensation_days_lock(keys={key_of(b) for b in owed})

        vouchers, audits, settled = [], [], defaultdict(list)
        valid_until = now + rules.voucher_validity
        for b in owed:
            _pk, _state, _deadline, tag_id, version_id, order_id, merchant_id = locked[b["commitment_id"]]
            _opk, shopper_ref, paid_amount, shipping_fee, _ext = orders[order_id]
            _vpk, terms, compensation, daily_cap = versions[version_id]
            quote = compensation_quote(
                terms=terms or {},
                compensation=compensation or {},
                daily_cap=daily_cap,
                inputs=QuoteInputs(
                    paid_amount=paid_amount,
                    shipping_fee=shipping_fee,
                    return_freight=freight.get(order_id, ZERO),
                ),
                severity=b["severity"],
            )
            day = days[key_of(b)]
            due = quote.amount - paid_before[b["pk"]]
            amount = to_money(max(min(due, to_money(daily_cap) - day.paid), ZERO))
            settled[b["severity"]].append(b["pk"])
            if amount <= 0:
                audits.append(
                    audit_row(actor, "breach.compensation_skipped", "commitments.breach", b["pk"],
                           {"reason": "zero amount or daily cap reached", "quote": quote.as_dict()}, now)
                )  # fmt: skip
                continue
            day.paid += amount
            base = b["pk"] not in has_base
            funded_by = Voucher.FundedBy.PLATFORM if b["pk"] in upheld else Voucher.FundedBy.MERCHANT
            vouchers.append(
                (
                    now, now, voucher_new_code(), shopper_ref, merchant_id, order_id, amount, "CNY",
                    Voucher.State.ISSUED.value, valid_until, funded_by.value, b["pk"] if base else None,
                    None if base else b["pk"], b["severity"], BREACH_SOURCE,
                    str(b["pk"]) if base else f"{b['pk']}:{b['severity']}",
                )
            )  # fmt: skip
            audits.append(
                audit_row(actor, "breach.compensated", "commitments.breach", b["pk"],
                       {"amount": str(amount), "level": b["severity"], "top_up": not base, "quote": quote.as_dict()},
                       now)
            )  # fmt: skip
        if vouchers:
            voucher_ids = insert_rows(Voucher._meta.db_table, VOUCHER_COLUMNS, vouchers, returning="id")
            ext = {row[0]: row[4] for row in orders.values()}
            recover = []
            for pk, v in zip(voucher_ids, vouchers, strict=True):
                _c, _u, code, _s, merchant_id, order_id, amount, *_rest = v
                audits.append(
                    audit_row(actor, "voucher.issued", "commitments.voucher", pk,
                           {"amount": str(amount), "source": f"{BREACH_SOURCE}:{v[15]}", "order": ext[order_id]}, now)
                )  # fmt: skip
                if v[10] == Voucher.FundedBy.MERCHANT:
                    recover.append(
                        (
                            merchant_id,
                            amount,
                            texts.memo_voucher_recovery(code, ext[order_id]),
                            VOUCHER_SOURCE,
                            str(pk),
                        )
                    )
            deposit_post_recoveries(kind="compensation_recovery", items=recover, actor=actor)
        audit_rows_write(audits)
        bulk_set(
            CompensationDay, ["paid"], [(d.pk, d.paid) for d in days.values()], casts={"paid": "numeric"}
        )
        for level, ids in settled.items():
            Breach.objects.filter(pk__in=ids).update(paid_level=level, updated_at=now)
        to_close = [b["commitment_id"] for b in owed if locked[b["commitment_id"]][1] == P.BREACHED]
        commitments_move(ids=to_close, to=P.COMPENSATED, from_states=(P.BREACHED,), now=now)
    return len(vouchers), len(owed) - len(vouchers)


def breaches_compensate(*, breach_ids: list[int], actor=None, batch_size: int = BATCH) -> dict[str, int]:
    """Pay what each breach is owed, in batches of `batch_size` (one transaction each, whatever the
    number of merchants: each deposit account is locked once per batch).

    Safe to run twice (a paid level is not paid again) and after a crash (a batch is whole or
    absent). One failing batch does not stop the others: it is logged and left to the backlog job.
    """
    paid = skipped = failed = 0
    if not breach_ids:
        return {"paid": 0, "skipped": 0, "failed": 0}
    rules = commitment_settings()
    ids = sorted(set(breach_ids))
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        for attempt in range(2):
            try:
                issued, without = _pay_batch(breach_ids=chunk, rules=rules, actor=actor)
            except IntegrityError:
                if attempt == 0:  # a voucher code collided (or a racing payer): the batch retries once
                    continue
                logger.exception("compensating breaches %s failed", chunk)
                failed += len(chunk)
            except Exception:  # noqa: BLE001 - logged, retried by the backlog job
                logger.exception("compensating breaches %s failed", chunk)
                failed += len(chunk)
            else:
                paid += issued
                skipped += without
            break
    return {"paid": paid, "skipped": skipped, "failed": failed}


def breach_compensate(*, breach_id: int, actor=None, rules: CommitmentRules | None = None) -> Voucher | None:
    """Pay one breach (the same code path as a batch of one). Returns its voucher, None when nothing
    was paid (zero amount, the daily cap used up, or the commitment was exempted meanwhile)."""
    if not Breach.objects.filter(pk=breach_id).exists():
        raise NotFound("no such breach")
    _pay_batch(breach_ids=[breach_id], rules=rules or commitment_settings(), actor=actor)
    return Voucher.objects.filter(breach_id=breach_id).first()


def breaches_uncompensated_ids(*, limit: int = 5000) -> list[int]:
    """Breaches still owed a payment (a lost task, a raised severity): the backlog job pays them."""
    return list(
        Breach.objects.filter(
            Q(commitment__state=P.BREACHED)
            | (Q(commitment__state=P.COMPENSATED) & ~Q(paid_level="") & ~Q(paid_level=F("severity")))
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
