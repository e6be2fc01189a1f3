"""Appeals (申诉) of breaches by merchants, decided by platform staff."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.audit import audit_record
from core.errors import ApplicationError, Conflict, InvalidTransition, NotFound, check_transition
from core.files import evidence_discard_on_error, evidence_save, validate_evidence
from merchants.models import DepositEntry
from merchants.services import deposit_post_entry

from .. import texts
from ..models import AppealEvidence, Breach, BreachAppeal, Commitment, CommitmentRules, Voucher
from ..selectors import commitment_settings
from .breaches import VOUCHER_SOURCE
from .metrics import metrics_days_mark
from .text import clean_text

APPEAL_SOURCE = "commitments.breach_appeal"


def appeal_deadline(breach: Breach, *, rules: CommitmentRules | None = None):
    """Detected at + CommitmentSettings.appeal_days (the current window, also for older breaches)."""
    return breach.detected_at + (rules or commitment_settings()).appeal_window


def breach_appeal_submit(*, breach_id: int, merchant, text: str, files: list, actor=None) -> BreachAppeal:
    """The merchant appeals its own breach within the appeal window, with text and evidence files."""
    validate_evidence(list(files or []))
    text = clean_text(text, field="text")
    if not text:
        raise ApplicationError("Explain why the breach should be lifted.", fields={"text": ["required"]})
    with evidence_discard_on_error(), transaction.atomic():
        breach = Breach.objects.select_for_update().filter(pk=breach_id, merchant=merchant).first()
        if breach is None:
            raise NotFound("no such breach")
        if BreachAppeal.objects.filter(breach=breach).exists():
            raise Conflict("this breach has already been appealed")
        rules = commitment_settings()
        deadline = appeal_deadline(breach, rules=rules)
        if timezone.now() > deadline:
            raise InvalidTransition(
                f"the {rules.appeal_days}-day appeal window has closed",
                fields={"breach": [f"appeal by {deadline.isoformat()}"]},
            )
        appeal = BreachAppeal.objects.create(
            breach=breach,
            merchant=merchant,
            text=text[:5000],
            submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        for upload in files or []:
            item = AppealEvidence(appeal=appeal, name=upload.name[:200])
            evidence_save(item.file, upload)  # a generated name; deleted if this write rolls back
            item.save()
        audit_record(actor=actor, verb="breach_appeal.submitted", target=appeal, data={"breach": breach.pk})
    return appeal


def breach_appeal_decide(*, appeal_id: int, uphold: bool, note: str = "", actor=None) -> BreachAppeal:
    """Staff decide. Upheld: the recovery is reversed, the breach leaves every metric, the shopper keeps
    the voucher (the platform now funds it)."""
    target = BreachAppeal.State.UPHELD if uphold else BreachAppeal.State.REJECTED
    with transaction.atomic():
        appeal = BreachAppeal.objects.select_for_update().filter(pk=appeal_id).first()
        if appeal is None:
            raise NotFound("no such appeal")
        check_transition(
            allowed=BreachAppeal.ALLOWED_TRANSITIONS, current=appeal.state, target=target, what="the appeal"
        )
        now = timezone.now()
        appeal.state = target
        appeal.decided_at = now
        appeal.decided_by = actor if getattr(actor, "is_authenticated", False) else None
        appeal.decision_note = clean_text(note, field="note", max_length=2000)
        appeal.save(update_fields=["state", "decided_at", "decided_by", "decision_note", "updated_at"])
        reversed_amount = None
        if uphold:
            # Commitment before breach, the order every other writer locks in; holding the commitment
            # also waits for a breach_compensate in flight, so its voucher is seen and reversed here.
            commitment_id = Breach.objects.values_list("commitment_id", flat=True).get(pk=appeal.breach_id)
            Commitment.objects.select_for_update().filter(pk=commitment_id).first()
            breach = Breach.objects.select_for_update().get(pk=appeal.breach_id)
            breach.counts_in_metrics = False
            breach.save(update_fields=["counts_in_metrics", "updated_at"])
            metrics_days_mark(commitment_ids=[commitment_id], now=now)
            # The first voucher and every severity top-up: the merchant bears none of them any more.
            vouchers = list(
                Voucher.objects.select_for_update()
                .filter(Q(breach=breach) | Q(top_up_of=breach))
                .order_by("pk")
            )
            if vouchers:
                recovered = sum(
                    DepositEntry.objects.filter(
                        kind=DepositEntry.Kind.COMPENSATION_RECOVERY,
                        source_type=VOUCHER_SOURCE,
                        source_id__in=[str(v.pk) for v in vouchers],
                    ).values_list("amount", flat=True),
                    Decimal("0"),
                )
                if recovered:
                    reversed_amount = -recovered
                    deposit_post_entry(
                        merchant_id=breach.merchant_id,
                        kind=DepositEntry.Kind.REVERSAL,
                        amount=reversed_amount,
                        memo=texts.memo_appeal_upheld_vouchers([v.code for v in vouchers]),
                        source_type=APPEAL_SOURCE,
                        source_id=str(appeal.pk),
                        actor=actor,
                    )
                Voucher.objects.filter(pk__in=[v.pk for v in vouchers]).update(
                    funded_by=Voucher.FundedBy.PLATFORM, updated_at=now
                )
        audit_record(
            actor=actor,
            verb=f"breach_appeal.{target}",
            target=appeal,
            data={
                "note": appeal.decision_note,
                "reversed": str(reversed_amount) if reversed_amount else None,
            },
        )
    return appeal
