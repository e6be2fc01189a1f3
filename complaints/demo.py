"""Demo data for the desk: complaints in every state (some overdue, some urgent, some upheld against
third parties), appeals, and help requests across scenarios, on the orders the commitments demo made.

Called by `python manage.py demo` after the commitments demo. The first (named) merchants get a
showcase set written through the desk's own services, so vouchers, deposit entries, recovery claims,
breaches and the timeline are exactly what production would leave. The bulk of complaints and help
requests for every other merchant are planned in memory and written with bulk inserts.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count

from commitments.models import Commitment, Order
from core.audit import SYSTEM
from core.calendar import local_date
from core.models import AuditEvent
from merchants.models import Membership

from .models import Complaint, HelpRequest, ServiceStandard
from .services import (
    complaint_accept,
    complaint_appeal_decide,
    complaint_appeal_file,
    complaint_decide,
    complaint_file,
    complaint_merchant_respond,
    complaint_start_review,
    complaint_withdraw,
    complaints_escalate_overdue,
)
from .services.workflow import complaint_due

BATCH = 2000
SHOWCASE_MERCHANTS = 3

CARRIERS = ["顺丰速运", "中通快递", "圆通速递", "京东物流", "德邦快递", "韵达快递"]
BRAND_SERVICES = ["海尔服务（授权网点）", "美的售后服务中心", "格力授权安装服务商", "小米之家售后"]

TEXTS = {
    "logistics": [
        "说好送货上门，结果放在驿站让我自己去搬，冰箱一百多斤。",
        "物流三天没有更新，客服一直说在路上。",
        "外箱破损严重，签收时快递员不让验货。",
    ],
    "appearance_consistency": [
        "收到的颜色和详情页不一样，页面是星空灰，实物是银色。",
        "详情页写一级能效，实物标签是三级。",
    ],
    "installation": [
        "约好周六上门安装，师傅没来也没打电话。",
        "安装师傅额外收了120元材料费，页面写免费安装。",
    ],
    "quality": ["用了一周洗衣机脱水时剧烈抖动，有异响。", "开机十分钟就自动断电，换了插座也一样。"],
    "return_exchange": ["七天无理由退货，商家说已拆封不给退。", "质量问题申请换货，商家一直不处理。"],
    "repair": ["全国联保，报修五天了没人上门。", "网点说要寄回厂家，维修已经超过一个月。"],
    "personal_injury": ["电热水壶把手断裂，开水烫伤手背，已就医。", "充电宝充电时鼓包冒烟，烫伤了孩子的手。"],
    "invoice": ["申请开票一周了还没开。", "要求开增值税专票，商家要加收6%税点。"],
}
RESPONSES = [
    "已联系物流公司核实，今天安排师傅补送上门，附签收凭证。",
    "商品出库前已质检，附出库照片与质检报告；已为顾客安排换新。",
    "顾客下单时备注不要安装，附聊天记录截图。",
    "发票已于次日开具并发送至顾客邮箱，附开票记录。",
]
REASONS_UPHELD = [
    "商家未按承诺送货上门，消费者提供的驿站照片属实。",
    "实物与详情页描述不一致，商家未能举证。",
    "承运商签收记录为代签，货物未送达消费者。",
    "授权网点超时未响应，维修超过承诺期限。",
]
REASONS_REJECTED = ["消费者签收时已验货，照片显示外观完好。", "聊天记录显示消费者已同意延期安装。"]
HELP_SCENARIOS = [
    ("urge_dispatch", 30),
    ("urge_logistics", 25),
    ("logistics_stalled", 12),
    ("missing_items", 8),
    ("install_appointment", 10),
    ("invoice", 7),
    ("refund", 6),
    ("other", 2),
]
STANDARD_WEIGHTS = [
    ("logistics", 30),
    ("quality", 18),
    ("installation", 12),
    ("return_exchange", 12),
    ("repair", 10),
    ("appearance_consistency", 8),
    ("invoice", 7),
    ("personal_injury", 3),
]
# Tags a complaint of a type may be about ("promised home delivery, left at the station").
TAG_FOR_STANDARD = {
    "logistics": ("home_delivery", "sf_free_shipping"),
    "installation": ("delivery_install",),
    "repair": ("nationwide_warranty", "exchange_for_repair"),
    "return_exchange": ("worry_free_returns",),
    "invoice": ("genuine_invoice",),
}
PNG = b"\x89PNG\r\n\x1a\n" + bytes(120)


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([k for k, _ in pairs], weights=[w for _, w in pairs])[0]


class _DueCache:
    """Due dates per Shanghai filing date: one calendar lookup per distinct day, not per complaint."""

    def __init__(self):
        self.by_day: dict[date, tuple[datetime, bool]] = {}

    def __call__(self, filed_at: datetime) -> tuple[datetime, bool]:
        day = local_date(filed_at)
        if day not in self.by_day:
            self.by_day[day] = complaint_due(filed_at)
        return self.by_day[day]


def _orders(merchant_ids: list[int]) -> list[tuple]:
    return list(
        Order.objects.filter(merchant_id__in=merchant_ids)
        .order_by("pk")
        .values_list("pk", "external_id", "merchant_id", "shopper_ref", "paid_amount", "paid_at")
    )


def _tags_by_order(order_ids: list[int]) -> dict[int, dict[str, int]]:
    result: dict[int, dict[str, int]] = {}
    for start in range(0, len(order_ids), 5000):
        for order_id, code, tag_id in Commitment.objects.filter(
            order_id__in=order_ids[start : start + 5000]
        ).values_list("order_id", "tag__code", "tag_id"):
            result.setdefault(order_id, {})[code] = tag_id
    return result


def _showcase(rng, orders, tags_by_order, now, adjudicator, owner_by_merchant) -> Counter:
    """Through the services: every state, urgent, overdue, third parties, an appeal each way."""
    counts: Counter = Counter()
    # (standard, final state, responsibility, days ago filed)
    # (standard, final state, responsibility, days ago filed, appeal: "" | "filed" | "upheld"),
    # the most telling first: small shops have only a few orders.
    script = [
        ("logistics", "awaiting_merchant", "", 0.5, ""),
        ("installation", "upheld", "merchant", 20, "upheld"),
        ("logistics", "upheld", "third_party", 6, ""),
        ("logistics", "upheld", "merchant", 4, ""),
        ("personal_injury", "under_review", "", 1, ""),
        ("repair", "under_review", "", 12, ""),  # overdue
        ("quality", "upheld", "merchant", 3, "filed"),
        ("quality", "rejected", "shopper", 8, ""),
        ("installation", "filed", "", 0.1, ""),
        ("appearance_consistency", "accepted", "", 0.3, ""),
        ("return_exchange", "withdrawn", "", 3, ""),
        ("invoice", "upheld", "platform", 5, ""),
        ("repair", "upheld", "third_party", 9, ""),
        ("quality", "awaiting_merchant", "", 1, ""),
    ]
    for n, (order, (code, state, responsibility, days_ago, appeal_to)) in enumerate(
        zip(orders, script, strict=False)
    ):
        order_pk, ext, merchant_id, shopper, paid, paid_at = order
        # An order paid in the last two hours is complained about now, not in the future.
        filed_at = min(max(now - timedelta(days=days_ago), paid_at + timedelta(hours=2)), now)
        tag = next((t for t in TAG_FOR_STANDARD.get(code, ()) if t in tags_by_order.get(order_pk, {})), "")
        complaint, _ = complaint_file(
            external_id=f"DEMO-S{merchant_id}-{n:02d}",
            order_external_id=ext,
            merchant_id=merchant_id,
            standard_code=code,
            text=rng.choice(TEXTS[code]),
            claimed_amount=min(paid, Decimal(rng.choice([0, 50, 100, 300]))),
            tag_code=tag,
            filed_at=filed_at,
            files=[SimpleUploadedFile(f"shopper-{n}.png", PNG, content_type="image/png")],
        )
        counts[state] += 1
        if state == "filed":
            continue
        step = filed_at + timedelta(hours=3)
        if state == "withdrawn":
            complaint_withdraw(
                complaint_id=complaint.pk, reason="消费者已与商家协商解决", actor=adjudicator, now=step
            )
            continue
        complaint_accept(
            complaint_id=complaint.pk,
            ask_merchant=None if state == "accepted" else code != "personal_injury",
            actor=adjudicator,
            now=step,
        )
        if state == "accepted":
            continue
        if state == "awaiting_merchant":
            continue
        owner = owner_by_merchant.get(merchant_id)
        complaint.refresh_from_db(fields=["state"])
        if complaint.state == "awaiting_merchant":
            if rng.random() < 0.6:
                complaint_merchant_respond(
                    complaint_id=complaint.pk,
                    merchant_id=merchant_id,
                    text=rng.choice(RESPONSES),
                    files=[SimpleUploadedFile(f"merchant-{n}.png", PNG, content_type="image/png")],
                    actor=owner,
                    now=step + timedelta(hours=rng.randint(2, 40)),
                )
            else:
                complaint_start_review(complaint_id=complaint.pk, actor=None, now=step + timedelta(hours=48))
        if state == "under_review":
            continue
        decided_at = min(now - timedelta(hours=1), filed_at + timedelta(hours=rng.randint(50, 110)))
        third = rng.choice(CARRIERS if code == "logistics" else BRAND_SERVICES)
        complaint_decide(
            complaint_id=complaint.pk,
            outcome=state,
            responsibility=responsibility,
            third_party_name=third if responsibility == "third_party" else "",
            reason=rng.choice(REASONS_UPHELD if state == "upheld" else REASONS_REJECTED),
            actor=adjudicator,
            now=decided_at,
        )
        if appeal_to and owner is not None:
            appeal = complaint_appeal_file(
                complaint_id=complaint.pk,
                merchant_id=merchant_id,
                reason="安装工单显示师傅已按约定时间上门，消费者当时不在家。",
                files=[
                    SimpleUploadedFile(
                        f"appeal-{n}.pdf", b"%PDF-1.4\n" + bytes(80), content_type="application/pdf"
                    )
                ],
                actor=owner,
                now=decided_at + timedelta(days=2),
            )
            counts["appeals"] += 1
            if appeal_to == "upheld":
                complaint_appeal_decide(
                    appeal_id=appeal.pk, outcome="upheld", reason="工单与通话记录属实", actor=adjudicator
                )
    return counts


def _bulk_complaints(rng, orders, tags_by_order, now, start_index: int) -> tuple[Counter, list[int]]:
    """Open and closed complaints without money (filed, accepted, awaiting, under review, rejected, withdrawn)."""
    standards = dict(ServiceStandard.objects.values_list("code", "pk"))
    urgent_codes = set(ServiceStandard.objects.filter(urgent=True).values_list("code", flat=True))
    due = _DueCache()
    rows: list[Complaint] = []
    uphold: list[Complaint] = []
    counts: Counter = Counter()
    for n, (order_pk, _ext, merchant_id, shopper, paid, paid_at) in enumerate(orders, start=start_index):
        code = _weighted(rng, STANDARD_WEIGHTS)
        state = _weighted(
            rng,
            [
                ("filed", 6),
                ("awaiting_merchant", 14),
                ("under_review", 16),
                ("upheld", 22),
                ("rejected", 22),
                ("withdrawn", 14),
            ],
        )
        to_uphold = state == "upheld"
        if to_uphold:
            state = "under_review"  # written open, then decided through the service (money moves)
        age_days = rng.uniform(0.05, 4) if state in ("filed", "awaiting_merchant") else rng.uniform(0.5, 25)
        filed_at = max(now - timedelta(days=age_days), paid_at + timedelta(hours=1))
        if filed_at > now:
            filed_at = now - timedelta(minutes=5)
        due_at, fallback = due(filed_at)
        tag_code = next(
            (t for t in TAG_FOR_STANDARD.get(code, ()) if t in tags_by_order.get(order_pk, {})), None
        )
        accepted = filed_at + timedelta(hours=rng.uniform(1, 8)) if state != "filed" else None
        if accepted is not None and accepted > now:
            accepted = now
        row = Complaint(
            external_id=f"DEMO-C{n:07d}",
            order_id=order_pk,
            merchant_id=merchant_id,
            standard_id=standards[code],
            tag_id=tags_by_order.get(order_pk, {}).get(tag_code) if tag_code else None,
            shopper_ref=shopper,
            text=rng.choice(TEXTS[code]),
            claimed_amount=min(paid, Decimal(rng.choice([0, 0, 20, 50, 100, 200]))),
            filed_at=filed_at,
            state=state,
            urgent=code in urgent_codes,
            due_at=due_at,
            due_fallback=fallback,
            accepted_at=accepted,
        )
        if state == "awaiting_merchant":
            row.merchant_response_due_at = accepted + timedelta(hours=48)
        if state in ("under_review", "rejected"):
            row.merchant_response_due_at = accepted + timedelta(hours=48)
            if rng.random() < 0.7:
                row.responded_at = min(now, accepted + timedelta(hours=rng.uniform(2, 46)))
                row.response_text = rng.choice(RESPONSES)
            else:
                row.response_lapsed = True
            row.review_started_at = min(now, row.responded_at or row.merchant_response_due_at)
        if state == "rejected":
            row.decided_at = min(
                now - timedelta(minutes=10), filed_at + timedelta(hours=rng.uniform(30, 150))
            )
            row.closed_at = row.decided_at
            row.responsibility = "shopper"
            row.decision_reason = rng.choice(REASONS_REJECTED)
            row.payout = "none"
            row.recovery = "none"
            row.counts_in_metrics = False
        if state == "withdrawn":
            row.closed_at = min(now, filed_at + timedelta(hours=rng.uniform(2, 72)))
        if to_uphold:
            row.demo_code = code
            uphold.append(row)
        else:
            counts[state] += 1
        rows.append(row)
    for start in range(0, len(rows), BATCH):
        batch = Complaint.objects.bulk_create(rows[start : start + BATCH])
        AuditEvent.objects.bulk_create(
            [
                AuditEvent(
                    actor_label=SYSTEM,
                    verb="complaint.filed",
                    target_type="complaints.complaint",
                    target_id=str(c.pk),
                    data={"demo": True},
                )
                for c in batch
            ]
        )
    return counts, uphold


def _uphold_many(rng, complaints: list[Complaint], now, adjudicator) -> Counter:
    """Decide through the service: voucher, deposit entry or recovery claim, breach — as in production."""
    counts: Counter = Counter()
    for complaint in complaints:
        responsibility = _weighted(rng, [("merchant", 60), ("third_party", 25), ("platform", 15)])
        standard_code = complaint.demo_code
        decided_at = min(
            now - timedelta(minutes=5), complaint.filed_at + timedelta(hours=rng.uniform(20, 160))
        )
        complaint_decide(
            complaint_id=complaint.pk,
            outcome="upheld",
            responsibility=responsibility,
            third_party_name=rng.choice(CARRIERS if standard_code == "logistics" else BRAND_SERVICES)
            if responsibility == "third_party"
            else "",
            reason=rng.choice(REASONS_UPHELD),
            actor=adjudicator,
            now=decided_at,
        )
        counts["upheld"] += 1
    return counts


def _help_requests(rng, orders, now, share: float) -> int:
    rows = []
    for order_pk, _ext, merchant_id, _shopper, _paid, paid_at in orders:
        if rng.random() >= share:
            continue
        for k in range(1 if rng.random() < 0.85 else 2):
            requested_at = min(now, paid_at + timedelta(hours=rng.uniform(2, 120)))
            rows.append(
                HelpRequest(
                    external_id=f"DEMO-H{order_pk}-{k}",
                    order_id=order_pk,
                    merchant_id=merchant_id,
                    scenario=_weighted(rng, HELP_SCENARIOS),
                    requested_at=requested_at,
                )
            )
    for start in range(0, len(rows), BATCH):
        HelpRequest.objects.bulk_create(rows[start : start + BATCH], ignore_conflicts=True)
    return len(rows)


def generate(*, rng: random.Random, merchant_ids: list[int], now: datetime, stdout, scale: dict) -> dict:
    orders = _orders(merchant_ids)
    if not orders:
        stdout.write("complaints: no orders yet (the commitments demo makes them); nothing to complain about")
        return {"complaints": 0, "help_requests": 0}
    User = get_user_model()
    adjudicator = User.objects.filter(username="adjudicator").first()

    showcase_ids = merchant_ids[:SHOWCASE_MERCHANTS]
    owner_by_merchant = {
        m.merchant_id: m.user
        for m in Membership.objects.filter(
            merchant_id__in=showcase_ids, role="merchant_owner"
        ).select_related("user")
    }
    by_merchant: dict[int, list[tuple]] = {}
    for row in orders:
        by_merchant.setdefault(row[2], []).append(row)
    used: set[int] = set()
    tags_by_order = _tags_by_order([row[0] for row in orders])

    counts: Counter = Counter()
    for merchant_id in showcase_ids:
        mine = by_merchant.get(merchant_id, [])
        # Prefer orders that carry commitments so tag-linked complaints show breaches.
        mine = sorted(mine, key=lambda r: (r[0] not in tags_by_order, r[0]))[:14]
        used.update(r[0] for r in mine)
        counts.update(_showcase(rng, mine, tags_by_order, now, adjudicator, owner_by_merchant))

    # About 1.5% of the remaining orders get a complaint; a few get two (one order, several complaints).
    rest = [row for row in orders if row[0] not in used]
    picked = [row for row in rest if rng.random() < 0.015]
    picked += [row for row in picked if rng.random() < 0.1]
    bulk_counts, uphold = _bulk_complaints(rng, picked, tags_by_order, now, start_index=0)
    counts.update(bulk_counts)
    counts.update(_uphold_many(rng, uphold, now, adjudicator))
    helped = _help_requests(rng, orders, now, share=0.04)
    escalated = complaints_escalate_overdue(now=now)
    return {
        "complaints": Complaint.objects.count(),
        **{f"state_{k}": v for k, v in sorted(_state_counts().items())},
        "urgent_open": Complaint.objects.filter(urgent=True, state__in=Complaint.OPEN_STATES).count(),
        "overdue_escalated": escalated,
        "third_party_claims": Complaint.objects.filter(recovery="third_party_claim").count(),
        "appeals": counts["appeals"],
        "help_requests": helped,
    }


def _state_counts() -> dict[str, int]:
    return dict(Complaint.objects.values("state").annotate(n=Count("pk")).values_list("state", "n"))
