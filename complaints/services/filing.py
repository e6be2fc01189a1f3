"""Filing complaints and help requests from the upstream order system (integration API)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from commitments.models import Commitment, Order
from commitments.services import metrics_days_mark
from core.audit import audit_record
from core.errors import ApplicationError, Conflict
from core.files import validate_evidence
from core.money import to_money
from tags.models import Tag

from ..errors import ComplaintError
from ..models import Complaint, HelpRequest, ServiceStandard
from .evidence import evidence_discard_on_error, evidence_store
from .workflow import complaint_due

# Upstream clocks drift a little; a filing time further ahead than this is refused.
FUTURE_SKEW = timedelta(minutes=10)


def _order_for(*, order_external_id: str, merchant_id: int | None, shop_code: str = "") -> Order:
    order = Order.objects.select_related("merchant").filter(external_id=order_external_id).first()
    if order is None:
        raise ApplicationError(
            f"Unknown order {order_external_id!r}.",
            code=ComplaintError.UNKNOWN_ORDER,
            fields={"order": ["unknown order"]},
        )
    if (merchant_id is not None and order.merchant_id != merchant_id) or (
        shop_code and order.merchant.shop_code != shop_code
    ):
        raise ApplicationError(
            f"Order {order_external_id!r} belongs to another merchant than the one claimed.",
            code=ComplaintError.MERCHANT_MISMATCH,
            fields={"merchant": ["the order belongs to another merchant"]},
        )
    return order


def _same_filing(external_id: str, order_external_id: str) -> Complaint | None:
    """The complaint already filed under this external id; 409 if it was filed for another order
    (a retry repeats its order: an external id reused for another complaint is an upstream bug)."""
    existing = Complaint.objects.select_related("order").filter(external_id=external_id).first()
    if existing is not None and existing.order.external_id != order_external_id:
        raise Conflict(
            f"Complaint {external_id!r} was filed for another order.",
            code=ComplaintError.EXTERNAL_ID_REUSED,
            fields={"external_id": [f"already used for order {existing.order.external_id!r}"]},
        )
    return existing


def complaint_file(
    *,
    external_id: str,
    order_external_id: str,
    standard_code: str,
    text: str,
    filed_at: datetime,
    claimed_amount: Decimal = Decimal("0"),
    merchant_id: int | None = None,
    shop_code: str = "",
    tag_code: str = "",
    files: list | None = None,
    actor=None,
) -> tuple[Complaint, bool]:
    """File a complaint; idempotent by external_id. Everything is checked before anything is written."""
    existing = _same_filing(external_id, order_external_id)
    if existing is not None:
        return existing, False
    files = list(files or [])
    order = _order_for(order_external_id=order_external_id, merchant_id=merchant_id, shop_code=shop_code)
    standard = ServiceStandard.objects.filter(code=standard_code).first()
    if standard is None:
        raise ApplicationError(
            f"Unknown complaint type {standard_code!r}.", fields={"standard": ["unknown service standard"]}
        )
    if not (text or "").strip():
        raise ApplicationError("Describe the complaint.", fields={"text": ["required"]})
    claimed = to_money(claimed_amount or 0)
    if claimed < 0:
        raise ApplicationError("The claimed amount cannot be negative.", fields={"claimed_amount": ["< 0"]})
    if claimed > order.paid_amount:
        raise ApplicationError(
            f"The claimed amount {claimed} is above the order's paid amount {order.paid_amount}.",
            code=ComplaintError.AMOUNT_ABOVE_PAID,
            fields={"claimed_amount": [f"at most {order.paid_amount}"]},
        )
    tag = None
    if tag_code:
        tag = Tag.objects.filter(code=tag_code).first()
        if tag is None or not Commitment.objects.filter(order=order, tag=tag).exists():
            raise ApplicationError(
                f"Order {order_external_id!r} carries no commitment for tag {tag_code!r}.",
                fields={"tag": ["no commitment for this tag on the order"]},
            )
    validate_evidence(files)
    if timezone.is_naive(filed_at):
        raise ApplicationError("filed_at needs a time zone.", fields={"filed_at": ["naive datetime"]})
    if filed_at > timezone.now() + FUTURE_SKEW:
        raise ApplicationError("filed_at is in the future.", fields={"filed_at": ["in the future"]})
    if filed_at < order.paid_at - FUTURE_SKEW:
        # A year-1 filing time was accepted once: its due date lay 2023 years in the past.
        raise ApplicationError(
            "filed_at is before the order was paid.",
            fields={"filed_at": [f"before the order was paid ({order.paid_at.isoformat()})"]},
        )
    due_at, fallback = complaint_due(filed_at)

    try:
        with evidence_discard_on_error(), transaction.atomic():
            complaint = Complaint.objects.create(
                external_id=external_id,
                order=order,
                merchant_id=order.merchant_id,
                standard=standard,
                tag=tag,
                shopper_ref=order.shopper_ref,
                text=text.strip(),
                claimed_amount=claimed,
                filed_at=filed_at,
                urgent=standard.urgent,
                due_at=due_at,
                due_fallback=fallback,
            )
            evidence_store(complaint=complaint, party="shopper", files=files, actor=actor)
            audit_record(
                actor=actor,
                verb="complaint.filed",
                target=complaint,
                data={"order": order.external_id, "standard": standard.code, "files": len(files)},
            )
    except IntegrityError:
        # Another request filed the same external id a moment ago.
        existing = _same_filing(external_id, order_external_id)
        if existing is None:
            raise
        return existing, False
    return complaint, True


@dataclass(frozen=True)
class HelpRequestItem:
    external_id: str
    order_external_id: str
    scenario: str
    requested_at: datetime
    note: str = ""


def help_requests_ingest(*, items: list[HelpRequestItem], actor=None) -> dict[str, int]:
    """Batch, idempotent by external id; an unknown order or scenario refuses the whole batch."""
    problems: dict[str, list[str]] = {}
    order_ids = {item.order_external_id for item in items}
    known = Order.objects.filter(external_id__in=order_ids).values_list("external_id", "pk", "merchant_id")
    orders = {ext: (pk, merchant_id) for ext, pk, merchant_id in known}
    for index, item in enumerate(items):
        if item.order_external_id not in orders:
            problems.setdefault(f"items[{index}].order", []).append(
                f"unknown order {item.order_external_id!r}"
            )
        if item.scenario not in HelpRequest.Scenario.values:
            problems.setdefault(f"items[{index}].scenario", []).append(f"unknown scenario {item.scenario!r}")
    if problems:
        raise ApplicationError("Help requests refused; nothing was written.", fields=problems)
    rows = [
        HelpRequest(
            external_id=item.external_id,
            order_id=orders[item.order_external_id][0],
            merchant_id=orders[item.order_external_id][1],
            scenario=item.scenario,
            requested_at=item.requested_at,
            note=item.note[:300],
        )
        for item in items
    ]
    before = HelpRequest.objects.filter(external_id__in=[r.external_id for r in rows]).count()
    with transaction.atomic():
        HelpRequest.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        metrics_days_mark(order_ids={r.order_id for r in rows})
    distinct = len({r.external_id for r in rows})
    return {
        "received": len(rows),
        "created": distinct - before,
        "duplicates": len(rows) - (distinct - before),
    }
