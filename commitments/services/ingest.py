"""Ingestion of orders and fulfilment events from the upstream order system, a batch at a time.

The items arrive validated (`commitments.api.ingest`: amounts as Decimal, times as aware UTC
datetimes); an item the serializers refused arrives as an `ItemRejected`. Each item is answered
`accepted | duplicate | rejected` (with the reason). A rejected item writes nothing; the others are
kept. Lookups are one query per batch, inserts are multi-row
``INSERT … ON CONFLICT DO NOTHING RETURNING`` so that duplicates — in the batch, already stored, or
sent concurrently by another request — are told apart from new rows without a query per item.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TypedDict

from django.db import connection, transaction
from django.db.models import Min, Q
from django.utils import timezone

from core.periods import local_date
from merchants.models import Product
from tags.models import TagHolding, TagTermsVersion

from .. import terms as T
from ..exemption import active_declarations, exemption_decision
from ..models import Breach, Commitment, FulfilmentEvent, Order, RefundReason
from .breaches import breaches_escalate_on_facts, commitments_breach_many, commitments_exempt_many
from .bulk import bulk_set as _bulk_set
from .metrics import dsr_ranks_update, metrics_days_mark, metrics_days_mark_many
from .transitions import commitments_move

MAX_BATCH = 1000
ACCEPTED, DUPLICATE, REJECTED = "accepted", "duplicate", "rejected"


@dataclass
class ItemResult:
    index: int
    external_id: str
    status: str
    reason: str = ""
    id: int | None = None


@dataclass
class BatchResult:
    items: list[ItemResult] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {ACCEPTED: 0, DUPLICATE: 0, REJECTED: 0}
        for item in self.items:
            out[item.status] += 1
        return out


@dataclass(frozen=True)
class ItemRejected:
    """An item the input validation refused: answered `rejected` with the reason, never written."""

    external_id: str
    reason: str


class OrderInput(TypedDict):
    external_id: str
    product_id: int
    merchant_id: int | None  # checked against the product's merchant
    shopper_ref: str
    quantity: int
    paid_amount: Decimal
    shipping_fee: Decimal
    province: str
    paid_at: datetime  # aware
    agreed_install_date: date | None


class EventInput(TypedDict):
    external_id: str
    order_external_id: str
    kind: str  # a FulfilmentEvent.Kind
    occurred_at: datetime  # aware
    data: dict  # as sent, stored as is


def _insert_returning(
    table: str, columns: list[str], rows: list[tuple], *, key: str | tuple[str, ...], returning: list[str]
):
    """Multi-row INSERT … ON CONFLICT (key) DO NOTHING RETURNING …; PostgreSQL and SQLite ≥ 3.35."""
    if not rows:
        return []
    qn = connection.ops.quote_name
    key_sql = ", ".join(qn(k) for k in ((key,) if isinstance(key, str) else key))
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    sql = (
        f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) VALUES "
        + ", ".join([placeholders] * len(rows))
        + f" ON CONFLICT ({key_sql}) DO NOTHING RETURNING {', '.join(qn(c) for c in returning)}"
    )
    params = [value for row in rows for value in row]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _dt(value):
    return connection.ops.adapt_datetimefield_value(value)


def _dec(value):
    return connection.ops.adapt_decimalfield_value(value, 12, 2)


# --- orders ----------------------------------------------------------------------------------


def orders_ingest(*, items: list[OrderInput | ItemRejected], actor=None) -> BatchResult:
    """Record paid orders and snapshot their commitments. Idempotent by external id."""
    result = BatchResult()
    valid: list[tuple[int, dict]] = []
    seen: set[str] = set()
    parsed: list[dict | None] = []
    for index, item in enumerate(items):
        if isinstance(item, ItemRejected):
            result.items.append(ItemResult(index, item.external_id, REJECTED, item.reason))
            parsed.append(None)
            continue
        data = dict(item)  # completed below (merchant, category, id); the caller's stays as it was
        if data["external_id"] in seen:
            result.items.append(ItemResult(index, data["external_id"], DUPLICATE, "repeated in this batch"))
            parsed.append(None)
            continue
        seen.add(data["external_id"])
        result.items.append(ItemResult(index, data["external_id"], ACCEPTED))
        parsed.append(data)
        valid.append((index, data))

    products = {
        p["pk"]: p
        for p in Product.objects.filter(pk__in={d["product_id"] for _, d in valid}).values(
            "pk", "merchant_id", "category_id", "brand_id"
        )
    }
    rows, row_index = [], {}
    now = timezone.now()
    for index, data in valid:
        product = products.get(data["product_id"])
        reason = ""
        if product is None:
            reason = "product_id: unknown product"
        elif data["merchant_id"] is not None and data["merchant_id"] != product["merchant_id"]:
            reason = "merchant_id: the product belongs to another merchant"
        if reason:
            result.items[index] = ItemResult(index, data["external_id"], REJECTED, reason)
            continue
        data["merchant_id"] = product["merchant_id"]
        data["category_id"] = product["category_id"]
        data["brand_id"] = product["brand_id"]
        row_index[data["external_id"]] = index
        rows.append(
            (
                _dt(now),
                _dt(now),
                data["external_id"],
                data["merchant_id"],
                data["product_id"],
                data["category_id"],
                data["brand_id"],
                data["shopper_ref"],
                data["quantity"],
                _dec(data["paid_amount"]),
                _dec(data["shipping_fee"]),
                data["province"],
                _dt(data["paid_at"]),
                data["agreed_install_date"].isoformat() if data["agreed_install_date"] else None,
                "",
            )
        )

    with transaction.atomic():
        inserted = _insert_returning(
            Order._meta.db_table,
            [
                "created_at",
                "updated_at",
                "external_id",
                "merchant_id",
                "product_id",
                "category_id",
                "brand_id",
                "shopper_ref",
                "quantity",
                "paid_amount",
                "shipping_fee",
                "province",
                "paid_at",
                "agreed_install_date",
                "carrier",
            ],
            rows,
            key="external_id",
            returning=["id", "external_id"],
        )
        new_orders = []
        for pk, external_id in inserted:
            index = row_index[external_id]
            result.items[index].id = pk
            data = parsed[index]
            data["id"] = pk
            new_orders.append(data)
        for external_id, index in row_index.items():
            if result.items[index].id is None:
                result.items[index] = ItemResult(index, external_id, DUPLICATE, "already received")
        commitments_snapshot(orders=new_orders, now=now)
        metrics_days_mark_many(
            days={(o["merchant_id"], local_date(o["paid_at"])) for o in new_orders}, now=now
        )
    return result


def commitments_snapshot(*, orders: list[dict], now=None) -> int:
    """At payment: one commitment per monitored tag the merchant held for the order's category.

    `orders` are dicts with id, merchant_id, category_id, paid_at, province, shipping_fee,
    agreed_install_date. Two queries for the whole batch, then one bulk insert.
    """
    if not orders:
        return 0
    now = now or timezone.now()
    holdings = defaultdict(list)
    min_paid = min(o["paid_at"] for o in orders)
    for h in TagHolding.objects.filter(
        Q(state=TagHolding.State.ACTIVE) | Q(ended_at__gt=min_paid),
        merchant_id__in={o["merchant_id"] for o in orders},
        category_id__in={o["category_id"] for o in orders},
        tag__monitored=True,
    ).values(
        "merchant_id",
        "category_id",
        "tag_id",
        "terms_version_id",
        "config",
        "state",
        "granted_at",
        "ended_at",
    ):
        holdings[(h["merchant_id"], h["category_id"])].append(h)
    versions = dict(
        TagTermsVersion.objects.filter(
            pk__in={h["terms_version_id"] for hs in holdings.values() for h in hs}
        ).values_list("pk", "terms")
    )
    commitments, immediate = [], []
    declarations = None
    for order in orders:
        for h in holdings.get((order["merchant_id"], order["category_id"]), ()):
            paid_at = order["paid_at"]
            if h["granted_at"] > paid_at or (h["ended_at"] is not None and h["ended_at"] <= paid_at):
                continue
            terms = versions.get(h["terms_version_id"]) or {}
            if terms.get("kind") in (None, "", "display_only"):
                continue
            c = Commitment(
                order_id=order["id"],
                merchant_id=order["merchant_id"],
                tag_id=h["tag_id"],
                terms_version_id=h["terms_version_id"],
                deadline=T.initial_deadline(
                    terms, paid_at=paid_at, agreed_install_date=order.get("agreed_install_date")
                ),
            )
            if declarations is None:
                declarations = active_declarations()
            exemption = exemption_decision(
                terms=terms, tag_id=h["tag_id"], province=order["province"], paid_at=paid_at,
                deadline=c.deadline, declarations=declarations, holding_config=h["config"] or {},
            )  # fmt: skip
            if exemption is not None:
                c.state = Commitment.State.EXEMPTED
                for name, value in exemption.reason.fields(Commitment, "exemption_reason").items():
                    setattr(c, name, value)
                c.force_majeure_id = exemption.force_majeure_id
                c.resolved_at = now
            elif terms.get("kind") == "free_shipping":
                decision = T.evaluate(
                    terms,
                    deadline=None,
                    facts=T.OrderFacts(
                        paid_at=paid_at, province=order["province"], shipping_fee=order["shipping_fee"]
                    ),
                )
                if decision.action == T.MET:
                    c.state = Commitment.State.MET
                    c.resolved_at = now
                else:
                    immediate.append((c, decision))
            commitments.append(c)
    Commitment.objects.bulk_create(commitments, batch_size=2000)
    if immediate:
        keyed = {(c.order_id, c.tag_id): d for c, d in immediate}
        ids = Commitment.objects.filter(
            order_id__in={c.order_id for c, _ in immediate}, state=Commitment.State.PENDING
        ).values_list("pk", "order_id", "tag_id")
        commitments_breach_many(
            items=[
                (pk, keyed[(o, t)].detail, keyed[(o, t)].severity, keyed[(o, t)].at)
                for pk, o, t in ids
                if (o, t) in keyed
            ],
            source=Breach.Source.EVENT,
            now=now,
        )
    return len(commitments)


# --- events ----------------------------------------------------------------------------------

_FACT_OF_KIND = {
    FulfilmentEvent.Kind.PICKUP_SCANNED: "first_pickup_at",
    FulfilmentEvent.Kind.DELIVERED: "delivered_at",
    FulfilmentEvent.Kind.INSTALLED: "installed_at",
    FulfilmentEvent.Kind.REFUND_REQUESTED: "refund_requested_at",
    FulfilmentEvent.Kind.REFUNDED: "refunded_at",
    FulfilmentEvent.Kind.RETURN_SIGNED: "return_signed_at",
    FulfilmentEvent.Kind.RETURN_FREIGHT_REIMBURSED: "return_freight_reimbursed_at",
    FulfilmentEvent.Kind.INVOICE_REQUESTED: "invoice_requested_at",
    FulfilmentEvent.Kind.INVOICE_ISSUED: "invoice_issued_at",
    FulfilmentEvent.Kind.CANCELLED: "cancelled_at",
    FulfilmentEvent.Kind.LOGISTICS_EXCEPTION: "logistics_exception_at",
}
# Folded into Order columns, first wins (the rules see them through T.OrderFacts too where they care).
_FOLDED_TIMES = (
    "first_pickup_at",
    "delivered_at",
    "cancelled_at",
    "logistics_exception_at",
    "refund_requested_at",
    "refunded_at",
)
_ORDER_FACT_NAMES = set(T.OrderFacts.__dataclass_fields__)
# Facts read from the first event's data rather than its time.
_DETAIL_KINDS = (FulfilmentEvent.Kind.RATED, FulfilmentEvent.Kind.REFUNDED)
_RATING_COLUMNS = {
    "product": "rating_product",
    "item_as_described": "rating_described",
    "service_attitude": "rating_attitude",
    "logistics": "rating_logistics",
}
_DETAIL_COLUMNS = (
    "refund_reason",
    "refund_staff_intervened",
    "rated_at",
    "rating_product",
    "rating_described",
    "rating_attitude",
    "rating_logistics",
)


_FOLDED_COLUMNS = (*_FOLDED_TIMES, "carrier", *_DETAIL_COLUMNS)
_FOLDED_CASTS = {
    **dict.fromkeys(_FOLDED_TIMES, "timestamptz"),
    "carrier": "varchar",
    "refund_reason": "varchar",
    "refund_staff_intervened": "boolean",
    "rated_at": "timestamptz",
    **dict.fromkeys(
        ("rating_product", "rating_described", "rating_attitude", "rating_logistics"), "smallint"
    ),
    "updated_at": "timestamptz",
}


def refund_reason_category(raw) -> str:
    """Upstream's reason as one of the categories; anything unknown (or missing) is `other`."""
    value = str(raw or "").strip().lower()
    return value if value in RefundReason.values else RefundReason.OTHER


def order_details_from_events(order_ids) -> dict[int, dict]:
    """Per order: the refund reason and rating of its first `refunded` / `rated` event, and whether any
    `refunded` event says staff intervened. One query over those orders' events."""
    details: dict[int, dict] = {}
    for order_id, kind, occurred_at, data in (
        FulfilmentEvent.objects.filter(order_id__in=list(order_ids), kind__in=list(_DETAIL_KINDS))
        .order_by("order_id", "occurred_at", "pk")
        .values_list("order_id", "kind", "occurred_at", "data")
    ):
        d = details.setdefault(order_id, {})
        data = data if isinstance(data, dict) else {}
        if kind == FulfilmentEvent.Kind.REFUNDED:
            d.setdefault("refund_reason", refund_reason_category(data.get("reason")))
            if data.get("staff_intervened") is True:
                d["refund_staff_intervened"] = True
        elif "rated_at" not in d:
            d["rated_at"] = occurred_at
            for key, column in _RATING_COLUMNS.items():
                d[column] = data.get(key)
    return details


def events_ingest(*, items: list[EventInput | ItemRejected], actor=None) -> BatchResult:
    """Record fulfilment events, fold their facts into orders and decide the affected commitments."""
    result = BatchResult()
    valid: list[tuple[int, dict]] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        if isinstance(item, ItemRejected):
            result.items.append(ItemResult(index, item.external_id, REJECTED, item.reason))
            continue
        event = dict(item)  # completed below (order id)
        if event["external_id"] in seen:
            result.items.append(ItemResult(index, event["external_id"], DUPLICATE, "repeated in this batch"))
            continue
        seen.add(event["external_id"])
        result.items.append(ItemResult(index, event["external_id"], ACCEPTED))
        valid.append((index, event))

    orders = {
        o["external_id"]: o
        for o in Order.objects.filter(external_id__in={e["order_external_id"] for _, e in valid}).values(
            "pk", "external_id", "paid_at"
        )
    }
    rows, row_index, events_by_id = [], {}, {}
    now = timezone.now()
    for index, event in valid:
        order = orders.get(event["order_external_id"])
        if order is None:
            result.items[index] = ItemResult(
                index, event["external_id"], REJECTED, "order_external_id: unknown order"
            )
            continue
        event["order_id"] = order["pk"]
        row_index[event["external_id"]] = index
        events_by_id[event["external_id"]] = event
        rows.append(
            (
                event["external_id"],
                order["pk"],
                event["kind"],
                _dt(event["occurred_at"]),
                _dt(now),
                json.dumps(event["data"], ensure_ascii=False),
            )
        )

    with transaction.atomic():
        inserted = _insert_returning(
            FulfilmentEvent._meta.db_table,
            ["external_id", "order_id", "kind", "occurred_at", "received_at", "data"],
            rows,
            key="external_id",
            returning=["id", "external_id"],
        )
        new_events = []
        for pk, external_id in inserted:
            result.items[row_index[external_id]].id = pk
            new_events.append(events_by_id[external_id])
        for external_id, index in row_index.items():
            if result.items[index].id is None:
                result.items[index] = ItemResult(index, external_id, DUPLICATE, "already received")
        events_apply(events=new_events, now=now)
    return result


def events_apply(*, events: list[dict], now=None) -> None:
    """Fold new events into their orders and decide the orders' open commitments (set-based)."""
    if not events:
        return
    now = now or timezone.now()
    metrics_days_mark(order_ids={e["order_id"] for e in events}, now=now)
    relevant = [e for e in events if e["kind"] in _FACT_OF_KIND or e["kind"] in _DETAIL_KINDS]
    if not relevant:
        return
    order_ids = {e["order_id"] for e in relevant}
    # First occurrence of each fact, over everything received so far (so arrival order never matters).
    firsts: dict[int, dict[str, datetime]] = defaultdict(dict)
    for order_id, kind, first in (
        FulfilmentEvent.objects.filter(order_id__in=order_ids, kind__in=list(_FACT_OF_KIND))
        .values("order_id", "kind")
        .annotate(first=Min("occurred_at"))
        .values_list("order_id", "kind", "first")
    ):
        firsts[order_id][_FACT_OF_KIND[kind]] = first
    orders = {
        o.pk: o
        for o in Order.objects.filter(pk__in=order_ids).only(
            "pk",
            "paid_at",
            "province",
            "shipping_fee",
            "agreed_install_date",
            "carrier",
            "shopper_ref",
            "merchant_id",
            *_FOLDED_TIMES,
            *_DETAIL_COLUMNS,
        )
    }
    details = order_details_from_events({e["order_id"] for e in relevant if e["kind"] in _DETAIL_KINDS})
    carrier_of = {}
    for e in relevant:
        if e["kind"] == FulfilmentEvent.Kind.PICKUP_SCANNED and e["occurred_at"] == firsts[e["order_id"]].get(
            "first_pickup_at"
        ):
            carrier_of[e["order_id"]] = str(e["data"].get("carrier", ""))[:20]

    changed, rating_months = [], []
    for pk, order in orders.items():
        facts = firsts[pk]
        dirty = False
        rated_before = (order.rated_at, *(getattr(order, c) for c in _RATING_COLUMNS.values()))
        for name in _FOLDED_TIMES:
            if facts.get(name) is not None and getattr(order, name) != facts[name]:
                setattr(order, name, facts[name])
                dirty = True
        if pk in carrier_of and order.carrier != carrier_of[pk]:
            order.carrier = carrier_of[pk]
            dirty = True
        for name, value in details.get(pk, {}).items():
            if getattr(order, name) != value:
                setattr(order, name, value)
                dirty = True
        if dirty:
            changed.append((pk, *(getattr(order, name) for name in _FOLDED_COLUMNS), now))
        if rated_before != (order.rated_at, *(getattr(order, c) for c in _RATING_COLUMNS.values())):
            # Its month's ratings by this shopper (and those of the month it left) are ranked again.
            rating_months.append((pk, order.merchant_id, order.shopper_ref, rated_before[0], order.rated_at))
    _bulk_set(Order, [*_FOLDED_COLUMNS, "updated_at"], changed, casts=_FOLDED_CASTS)
    dsr_ranks_update(ratings=rating_months, now=now)

    # A late fulfilment after the sweep already breached the commitment may raise its severity.
    installed_orders = {e["order_id"] for e in relevant if e["kind"] == FulfilmentEvent.Kind.INSTALLED}
    if installed_orders:
        breaches_escalate_on_facts(order_ids=installed_orders)

    open_commitments = list(
        Commitment.objects.filter(order_id__in=order_ids, state=Commitment.State.PENDING).values_list(
            "pk", "order_id", "tag_id", "terms_version_id", "deadline"
        )
    )
    if not open_commitments:
        return
    terms_of = dict(
        TagTermsVersion.objects.filter(pk__in={c[3] for c in open_commitments}).values_list("pk", "terms")
    )
    declarations = None
    met, breach, new_deadlines = [], [], []
    exempt: dict[tuple[str, int | None], list[int]] = defaultdict(list)
    for pk, order_id, tag_id, version_id, deadline in open_commitments:
        order = orders[order_id]
        f = firsts[order_id]
        facts = T.OrderFacts(
            paid_at=order.paid_at,
            province=order.province,
            shipping_fee=order.shipping_fee,
            agreed_install_date=order.agreed_install_date,
            cancelled_at=order.cancelled_at,
            first_pickup_at=order.first_pickup_at,
            carrier=order.carrier,
            delivered_at=order.delivered_at,
            **{
                k: v
                for k, v in f.items()
                if k in _ORDER_FACT_NAMES and k not in ("first_pickup_at", "delivered_at", "cancelled_at")
            },
        )
        decision = T.evaluate(terms_of.get(version_id) or {}, deadline=deadline, facts=facts)
        if decision is None:
            continue
        if decision.action == T.DEADLINE:
            new_deadlines.append((pk, decision.deadline, now))
        elif decision.action == T.MET:
            met.append(pk)
        elif decision.action == T.EXEMPTED:
            exempt[(decision.detail, None)].append(pk)
        elif decision.action == T.BREACHED:
            if declarations is None:
                declarations = active_declarations()
            exemption = exemption_decision(
                terms=terms_of.get(version_id) or {}, tag_id=tag_id, province=order.province,
                paid_at=order.paid_at, deadline=deadline, declarations=declarations,
                cancelled_at=order.cancelled_at, breached_at=decision.at,
            )  # fmt: skip
            if exemption is not None:
                exempt[(exemption.reason, exemption.force_majeure_id)].append(pk)
            else:
                breach.append((pk, decision.detail, decision.severity, decision.at))
    _bulk_set(
        Commitment,
        ["deadline", "updated_at"],
        new_deadlines,
        casts={"deadline": "timestamptz", "updated_at": "timestamptz"},
    )
    if met:
        commitments_move(
            ids=met,
            to=Commitment.State.MET,
            from_states=(Commitment.State.PENDING,),
            now=now,
            resolved_at=now,
        )
    for (reason, fm_id), ids in exempt.items():
        commitments_exempt_many(ids=ids, reason=reason, now=now, force_majeure_id=fm_id)
    commitments_breach_many(items=breach, source=Breach.Source.EVENT, now=now)
