"""Demo data for commitments: orders and fulfilment events over the last 120 days, fed through the
same services as the integration API (`orders_ingest`, `events_ingest`, then the deadline sweep).

Each merchant gets a quality profile (good / average / poor) that sets how often it ships late,
never ships, or has late installations and invoices. Some events are sent twice and batches are
shuffled, so duplicates and out-of-order arrival happen as they do upstream. Breaches found are
compensated through `breach_compensate` (vouchers + deposit recovery) up to `COMPENSATE_LIMIT`; the
rest is left to the `commitments.compensate_backlog` job, as a worker would pay them. Then the most
recent breaches of the first merchant get appeals, and one force-majeure declaration is made.

`--orders 1000000` works: orders and events are planned in chunks and fed to the services in
batches of 1,000 (their multi-row INSERT … ON CONFLICT), with a progress bar. There is no second
write path: every fact is folded in and every commitment decided by the code the integration API runs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, DateTimeField, ExpressionWrapper, F, OuterRef, Subquery
from django.utils import timezone
from tqdm import tqdm

from core.regions import PROVINCES
from merchants.demo import flagship_ids, ledger_redate, named_store_ids
from merchants.models import DepositEntry, Merchant, Product
from tags.models import BrandWarrantyService, Tag, TagHolding, TagTermsVersion

from . import terms as T
from .models import BrandRepairKey, Breach, Commitment, Order, RepairTicket, Voucher
from .selectors import commitment_settings
from .services import (
    brand_key_hash,
    breach_appeal_decide,
    breach_appeal_submit,
    breaches_compensate,
    commitments_sweep,
    compensation_deferred,
    events_ingest,
    force_majeure_declare,
    orders_ingest,
    repair_ticket_accept,
    repair_ticket_complete,
    repair_ticket_create,
    repair_ticket_send,
    repair_tickets_flag_late,
    vouchers_expire,
)
from .services.payments import VOUCHER_SOURCE
from .services.repairs import WARRANTY_TAG

BATCH = 1000
REPAIR_FAULTS = [
    "不制冷，压缩机不启动",
    "洗衣机脱水时异响",
    "烟机吸力明显变弱",
    "热水器显示E1故障码",
    "空调外机漏水",
]
CHUNK = 10000  # orders planned at a time (bounded memory for --orders 1000000)
DAYS = 120
COMPENSATE_LIMIT = 6000


# quality: share of merchants, and per order: late pickup, never shipped, late install, late invoice,
# logistics exception, refund after delivery, staff intervening in a refund, after-sales hours (range).
@dataclass(frozen=True)
class Profile:
    share: float
    late: float
    never: float
    late_install: float
    late_invoice: float
    logistics_exception: float
    refund: float
    dispute: float
    handling_hours: tuple[float, float]
    stars: tuple[int, int, int, int, int]  # weights of 1★ … 5★: most ratings are 5, a few low


PROFILES = {
    "good": Profile(0.65, 0.015, 0.003, 0.03, 0.02, 0.006, 0.03, 0.002, (1, 16), (1, 1, 2, 10, 86)),
    "average": Profile(0.25, 0.05, 0.01, 0.10, 0.08, 0.02, 0.05, 0.01, (4, 40), (2, 2, 4, 14, 78)),
    "poor": Profile(0.10, 0.16, 0.035, 0.25, 0.25, 0.06, 0.10, 0.04, (12, 96), (9, 6, 10, 18, 57)),
}
# Refunds after delivery by reason category (quality and not-as-described feed the quality refund rate).
REFUND_REASONS = [
    ("quality", 30),
    ("not_as_described", 15),
    ("logistics", 10),
    ("changed_mind", 35),
    ("other", 10),
]
LOGISTICS_EXCEPTIONS = [
    "包裹滞留中转站超过48小时",
    "外包装破损",
    "包裹丢失，承运商已登记",
    "派送失败退回网点",
]
# Orders per merchant over the 120 days, on average, when --orders is not given (demo command).
ORDERS_PER_MERCHANT = 120
# How busy a shop is relative to the crowd: the flagship of each category and the other named stores
# are large official shops; 5 % of the crowd are quiet shops (too few orders for a score total).
FLAGSHIP_ACTIVITY, NAMED_ACTIVITY, QUIET_SHARE = 14.0, 5.0, 0.05
# Where orders go (busy coastal provinces weigh more; remote ones appear now and then).
PROVINCE_WEIGHTS = dict.fromkeys(PROVINCES, 1) | {
    "440000": 9, "310000": 7, "330000": 7, "320000": 7, "110000": 6, "370000": 5, "510000": 4, "350000": 4,
    "420000": 3, "410000": 3,
}  # fmt: skip
T_PICKUP_KINDS = ("pickup_by_cutoff", "pickup_within_hours")
CARRIERS = ["SF", "SF", "SF", "JD", "YTO", "ZTO", "STO", "EMS"]


def _profile_of(rng: random.Random, merchant_ids: list[int]) -> dict[int, str]:
    names = list(PROFILES)
    weights = [PROFILES[name].share for name in names]
    profiles = {mid: rng.choices(names, weights)[0] for mid in merchant_ids}
    return profiles


@dataclass(frozen=True)
class Shop:
    """How many orders a shop gets and since when it sells (a shop opened last week has last week's)."""

    activity: float
    open_days: float


def _shops(rng: random.Random, shop_ids: list[int], *, now: datetime) -> dict[int, Shop]:
    opened = dict(Merchant.objects.filter(pk__in=shop_ids).values_list("pk", "created_at"))
    named = set(named_store_ids(shop_ids))
    flagships = set(flagship_ids(shop_ids).values())
    out = {}
    for mid in shop_ids:
        if mid in flagships:
            weight = FLAGSHIP_ACTIVITY
        elif mid in named:
            weight = NAMED_ACTIVITY
        elif rng.random() < QUIET_SHARE:
            weight = rng.uniform(0.04, 0.15)
        else:
            weight = rng.lognormvariate(0, 0.35)
        # The first sale comes a day after the shop opened (its deposit paid, products listed).
        days = (now - opened.get(mid, now - timedelta(days=DAYS))).total_seconds() / 86400 - 1
        open_days = max(0.0, min(float(DAYS), days))
        out[mid] = Shop(activity=weight * open_days / DAYS, open_days=open_days)
    return out


def _hours(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(hours=rng.uniform(low, high))


def _held(holdings, product, paid_at) -> list[dict]:
    return [
        h
        for h in holdings.get((product["merchant_id"], product["category_id"]), ())
        if h["granted_at"] <= paid_at and (h["ended_at"] is None or h["ended_at"] > paid_at)
    ]


def _stars(rng: random.Random, profile: Profile, around: int | None = None) -> int:
    if around is not None and rng.random() < 0.8:
        return around  # one shopper rates the items of one order alike, mostly
    return rng.choices((1, 2, 3, 4, 5), profile.stars)[0]


def _plan_order(
    rng, n, product, profile, *, now, shop, provinces, weights, holdings
) -> tuple[dict, list[dict]]:
    """One order and its events, timed against the promises the shop made (mostly kept)."""
    p = PROFILES[profile]
    late, never, late_install, late_invoice = p.late, p.never, p.late_install, p.late_invoice
    # More recent orders are more frequent (a growing shop); never before the shop opened.
    age = timedelta(days=shop.open_days * (rng.random() ** 1.3))
    paid_at = now - age
    quantity = 1 if rng.random() < 0.9 else 2
    price = Decimal(product["price"]) * quantity
    discount = Decimal(rng.choice([0, 0, 0, 5, 10, 20, 50]))
    province = rng.choices(provinces, weights)[0]
    is_large = product["category"] == "large_appliances"
    held = _held(holdings, product, paid_at)
    kinds = {h["terms"].get("kind"): h for h in held}
    free_shipping = "free_shipping" in kinds
    if free_shipping:
        fee = "0" if rng.random() > late / 6 else str(rng.choice([6, 8, 10]))
    else:
        fee = "0" if rng.random() < 0.6 else str(rng.choice([6, 8, 10, 12]))
    order = {
        "external_id": f"DM{n:09d}",
        "product_id": product["pk"],
        "merchant_id": product["merchant_id"],
        "shopper_ref": f"shopper-{rng.randrange(200000):06d}",
        "quantity": quantity,
        "paid_amount": str(max(price - discount, Decimal("1.00"))),
        "shipping_fee": fee,
        "province": province,
        "paid_at": paid_at.isoformat(),
    }
    if is_large and rng.random() < 0.35:
        order["agreed_install_date"] = (paid_at + timedelta(days=rng.randint(4, 9))).date().isoformat()
    pickup_deadlines = [
        T.initial_deadline(h["terms"], paid_at=paid_at) for k, h in kinds.items() if k in T_PICKUP_KINDS
    ]
    pickup_deadline = min(pickup_deadlines) if pickup_deadlines else paid_at + timedelta(hours=40)
    next_day = (
        T.initial_deadline(kinds["signed_by_next_day"]["terms"], paid_at=paid_at)
        if "signed_by_next_day" in kinds
        else None
    )
    if next_day is not None:
        pickup_deadline = min(pickup_deadline, paid_at + (next_day - paid_at) / 3)

    events: list[tuple[str, datetime, dict]] = []
    if rng.random() < 0.02:  # cancelled before dispatch
        events.append(("cancelled", paid_at + _hours(rng, 0.2, 6), {"reason": "changed mind"}))
    elif rng.random() >= never:
        if rng.random() < late:
            pickup = pickup_deadline + _hours(rng, 0.5, 30)
        else:
            pickup = paid_at + (pickup_deadline - paid_at) * rng.uniform(0.1, 0.9)
        carrier = "SF" if "sf_carrier" in kinds and rng.random() > late / 3 else rng.choice(CARRIERS)
        events.append(
            (
                "pickup_scanned",
                pickup,
                {"carrier": carrier, "tracking_no": f"{carrier}{rng.randrange(10**12)}"},
            )
        )
        if next_day is not None and next_day > pickup and rng.random() > late:
            delivered = pickup + (next_day - pickup) * rng.uniform(0.3, 0.95)
        else:
            delivered = pickup + _hours(rng, 10, 70)
        events.append(("delivered", delivered, {"to_door": rng.random() < 0.9}))
        if is_large:
            if "agreed_install_date" in order:
                install_by = T.end_of_local_day(datetime.fromisoformat(order["agreed_install_date"]).date())
            else:
                install_by = delivered + timedelta(days=5)
            if install_by < delivered or rng.random() < late_install:
                installed = max(install_by, delivered) + _hours(rng, 2, 400)
            else:
                installed = delivered + (install_by - delivered) * rng.uniform(0.05, 0.9)
            events.append(("installed", installed, {}))
        if rng.random() < p.logistics_exception:
            events.append(
                (
                    "logistics_exception",
                    pickup + (delivered - pickup) * rng.uniform(0.2, 0.8),
                    {"what": rng.choice(LOGISTICS_EXCEPTIONS)},
                )
            )
        if rng.random() < 0.45:
            stars = _stars(rng, p)
            events.append(
                (
                    "rated",
                    delivered + _hours(rng, 5, 200),
                    {
                        "item_as_described": _stars(rng, p, stars),
                        "service_attitude": _stars(rng, p, stars),
                        "logistics": _stars(rng, p, stars),
                        "product": stars,
                    },
                )
            )
        if rng.random() < p.refund:
            requested = delivered + _hours(rng, 12, 240)
            reason = rng.choices(*zip(*REFUND_REASONS, strict=True))[0]
            events.append(("refund_requested", requested, {"reason": reason}))
            refunded = requested + _hours(rng, *p.handling_hours)
            intervened = rng.random() < p.dispute
            events.append(("refunded", refunded, {"reason": reason, "staff_intervened": intervened}))
        if rng.random() < 0.03:
            signed = delivered + _hours(rng, 48, 240)
            events.append(("return_signed", signed, {"freight": str(rng.choice([12, 15, 20, 30]))}))
            events.append(
                (
                    "return_freight_reimbursed",
                    signed + (_hours(rng, 73, 120) if rng.random() < late else _hours(rng, 2, 60)),
                    {},
                )
            )
    if rng.random() < 0.1:
        requested = paid_at + _hours(rng, 1, 72)
        events.append(("invoice_requested", requested, {}))
        issued_after = _hours(rng, 130, 300) if rng.random() < late_invoice else _hours(rng, 1, 30)
        events.append(("invoice_issued", requested + issued_after, {}))
    if rng.random() < 0.015 and not any(e[0] in ("pickup_scanned", "cancelled") for e in events):
        requested = paid_at + _hours(rng, 0.5, 10)
        events.append(("refund_requested", requested, {"reason": "changed_mind"}))
        refunded = requested + (_hours(rng, 1.2, 5) if rng.random() < late else _hours(rng, 0.05, 0.9))
        events.append(("refunded", refunded, {"reason": "changed_mind", "staff_intervened": False}))
    payloads = []
    for i, (kind, at, data) in enumerate(events):
        if at >= now:
            continue  # has not happened yet
        payloads.append(
            {
                "external_id": f"{order['external_id']}-E{i}",
                "order_external_id": order["external_id"],
                "kind": kind,
                "occurred_at": at.isoformat(),
                "data": data,
            }
        )
    return order, payloads


def _order_input(order: dict) -> dict:
    """A planned order typed as orders_ingest takes it (the demo's own data, correct by construction)."""
    install = order.get("agreed_install_date")
    return {
        **order,
        "paid_amount": Decimal(order["paid_amount"]),
        "shipping_fee": Decimal(order["shipping_fee"]),
        "paid_at": datetime.fromisoformat(order["paid_at"]),
        "agreed_install_date": date.fromisoformat(install) if install else None,
    }


def _event_input(event: dict) -> dict:
    """A planned event typed as events_ingest takes it."""
    return {**event, "occurred_at": datetime.fromisoformat(event["occurred_at"])}


def _feed(service, items: list[dict], bar) -> dict[str, int]:
    counts = {"accepted": 0, "duplicate": 0, "rejected": 0}
    for start in range(0, len(items), BATCH):
        result = service(items=items[start : start + BATCH])
        for key, value in result.counts().items():
            counts[key] += value
        if bar is not None:
            bar.update(min(BATCH, len(items) - start))
    return counts


def _holdings(merchant_ids: list[int]) -> dict[tuple[int, int], list[dict]]:
    rows = list(
        TagHolding.objects.filter(merchant_id__in=merchant_ids, tag__monitored=True).values(
            "merchant_id",
            "category_id",
            "tag_id",
            "terms_version_id",
            "config",
            "granted_at",
            "ended_at",
            "state",
        )
    )
    terms = dict(
        TagTermsVersion.objects.filter(pk__in={r["terms_version_id"] for r in rows}).values_list(
            "pk", "terms"
        )
    )
    out: dict[tuple[int, int], list[dict]] = {}
    for r in rows:
        if r["state"] != TagHolding.State.ACTIVE and r["ended_at"] is None:
            continue
        r["terms"] = terms.get(r["terms_version_id"]) or {}
        if r["terms"].get("kind") in (None, "", "display_only"):
            continue
        out.setdefault((r["merchant_id"], r["category_id"]), []).append(r)
    return out


def generate(*, rng: random.Random, merchant_ids: list[int], now: datetime, stdout, scale: dict) -> dict:
    total = int(scale.get("orders") or ORDERS_PER_MERCHANT * len(merchant_ids))
    products = list(
        Product.objects.filter(merchant_id__in=merchant_ids).values(
            "pk", "merchant_id", "price", "category_id", "brand_id", "category__code"
        )
    )
    for p in products:
        p["category"] = p.pop("category__code")
    if not products or total <= 0:
        stdout.write("commitments: no products (the merchants demo makes them); no orders")
        return {"orders": 0}
    profiles = _profile_of(rng, merchant_ids)
    # The official stores serve well: the flagships stay in good standing (each can apply for a new
    # tag) and the failures the evaluation demo scripts for the others (a rectification that passes,
    # a bar) are theirs alone, not a random bad month on top.
    for mid in named_store_ids(merchant_ids):
        profiles[mid] = "good"
    holdings = _holdings(merchant_ids)
    by_merchant: dict[int, list[dict]] = {}
    for p in products:
        by_merchant.setdefault(p["merchant_id"], []).append(p)
    shop_of = _shops(rng, sorted(by_merchant), now=now)
    shops = [mid for mid in sorted(by_merchant) if shop_of[mid].activity > 0]
    activity = [shop_of[mid].activity for mid in shops]
    provinces, weights = zip(*PROVINCE_WEIGHTS.items(), strict=True)

    figures = {"orders": 0, "events": 0, "duplicates_sent": 0}
    disable = total < 5000
    with (
        compensation_deferred(),
        tqdm(total=total, desc="orders", unit="order", file=stdout, disable=disable) as order_bar,
    ):
        for chunk_start in range(0, total, CHUNK):
            n_chunk = min(CHUNK, total - chunk_start)
            chosen = rng.choices(shops, activity, k=n_chunk)
            orders, events = [], []
            for offset, mid in enumerate(chosen):
                order, order_events = _plan_order(
                    rng, chunk_start + offset, rng.choice(by_merchant[mid]), profiles[mid],
                    now=now, shop=shop_of[mid], provinces=provinces, weights=weights, holdings=holdings,
                )  # fmt: skip
                orders.append(order)
                events.extend(order_events)
            # Upstream resends some events and delivers batches in no particular order.
            resent = rng.sample(events, k=len(events) // 50) if events else []
            events.extend(resent)
            events.sort(key=lambda e: e["occurred_at"])
            for start in range(0, len(events), BATCH // 2):
                window = events[start : start + BATCH // 2]
                rng.shuffle(window)
                events[start : start + BATCH // 2] = window
            _feed(orders_ingest, [_order_input(o) for o in orders], order_bar)
            counts = _feed(events_ingest, [_event_input(e) for e in events], None)
            figures["events"] += counts["accepted"]
            figures["duplicates_sent"] += counts["duplicate"]
            figures["orders"] += len(orders)
        run = commitments_sweep(now=now)

    # The sweep ran once "now"; date each of its breaches when the 5-minute sweep would have found it.
    found_at = (
        Commitment.objects.filter(pk=OuterRef("commitment_id"))
        .annotate(at=ExpressionWrapper(F("deadline") + timedelta(minutes=20), output_field=DateTimeField()))
        .values("at")[:1]
    )
    Breach.objects.filter(source=Breach.Source.SWEEP, detected_at=now).update(detected_at=Subquery(found_at))
    declared = _force_majeure(now=now)

    breach_ids = list(
        Breach.objects.filter(commitment__state=Commitment.State.BREACHED)
        .order_by("-detected_at")
        .values_list("pk", flat=True)[:COMPENSATE_LIMIT]
    )
    paid = breaches_compensate(breach_ids=breach_ids)
    _age_vouchers(rng, now=now)
    expired = vouchers_expire(now=now)
    appeals = _appeals(merchant_ids[:10], now=now)
    repairs, brand_logins = _repair_tickets(rng, merchant_ids, now=now)

    states = dict(Commitment.objects.values_list("state").annotate(n=Count("pk")))
    figures.update(
        {
            "commitments": sum(states.values()),
            **{f"commitments_{k}": v for k, v in sorted(states.items())},
            "breaches": Breach.objects.count(),
            "sweep_breached": run.breached,
            "vouchers_expired": expired,
            "vouchers_paid": paid["paid"],
            **{f"compensation_{k}": v for k, v in paid.items() if k != "paid" and v},
            "left_to_backlog_job": Breach.objects.filter(commitment__state="breached").count(),
            "appeals": appeals,
            "force_majeure_exempted": declared,
            "repair_tickets": repairs,
            "logins": brand_logins,
        }
    )
    return figures


# (hours before now the ticket was sent, hours to accept or None, days to complete or None)
REPAIR_PLAN = [
    (2, None, None),  # waiting for the brand, 22 h left
    (5, None, None),
    (30, None, None),  # never accepted: the late job flags it
    (5 * 24, 3, None),  # in repair
    (9 * 24, 20, None),
    (20 * 24, 5, 7),  # repaired in a week
    (26 * 24, 2, 12),
    (45 * 24, 4, None),  # accepted, not repaired within the service's days: flagged late
]


def _repair_tickets(rng: random.Random, merchant_ids: list[int], *, now: datetime) -> tuple[int, list]:
    """Repair tickets under the API-integrated brand services, at the times they claim, and the
    brand's API key (printed with the logins). The late job runs last, as the beat would have."""
    services = list(
        BrandWarrantyService.objects.filter(state="approved", integration_mode="api")
        .select_related("brand")
        .order_by("pk")[:2]
    )
    logins, made = [], 0
    for service in services:
        orders = list(
            Order.objects.filter(
                merchant_id__in=merchant_ids,
                brand=service.brand,
                commitments__tag__code=WARRANTY_TAG,
                paid_at__lt=now - timedelta(days=50),
            )
            .order_by("-paid_at")
            .values_list("external_id", flat=True)[: len(REPAIR_PLAN)]
        )
        for n, (order_ref, (sent_hours, accept_hours, repair_days)) in enumerate(
            zip(orders, REPAIR_PLAN, strict=False)
        ):
            sent = now - timedelta(hours=sent_hours)
            ticket, _ = repair_ticket_create(
                external_id=f"RT{service.pk:03d}{n + 1:04d}",
                order_external_id=order_ref,
                fault=rng.choice(REPAIR_FAULTS),
            )
            RepairTicket.objects.filter(pk=ticket.pk).update(created_at=sent - timedelta(minutes=3))
            repair_ticket_send(ticket_id=ticket.pk, now=sent)
            if accept_hours is not None:
                outlet = service.outlets.order_by("pk").values_list("pk", flat=True)[n % 5]
                accepted = sent + timedelta(hours=accept_hours)
                repair_ticket_accept(ticket_id=ticket.pk, service=service, outlet_id=outlet, now=accepted)
                if repair_days is not None:
                    repair_ticket_complete(
                        ticket_id=ticket.pk, service=service, now=accepted + timedelta(days=repair_days)
                    )
            made += 1
        key = f"{rng.getrandbits(160):040x}"
        BrandRepairKey.objects.update_or_create(
            service=service, defaults={"key_hash": brand_key_hash(key), "prefix": key[:8]}
        )
        logins.append(
            (f"brand:{service.brand.name_en or service.brand.name_zh}", "-", "brand API",
             f"repair tickets, header  Authorization: Brand {key}")
        )  # fmt: skip
    repair_tickets_flag_late(now=now)
    return made, logins


def _age_vouchers(rng: random.Random, *, now: datetime) -> None:
    """Vouchers were issued when their breach was found; many were redeemed since."""
    rows = list(Voucher.objects.filter(breach__isnull=False).values_list("pk", "breach__detected_at"))
    validity = commitment_settings().voucher_validity
    updates = []
    for pk, detected in rows:
        issued = min(detected + timedelta(minutes=rng.randint(1, 30)), now)
        voucher = Voucher(pk=pk, created_at=issued, valid_until=issued + validity)
        redeem_at = issued + validity * rng.uniform(0.5 / 30, 25 / 30)  # within its validity
        if rng.random() < 0.45 and redeem_at < now:
            voucher.state, voucher.redeemed_at = Voucher.State.REDEEMED, redeem_at
        else:
            voucher.state, voucher.redeemed_at = Voucher.State.ISSUED, None
        updates.append(voucher)
    Voucher.objects.bulk_update(
        updates, ["created_at", "valid_until", "state", "redeemed_at"], batch_size=1000
    )
    # The deposit recovery of each voucher was posted with it.
    issued_at = {str(v.pk): v.created_at for v in updates}
    ledger_redate(
        {
            pk: issued_at[source_id] + timedelta(seconds=5)
            for pk, source_id in DepositEntry.objects.filter(
                source_type=VOUCHER_SOURCE, source_id__in=list(issued_at)
            ).values_list("pk", "source_id")
        }
    )


def _appeals(merchant_ids: list[int], *, now: datetime) -> int:
    """The first login shop with recent breaches appeals three; one is upheld, one rejected, one waits."""
    made = 0
    # Breaches still inside the appeal window, with an hour to spare.
    window = commitment_settings().appeal_window - timedelta(hours=1)
    for merchant_id in merchant_ids:
        if made:
            break
        recent = list(
            Breach.objects.filter(merchant_id=merchant_id, detected_at__gte=max(now, timezone.now()) - window)
            .select_related("merchant")
            .order_by("-detected_at")[:3]
        )
        for i, breach in enumerate(recent):
            appeal = breach_appeal_submit(
                breach_id=breach.pk,
                merchant=breach.merchant,
                text=[
                    "承运商系统故障，揽收扫描延迟上传（附承运商说明）。",
                    "顾客要求延期发货（附聊天记录）。",
                    "仓库盘点导致延迟。",
                ][i],
                files=[],
            )
            made += 1
            if i == 0:
                breach_appeal_decide(
                    appeal_id=appeal.pk, uphold=True, note="承运商故障已核实 / carrier outage confirmed"
                )
            elif i == 1:
                breach_appeal_decide(appeal_id=appeal.pk, uphold=False, note="证据不足 / not enough evidence")
    return made


def _force_majeure(*, now: datetime) -> int:
    dispatch = list(
        Tag.objects.filter(
            code__in=["ship_same_day", "ship_24h", "ship_48h", "next_day_delivery"]
        ).values_list("pk", flat=True)
    )
    if not dispatch:
        return 0
    declaration = force_majeure_declare(
        provinces=["440000", "350000", "460000"],
        starts_at=now - timedelta(days=40),
        ends_at=now - timedelta(days=37),
        tag_ids=dispatch,
        reason="台风“海葵”登陆，华南物流停运",
    )
    return declaration.exempted_count
