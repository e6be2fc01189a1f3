"""`{{ complaint.due_at|time_left }}`: "2 d 3 h left" / "overdue by 5 h", in the active language."""

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.readable import readable_pairs

from ..models import Complaint, HelpRequest, RecoveryClaim

register = template.Library()


def _span(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": rest // 60}
    return _("%(m)d min") % {"m": max(rest // 60, 1)}


@register.filter
def time_left(due_at) -> str:
    if due_at is None:
        return "—"
    delta = int((due_at - timezone.now()).total_seconds())
    if delta >= 0:
        return _("%(span)s left") % {"span": _span(delta)}
    return _("overdue by %(span)s") % {"span": _span(-delta)}


@register.filter
def is_past(moment) -> bool:
    return moment is not None and moment < timezone.now()


# --- readable timelines and event data (never a raw dict, boolean, code or ISO timestamp) ---------

VERB_SENTENCES = {
    "complaint.filed": gettext_lazy("The shopper filed the complaint."),
    "complaint.accepted": gettext_lazy("The desk accepted the complaint."),
    "complaint.merchant_asked": gettext_lazy("The desk asked the merchant to respond."),
    "complaint.merchant_responded": gettext_lazy("The merchant responded."),
    "complaint.response_lapsed": gettext_lazy("The merchant did not respond in time."),
    "complaint.review_started": gettext_lazy("The desk started its review."),
    "complaint.upheld": gettext_lazy("The desk upheld the complaint."),
    "complaint.rejected": gettext_lazy("The desk rejected the complaint."),
    "complaint.withdrawn": gettext_lazy("The shopper withdrew the complaint."),
    "complaint.escalated": gettext_lazy("The complaint passed its deadline and was escalated."),
    "complaint.platform_absorbed": gettext_lazy("The platform absorbed the compensation."),
    "complaint.recovery_claim_moved": gettext_lazy("The recovery claim against the third party moved on."),
    "complaint.appeal_filed": gettext_lazy("The merchant appealed the decision."),
    "complaint.appeal_upheld": gettext_lazy("The desk upheld the merchant's appeal."),
    "complaint.appeal_rejected": gettext_lazy("The desk rejected the merchant's appeal."),
    "voucher.issued": gettext_lazy("A voucher was issued to the shopper."),
    "voucher.redeemed": gettext_lazy("The shopper used the voucher."),
    "breach.from_complaint": gettext_lazy("The upheld complaint established a breach of the commitment."),
    "breach.compensated": gettext_lazy("The breach was compensated."),
}


def _value_labels() -> dict:
    labels = {}
    for choices in (
        Complaint.State.choices,
        Complaint.Responsibility.choices,
        RecoveryClaim.State.choices,
        HelpRequest.Scenario.choices,
    ):
        labels.update(dict(choices))
    return labels


@register.filter
def readable_fields(data) -> list[tuple[str, object]]:
    """Event or audit data as (label, value) pairs in the reader's language."""
    return readable_pairs(data, value_labels=_value_labels())


@register.filter
def audit_sentence(verb: str) -> str:
    """An audit verb as a sentence; a verb without one reads as a generic change, never its code."""
    sentence = VERB_SENTENCES.get(verb)
    return str(sentence) if sentence is not None else _("Recorded a change.")
