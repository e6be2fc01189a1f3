"""Vouchers (无门槛代金券): issue (idempotent per source), redeem (idempotent), expire (daily job)."""

import secrets
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import audit_record
from core.errors import ApplicationError, Conflict, InvalidTransition, NotFound
from core.money import to_money

from ..models import Breach, CommitmentRules, Order, Voucher
from ..selectors import commitment_settings

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def voucher_new_code() -> str:
    # 32 symbols: every byte maps to one with equal probability (256 = 8 × 32).
    return "V" + "".join(_ALPHABET[b % 32] for b in secrets.token_bytes(15))


def voucher_issue(
    *,
    order: Order,
    amount: Decimal,
    source_type: str,
    source_id: str,
    funded_by: str,
    breach: Breach | None = None,
    actor=None,
    rules: CommitmentRules | None = None,
    level: str = "",
) -> tuple[Voucher, bool]:
    """Issue one voucher to the order's shopper for one source; the same source returns the first one.

    Valid for CommitmentSettings.voucher_valid_days from now (`rules`: a snapshot a batch already
    read). Does not touch the deposit: the caller decides whether and how the amount is recovered.
    """
    source_id = str(source_id)
    existing = Voucher.objects.filter(source_type=source_type, source_id=source_id).first()
    if existing is not None:
        return existing, False
    value = to_money(amount)
    if value <= 0:
        raise ApplicationError(
            "a voucher amount must be greater than zero", fields={"amount": ["must be > 0"]}
        )
    if funded_by not in Voucher.FundedBy.values:
        raise ApplicationError(f"unknown funder {funded_by!r}", fields={"funded_by": ["unknown"]})
    now = timezone.now()
    valid_until = now + (rules or commitment_settings()).voucher_validity
    for _attempt in range(3):
        try:
            with transaction.atomic():
                voucher = Voucher.objects.create(
                    code=voucher_new_code(),
                    shopper_ref=order.shopper_ref,
                    merchant_id=order.merchant_id,
                    order=order,
                    amount=value,
                    valid_until=valid_until,
                    funded_by=funded_by,
                    breach=breach,
                    level=level or (breach.severity if breach is not None else ""),
                    source_type=source_type,
                    source_id=source_id,
                )
                audit_record(
                    actor=actor,
                    verb="voucher.issued",
                    target=voucher,
                    data={
                        "amount": str(value),
                        "source": f"{source_type}:{source_id}",
                        "order": order.external_id,
                    },
                )
            return voucher, True
        except IntegrityError:
            # Another writer issued it first (same source or same breach), or the code collided.
            existing = Voucher.objects.filter(source_type=source_type, source_id=source_id).first()
            if existing is None and breach is not None:
                existing = Voucher.objects.filter(breach=breach).first()
            if existing is not None:
                return existing, False
    raise Conflict("the voucher could not be issued; retry")


def voucher_redeem(*, code: str, redeemed_at=None, actor=None) -> tuple[Voucher, bool]:
    """Record the upstream system's redemption. Redeeming twice returns the voucher unchanged."""
    with transaction.atomic():
        voucher = Voucher.objects.select_for_update().filter(code=code).first()
        if voucher is None:
            raise NotFound("no such voucher")
        if voucher.state == Voucher.State.REDEEMED:
            return voucher, False
        now = timezone.now()
        when = redeemed_at or now
        if voucher.state == Voucher.State.EXPIRED or voucher.valid_until < when:
            raise InvalidTransition(
                "the voucher has expired",
                fields={"state": [f"valid until {voucher.valid_until.isoformat()}"]},
            )
        voucher.state = Voucher.State.REDEEMED
        voucher.redeemed_at = when
        voucher.save(update_fields=["state", "redeemed_at", "updated_at"])
        audit_record(actor=actor, verb="voucher.redeemed", target=voucher, data={"at": when.isoformat()})
    return voucher, True


def vouchers_expire(*, now=None, batch_size: int = 5000) -> int:
    """Expire every issued voucher past its validity, set-based in batches. Safe to run twice."""
    now = now or timezone.now()
    total = 0
    while True:
        with transaction.atomic():
            ids = list(
                Voucher.objects.filter(state=Voucher.State.ISSUED, valid_until__lt=now).values_list(
                    "pk", flat=True
                )[:batch_size]
            )
            if not ids:
                break
            total += Voucher.objects.filter(pk__in=ids, state=Voucher.State.ISSUED).update(
                state=Voucher.State.EXPIRED, expired_at=now, updated_at=now
            )
    return total
