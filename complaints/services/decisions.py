"""The decision: upheld or rejected, platform pays first, then recovery from the liable party.

Exactly one decision per complaint: the row is locked and the state checked inside the same
transaction, so a second adjudicator deciding at the same moment waits, then gets 409. The voucher
(or refund instruction) and the recovery are written in that transaction: nothing is paid twice.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from commitments.compensation import Quote, breach_day, quote_for_commitment, severity_rank
from commitments.models import Breach, Commitment, CompensationDay, FulfilmentEvent, Voucher
from commitments.services import (
    breach_pay_from_complaint,
    commitment_breach_from_complaint,
    metrics_days_mark,
    voucher_issue,
)
from commitments.terms import severity_from_facts
from core.audit import audit_record
from core.errors import ApplicationError, NotFound, check_transition
from core.money import ZERO, to_money
from merchants.services import deposit_post_entry
from tags.compensation import SEVERITIES, compute_amount

from .. import texts
from ..models import Complaint, RecoveryClaim, RefundInstruction
from .workflow import complaint_lock, transition

SOURCE_TYPE = "complaints.complaint"


def compensation_limit(complaint: Complaint) -> Decimal:
    standard = complaint.standard
    if standard.cap_at_paid_amount:
        return min(standard.max_compensation, complaint.order.paid_amount)
    return standard.max_compensation


@dataclass(frozen=True)
class CompensationProposal:
    """What the decision form shows: the amount proposed, and where it comes from."""

    amount: Decimal
    source: str  # "tag" (the linked commitment's quote) | "standard" (the service standard's table)
    quote: Quote | None = None
    cap_room: Decimal | None = None  # what the day's cap still allows (tag quotes only)
    already_paid: Decimal = ZERO


def compensation_proposal(
    complaint: Complaint, *, severity: str | None = None, fees: dict | None = None
) -> CompensationProposal:
    """The one quote (``commitments.compensation``) for a tag-linked complaint, at the severity the
    facts establish (or the one staff chose), less what the breach already paid and within the
    day's cap; the standard's table when no tag or commitment applies. Always within the limit."""
    order = complaint.order
    limit = compensation_limit(complaint)
    if complaint.tag_id:
        commitment = (
            Commitment.objects.select_related("order", "terms_version")
            .filter(order_id=complaint.order_id, tag_id=complaint.tag_id)
            .first()
        )
        if commitment is not None and commitment.state != Commitment.State.EXEMPTED:
            breach = Breach.objects.filter(commitment=commitment).first()
            now = timezone.now()
            if severity not in SEVERITIES:
                installed_at = (
                    FulfilmentEvent.objects.filter(order_id=order.pk, kind=FulfilmentEvent.Kind.INSTALLED)
                    .order_by("occurred_at")
                    .values_list("occurred_at", flat=True)
                    .first()
                )
                severity = severity_from_facts(
                    commitment.terms_version.terms or {}, deadline=commitment.deadline, installed_at=installed_at,
                    now=now,
                )  # fmt: skip
                if breach is not None and severity_rank(breach.severity) > severity_rank(severity):
                    severity = breach.severity
            quote = quote_for_commitment(commitment, severity=severity, **(fees or {}))
            paid = ZERO
            if breach is not None:
                paid = sum(
                    Voucher.objects.filter(Q(breach=breach) | Q(top_up_of=breach)).values_list(
                        "amount", flat=True
                    ),
                    ZERO,
                )
            detected = breach.detected_at if breach is not None else now
            day = breach_day(deadline=commitment.deadline, occurred_at=detected, detected_at=detected)
            used = (
                CompensationDay.objects.filter(
                    merchant_id=commitment.merchant_id, shopper_ref=order.shopper_ref,
                    tag_id=commitment.tag_id, day=day,
                ).values_list("paid", flat=True).first()
                or ZERO
            )  # fmt: skip
            room = max(quote.daily_cap - used, ZERO)
            amount = max(min(quote.amount - paid, room), ZERO)
            if amount > 0:
                return CompensationProposal(
                    amount=min(amount, limit), source="tag", quote=quote, cap_room=room, already_paid=paid
                )
    amount = compute_amount(
        complaint.standard.default_compensation, paid_amount=order.paid_amount, fee=order.shipping_fee
    )
    return CompensationProposal(amount=min(amount, limit), source="standard")


def compensation_default(
    complaint: Complaint, *, severity: str | None = None, fees: dict | None = None
) -> Decimal:
    """The proposed amount (``compensation_proposal``)."""
    return compensation_proposal(complaint, severity=severity, fees=fees).amount


def _validate(*, outcome: str, responsibility: str, third_party_name: str, reason: str, payout: str) -> None:
    fields: dict[str, list[str]] = {}
    if outcome not in Complaint.DECIDED_STATES:
        fields["outcome"] = ["upheld or rejected"]
    if responsibility not in Complaint.Responsibility.values:
        fields["responsibility"] = ["merchant, third_party, shopper or platform"]
    elif outcome == Complaint.State.UPHELD and responsibility == Complaint.Responsibility.SHOPPER:
        fields["responsibility"] = ["an upheld complaint is not the shopper's responsibility"]
    if responsibility == Complaint.Responsibility.THIRD_PARTY and not third_party_name.strip():
        fields["third_party_name"] = ["name the carrier or brand service provider"]
    if not reason.strip():
        fields["reason"] = ["required"]
    if payout not in (Complaint.Payout.VOUCHER, Complaint.Payout.REFUND):
        fields["payout"] = ["voucher or refund_instruction"]
    if fields:
        raise ApplicationError("The decision is incomplete: " + ", ".join(fields), fields=fields)


def complaint_decide(
    *,
    complaint_id: int,
    outcome: str,
    responsibility: str,
    reason: str,
    third_party_name: str = "",
    compensation_amount: Decimal | None = None,
    payout: str = Complaint.Payout.VOUCHER,
    severity: str | None = None,
    fees: dict | None = None,
    actor=None,
    now=None,
) -> Complaint:
    """Decide a complaint under review. Upheld: `compensation_amount` (default: the proposal, the
    one compensation quote for a tag-linked complaint) within the standard's limit; `severity` and
    `fees` (instalment fees, price difference, return freight) are the quote's inputs staff may set."""
    _validate(
        outcome=outcome,
        responsibility=responsibility,
        third_party_name=third_party_name,
        reason=reason,
        payout=payout,
    )
    now = now or timezone.now()
    with transaction.atomic():
        complaint = complaint_lock(complaint_id)
        # The state check first: the loser of a race gets 409 before anything else is looked at.
        check_transition(
            allowed=Complaint.ALLOWED_TRANSITIONS, current=complaint.state, target=outcome, what="complaint"
        )
        complaint = Complaint.objects.select_related("order", "standard").get(pk=complaint.pk)
        metrics_days_mark(order_ids=[complaint.order_id], now=now)
        fields = {
            "decided_at": now,
            "decided_by": actor if getattr(actor, "is_authenticated", False) else None,
            "responsibility": responsibility,
            "third_party_name": third_party_name.strip()[:120]
            if responsibility == Complaint.Responsibility.THIRD_PARTY
            else "",
            "decision_reason": reason.strip(),
        }
        if outcome == Complaint.State.REJECTED:
            fields.update(
                payout=Complaint.Payout.NONE, recovery=Complaint.Recovery.NONE, counts_in_metrics=False
            )
            return transition(
                complaint,
                target=outcome,
                actor=actor,
                verb="complaint.rejected",
                now=now,
                fields=fields,
                data={"responsibility": responsibility},
            )
        if severity not in (None, "") and severity not in SEVERITIES:
            raise ApplicationError(f"unknown severity {severity!r}", fields={"severity": list(SEVERITIES)})
        fields.update(
            _uphold(
                complaint, fields, compensation_amount, payout, reason, actor, now, severity or None, fees
            )
        )
        transition(
            complaint,
            target=outcome,
            actor=actor,
            verb="complaint.upheld",
            now=now,
            fields=fields,
            data={
                "responsibility": responsibility,
                "amount": str(fields["compensation_amount"]),
                "payout": fields["payout"],
                "recovery": fields["recovery"],
                "already_compensated": fields["already_compensated"],
            },
        )
    return complaint


def _uphold(
    complaint: Complaint, fields: dict, amount, payout: str, reason: str, actor, now, severity, fees
) -> dict:
    """Pay first, then recover. Runs inside the decision's transaction, on the locked complaint."""

    limit = compensation_limit(complaint)
    try:
        amount = (
            compensation_default(complaint, severity=severity, fees=fees)
            if amount in (None, "")
            else to_money(amount)
        )
    except (TypeError, ValueError):
        amount = None
    # NaN passes to_money and then raises on comparison; Infinity fails to_money: both are a 400.
    if amount is None or not amount.is_finite() or amount <= 0 or amount > limit:
        raise ApplicationError(
            f"The compensation must be more than ¥0 and at most ¥{limit}.",
            fields={"compensation_amount": [f"between 0.01 and {limit}"]},
        )
    if complaint.tag_id and payout != Complaint.Payout.VOUCHER:
        raise ApplicationError(
            "A complaint about a tag's promise is compensated with a voucher.",
            fields={"payout": ["voucher only for a tag-linked complaint"]},
        )
    result = {
        "compensation_amount": amount,
        "payout": payout,
        "already_compensated": False,
        "counts_in_metrics": fields["responsibility"] == Complaint.Responsibility.MERCHANT,
    }
    breach = None
    if complaint.tag_id:
        outcome = commitment_breach_from_complaint(
            order_id=complaint.order_id,
            tag_id=complaint.tag_id,
            complaint_ref=complaint.external_id,
            detail=reason.strip()[:300],
            actor=actor,
            severity=severity,
        )
        breach = outcome.breach
        result["breach"] = breach
        if outcome.already_compensated:
            # One compensation per fact: the shopper was already paid for this broken promise.
            result.update(
                compensation_amount=ZERO,
                payout=Complaint.Payout.NONE,
                already_compensated=True,
                recovery=Complaint.Recovery.NONE,
            )
            return result

    # Who bears the cost, decided once: the merchant when at fault (recovered from the deposit
    # below), the platform otherwise (absorbed, or recovered from a third party by a claim).
    funded_by = "merchant" if fields["responsibility"] == Complaint.Responsibility.MERCHANT else "platform"
    if payout == Complaint.Payout.VOUCHER:
        if breach is not None:
            voucher = breach_pay_from_complaint(
                breach_id=breach.pk, amount=amount, funded_by=funded_by, source_type=SOURCE_TYPE,
                source_id=str(complaint.pk), actor=actor,
            )  # fmt: skip
        else:
            voucher, _created = voucher_issue(
                order=complaint.order, amount=amount, source_type=SOURCE_TYPE, source_id=str(complaint.pk),
                funded_by=funded_by, actor=actor,
            )  # fmt: skip
        result["voucher"] = voucher
    else:
        RefundInstruction.objects.create(
            complaint=complaint, order=complaint.order, shopper_ref=complaint.shopper_ref, amount=amount
        )

    responsibility = fields["responsibility"]
    if responsibility == Complaint.Responsibility.MERCHANT:
        result["recovery"] = Complaint.Recovery.DEPOSIT
        result["recovery_entry"] = deposit_post_entry(
            merchant_id=complaint.merchant_id,
            kind="complaint_recovery",
            amount=amount,
            memo=texts.memo_complaint_recovery(complaint.external_id),
            source_type=SOURCE_TYPE,
            source_id=str(complaint.pk),
            actor=actor,
        )
    elif responsibility == Complaint.Responsibility.THIRD_PARTY:
        result["recovery"] = Complaint.Recovery.THIRD_PARTY
        RecoveryClaim.objects.create(
            complaint=complaint, party_name=fields["third_party_name"], amount=amount
        )
    else:
        result["recovery"] = Complaint.Recovery.ABSORBED
        audit_record(
            actor=actor, verb="complaint.platform_absorbed", target=complaint, data={"amount": str(amount)}
        )
    return result


def recovery_claim_advance(*, claim_id: int, target: str, note: str = "", actor=None) -> RecoveryClaim:
    with transaction.atomic():
        claim = RecoveryClaim.objects.select_for_update().filter(pk=claim_id).first()
        if claim is None:
            raise NotFound("No such recovery claim.")
        check_transition(
            allowed=RecoveryClaim.ALLOWED_TRANSITIONS,
            current=claim.state,
            target=target,
            what="recovery claim",
        )
        previous = claim.state
        claim.state = target
        if note:
            claim.note = note[:300]
        claim.save(update_fields=["state", "note", "updated_at"])
        audit_record(
            actor=actor,
            verb="complaint.recovery_claim_moved",
            target=claim.complaint,
            data={"claim": claim.pk, "from": previous, "to": target},
        )
    return claim
