"""What a tag's structured terms mean for one order: the deadline and whether it was kept.

Pure functions over plain values (no queries except the business calendar for invoices), so the
ingestion path can evaluate a thousand commitments per batch without touching the database.

Terms kinds (``TagTermsVersion.terms["kind"]``):

- ``pickup_by_cutoff`` (cutoff "16:00"): paid before the cut-off local time → first pickup scan by
  23:59:59 that day, else by 23:59:59 the next day (ship_same_day);
- ``pickup_within_hours`` (hours): first pickup scan ≤ paid_at + hours (ship_24h, ship_48h);
- ``signed_by_next_day`` (cutoff): delivered by 23:59:59 the next day (the day after when paid
  after the cut-off) (next_day_delivery, late_free_order);
- ``install_by_agreed_day`` (default_days_after_signature, severe_late_days): installed by 23:59:59
  of the agreed day, or ≤ N days after delivery when none was agreed;
- ``refund_within_hours`` (hours): a refund requested before dispatch is paid ≤ hours after the request;
- ``invoice_within_business_days`` (days): invoice issued ≤ N business days after the request;
- ``return_freight_within_hours`` (hours, return_window_days): freight reimbursed ≤ hours after the
  return is signed, for returns within the window after dispatch;
- ``free_shipping`` (remote_provinces_excepted): no shipping fee on the order;
- ``sf_carrier``: the first pickup is by SF inside the configured coverage;
- ``complaint_only``: only an upheld complaint establishes a breach.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from core.calendar import business_tz, end_of_local_day, local_date, working_day_after
from core.regions import REMOTE_PROVINCES
from core.texts import Text

from . import texts

SF_CARRIERS = frozenset({"SF", "SFEXPRESS", "SF EXPRESS", "顺丰", "顺丰速运"})

MET = "met"
BREACHED = "breached"
EXEMPTED = "exempted"
DEADLINE = "deadline"


@dataclass
class OrderFacts:
    """An order as the rules see it: what was paid, and the first time each fact happened."""

    paid_at: datetime
    province: str
    shipping_fee: Decimal = Decimal("0.00")
    agreed_install_date: date | None = None
    cancelled_at: datetime | None = None
    first_pickup_at: datetime | None = None
    carrier: str = ""
    delivered_at: datetime | None = None
    installed_at: datetime | None = None
    refund_requested_at: datetime | None = None
    refunded_at: datetime | None = None
    return_signed_at: datetime | None = None
    return_freight_reimbursed_at: datetime | None = None
    invoice_requested_at: datetime | None = None
    invoice_issued_at: datetime | None = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    """What should happen to a pending commitment: met | breached | exempted | deadline (set it)."""

    action: str
    at: datetime | None = None
    detail: Text | None = None  # the breach detail or exemption reason (core.texts)
    severity: str = "late"
    deadline: datetime | None = None


def _cutoff(terms: dict) -> time:
    hours, minutes = (int(part) for part in str(terms.get("cutoff", "16:00")).split(":"))
    return time(hours, minutes)


def _end_of_day_after(moment: datetime, days: int) -> datetime:
    return end_of_local_day(local_date(moment) + timedelta(days=days))


def _before_cutoff(moment: datetime, terms: dict) -> bool:
    return moment.astimezone(business_tz()).time() < _cutoff(terms)


def initial_deadline(terms: dict, *, paid_at: datetime, agreed_install_date: date | None = None):
    """The deadline known at payment time (None when a later event starts the clock)."""
    kind = terms.get("kind")
    if kind == "pickup_by_cutoff":
        return _end_of_day_after(paid_at, 0 if _before_cutoff(paid_at, terms) else 1)
    if kind == "pickup_within_hours":
        return paid_at + timedelta(hours=int(terms.get("hours", 24)))
    if kind == "signed_by_next_day":
        return _end_of_day_after(paid_at, 1 if _before_cutoff(paid_at, terms) else 2)
    if kind == "install_by_agreed_day" and agreed_install_date is not None:
        return end_of_local_day(agreed_install_date)
    return None


def initial_exemption(terms: dict, *, province: str, holding_config: dict) -> Text | None:
    """A reason the commitment is exempt from the start, or None."""
    kind = terms.get("kind")
    if (
        kind == "free_shipping"
        and terms.get("remote_provinces_excepted", True)
        and province in REMOTE_PROVINCES
    ):
        return texts.EXEMPT_REMOTE_PROVINCE
    if kind == "sf_carrier" and not holding_config.get("warehouse"):
        coverage = holding_config.get("sf_coverage") or []
        if province not in coverage:
            return texts.EXEMPT_OUTSIDE_SF_COVERAGE
    return None


def _fulfilled_by(deadline: datetime | None, done_at: datetime | None, what: str) -> Decision | None:
    """`what` names the fact (a key of texts.DONE_WORDS) for the breach detail."""
    if done_at is None or deadline is None:
        return None
    if done_at <= deadline:
        return Decision(MET, at=done_at)
    return Decision(BREACHED, at=done_at, detail=texts.breach_late(what, done_at=done_at, deadline=deadline))


def evaluate(
    terms: dict, *, deadline: datetime | None, facts: OrderFacts, invoice_deadline=None
) -> Decision | None:
    """Decide a pending commitment from the order's facts. None: nothing to do yet.

    Facts are first occurrences, so re-evaluating after duplicate or out-of-order events gives the
    same answer: the rules never depend on the order events arrived in.
    """
    kind = terms.get("kind")
    decision: Decision | None = None
    if kind in ("pickup_by_cutoff", "pickup_within_hours"):
        decision = _fulfilled_by(deadline, facts.first_pickup_at, "first_pickup")
    elif kind == "signed_by_next_day":
        decision = _fulfilled_by(deadline, facts.delivered_at, "signed")
    elif kind == "sf_carrier":
        if facts.first_pickup_at is not None:
            carrier = (facts.carrier or "").strip().upper()
            if carrier in SF_CARRIERS or facts.carrier.strip() in SF_CARRIERS:
                decision = Decision(MET, at=facts.first_pickup_at)
            else:
                decision = Decision(
                    BREACHED,
                    at=facts.first_pickup_at,
                    detail=texts.breach_not_sf(facts.carrier),
                )
    elif kind == "free_shipping":
        if facts.shipping_fee > 0:
            decision = Decision(
                BREACHED,
                at=facts.paid_at,
                detail=texts.breach_shipping_fee(facts.shipping_fee),
                severity="late",
            )
        else:
            decision = Decision(MET, at=facts.paid_at)
    elif kind == "install_by_agreed_day":
        if deadline is None and facts.delivered_at is not None:
            days = int(terms.get("default_days_after_signature", 5))
            deadline = _end_of_day_after(facts.delivered_at, days)
            decision = Decision(DEADLINE, deadline=deadline)
        done = _fulfilled_by(deadline, facts.installed_at, "installed")
        if done is not None:
            if done.action == BREACHED:
                severe_after = deadline + timedelta(days=int(terms.get("severe_late_days", 15)))
                severity = "severe" if facts.installed_at > severe_after else "late"
                done = Decision(BREACHED, at=done.at, detail=done.detail, severity=severity)
            decision = done
    elif kind == "refund_within_hours":
        requested = facts.refund_requested_at
        if requested is not None and (facts.first_pickup_at is None or requested < facts.first_pickup_at):
            if deadline is None:
                deadline = requested + timedelta(hours=int(terms.get("hours", 1)))
                decision = Decision(DEADLINE, deadline=deadline)
            decision = _fulfilled_by(deadline, facts.refunded_at, "refunded") or decision
    elif kind == "invoice_within_business_days":
        if facts.invoice_requested_at is not None:
            if deadline is None:
                deadline = invoice_deadline or invoice_deadline_for(terms, facts.invoice_requested_at)
                decision = Decision(DEADLINE, deadline=deadline)
            decision = _fulfilled_by(deadline, facts.invoice_issued_at, "invoice_issued") or decision
    elif kind == "return_freight_within_hours":
        signed = facts.return_signed_at
        if signed is not None:
            window = timedelta(days=int(terms.get("return_window_days", 90)))
            dispatched = facts.first_pickup_at or facts.paid_at
            if signed - dispatched > window:
                return Decision(EXEMPTED, detail=texts.EXEMPT_RETURN_WINDOW)
            if deadline is None:
                deadline = signed + timedelta(hours=int(terms.get("hours", 72)))
                decision = Decision(DEADLINE, deadline=deadline)
            decision = (
                _fulfilled_by(deadline, facts.return_freight_reimbursed_at, "freight_reimbursed") or decision
            )

    cancelled = facts.cancelled_at
    if cancelled is not None and (decision is None or decision.action in (DEADLINE, BREACHED)):
        effective_deadline = decision.deadline if decision and decision.action == DEADLINE else deadline
        if decision is not None and decision.action == BREACHED and decision.at <= cancelled:
            return decision
        if effective_deadline is None or cancelled < effective_deadline:
            return Decision(EXEMPTED, at=cancelled, detail=texts.EXEMPT_CANCELLED)
    return decision


def escalation_deadline(terms: dict, deadline: datetime | None) -> datetime | None:
    """When a breach at the "late" level becomes "severe" unless fulfilled by then (None: never).

    install_by_agreed_day: not installed, or installed, more than ``severe_late_days`` after the
    deadline.
    """
    if terms.get("kind") == "install_by_agreed_day" and deadline is not None:
        return deadline + timedelta(days=int(terms.get("severe_late_days", 15)))
    return None


def severity_from_facts(
    terms: dict, *, deadline: datetime | None, installed_at: datetime | None, now: datetime
) -> str:
    """The severity facts establish for a breach of these terms (an upheld complaint asks this)."""
    escalate_at = escalation_deadline(terms, deadline)
    if escalate_at is None:
        return "late"
    if installed_at is not None:
        return "severe" if installed_at > escalate_at else "late"
    return "severe" if now > escalate_at else "late"


def invoice_deadline_for(terms: dict, requested_at: datetime) -> datetime:
    days = int(terms.get("days", 3))
    return end_of_local_day(working_day_after(local_date(requested_at), days))
