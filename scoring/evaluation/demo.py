"""The monthly evaluation in the demo: the job itself evaluates the last five months over the demo's
orders and complaints, so the demo shows merchants passing, revoked into rectification, restored,
barred, and one whose bar has ended and who may apply again.

Each run is dated at its scheduled time (03:00 on the 1st PRC working day of the following month):
the rows it wrote (holding and badge history, notices, audit, the run) are moved to that time, as if
the beat had run then. E-mails of these past notices are marked sent: the demo does not mail anyone.
"""

import math
from datetime import datetime, time, timedelta
from decimal import Decimal

from commitments.models import Order
from complaints.models import Complaint, ServiceStandard
from core.calendar import business_tz, first_working_day_of_month, local_date
from core.models import AuditEvent
from merchants.models import Notice, Product
from tags.models import BadgeEvent, BadgeHolding, HoldingEvent, TagHolding

from ..models import EvaluationResult, EvaluationRun
from .metrics import add_months, month_bounds
from .services import evaluation_run

MONTHS = 5
# (standard, complaint, decision) of a bad month's complaints: large appliances, everything else.
FAULTS = {
    True: (
        "installation",
        "约好的安装时间师傅没有上门，也没有提前联系。",
        "商家未按约定时间上门安装，责任在商家。",
    ),
    False: (
        "logistics",
        "商品一周未发货，联系客服也没有回复。",
        "商家超时未发货且未与消费者沟通，责任在商家。",
    ),
}
# Upheld fault complaints per order in a bad month: above the 0.5 % the evaluation fails at.
FAULT_SHARE = 0.008
# Official stores (the first merchants, fixed logins) that show each path of the lifecycle:
# (the flagships of the categories, merchants.demo.FLAGSHIPS, stay able to apply for a new tag).
RECTIFYING_SHOP_INDEX = 1  # owner_midea: fails the last month, in rectification now
REAPPLY_SHOP_INDEX = 2  # owner_xiaomi: fails the first two months: barred, and the bar has ended
RESTORED_SHOP_INDEX = 5  # owner_gree: fails the middle month, passes its rectification month: restored


def _scheduled(period) -> datetime:
    following = add_months(period, 1)
    day = first_working_day_of_month(following.year, following.month).day
    return datetime.combine(day, time(3, 0), tzinfo=business_tz())


def _last_due(today):
    this_month = today.replace(day=1)
    last = add_months(this_month, -1)
    if today < first_working_day_of_month(this_month.year, this_month.month).day:
        last = add_months(last, -1)
    return last


def _fail_on_counts(merchant_id: int, periods, rng) -> int:
    """A bad month: 20 more orders and upheld complaints at the shop's fault on them — 2 (failing on
    counts when the month has no other orders), or as many as fail the rate over the month's orders."""
    product = Product.objects.filter(merchant_id=merchant_id).select_related("category").first()
    if product is None:
        return 0
    code, text, reason = FAULTS[product.category.code == "large_appliances"]
    standard = ServiceStandard.objects.filter(code=code).first() or ServiceStandard.objects.first()
    tz = business_tz()
    made = 0
    for period in periods:
        orders = [
            Order(
                external_id=f"DEMO-EV-{merchant_id}-{period:%Y%m}-{i:02d}",
                merchant_id=merchant_id,
                product=product,
                category_id=product.category_id,
                brand_id=product.brand_id,
                shopper_ref=f"shopper-ev-{rng.randrange(10**6):06d}",
                paid_amount=product.price,
                shipping_fee=Decimal("0.00"),
                province="310000",
                paid_at=datetime(period.year, period.month, 2 + i, 10, tzinfo=tz),
            )
            for i in range(20)
        ]
        Order.objects.bulk_create(orders)
        start, end = month_bounds(period)
        in_month = Order.objects.filter(merchant_id=merchant_id, paid_at__gte=start, paid_at__lt=end).count()
        needed = max(2, math.ceil(in_month * FAULT_SHARE))
        # Orders of the month's first days: each complaint is filed after its order, decided in the month.
        saved = list(
            Order.objects.filter(
                merchant_id=merchant_id, paid_at__gte=start, paid_at__lt=start + timedelta(days=12)
            ).order_by("paid_at", "pk")[:needed]
        )
        for n, order in enumerate(saved):
            decided = datetime(period.year, period.month, 20 + n % 8, 15, tzinfo=tz) + timedelta(minutes=n)
            Complaint.objects.create(
                external_id=f"DEMO-EV-C-{order.pk}",
                order=order,
                merchant_id=merchant_id,
                standard=standard,
                shopper_ref=order.shopper_ref,
                text=text,
                filed_at=decided - timedelta(days=4),
                due_at=decided + timedelta(days=3),
                accepted_at=decided - timedelta(days=4),
                state=Complaint.State.UPHELD,
                decided_at=decided,
                closed_at=decided,
                responsibility=Complaint.Responsibility.MERCHANT,
                decision_reason=reason,
                payout=Complaint.Payout.NONE,
                recovery=Complaint.Recovery.NONE,
            )
            made += 1
    return made


def _last_ids() -> dict:
    return {
        model: model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for model in (HoldingEvent, BadgeEvent, Notice, AuditEvent)
    }


def _backdate(run: EvaluationRun, before: dict, at: datetime) -> None:
    HoldingEvent.objects.filter(pk__gt=before[HoldingEvent]).update(at=at)
    changed_badges = BadgeEvent.objects.filter(pk__gt=before[BadgeEvent])
    BadgeHolding.objects.filter(pk__in=changed_badges.values("holding_id")).update(since=at)
    changed_badges.update(at=at)
    Notice.objects.filter(pk__gt=before[Notice]).update(created_at=at, email_sent_at=at)
    AuditEvent.objects.filter(pk__gt=before[AuditEvent]).update(created_at=at)
    ended = run.results.filter(action__in=[EvaluationResult.Action.REVOKED, EvaluationResult.Action.BARRED])
    TagHolding.objects.filter(pk__in=ended.values("holding_id")).update(ended_at=at)
    run.results.exclude(applied_at=None).update(applied_at=at)
    EvaluationRun.objects.filter(pk=run.pk).update(
        started_at=at, computed_at=at, finished_at=at + timedelta(seconds=4)
    )


def generate(*, rng, merchant_ids: list[int], now, stdout, scale: dict) -> dict:
    today = local_date(now)
    last = _last_due(today)
    periods = [add_months(last, -i) for i in range(MONTHS - 1, -1, -1)]
    ids = sorted(merchant_ids)
    complaints = 0
    bad_months = {
        RECTIFYING_SHOP_INDEX: periods[-1:],
        REAPPLY_SHOP_INDEX: periods[:2],
        RESTORED_SHOP_INDEX: periods[2:3],
    }
    for index, months in bad_months.items():
        if index >= len(ids):
            continue
        # Their tags were held before the first evaluated month.
        TagHolding.objects.filter(merchant_id=ids[index], state=TagHolding.State.ACTIVE).update(
            granted_at=datetime.combine(add_months(periods[0], -2), time(10), tzinfo=business_tz())
        )
        complaints += _fail_on_counts(ids[index], months, rng)
    for period in periods:
        before = _last_ids()
        run = evaluation_run(period=period, trigger=EvaluationRun.Trigger.SCHEDULE)
        _backdate(run, before, _scheduled(period))
    runs = EvaluationRun.objects.filter(period__in=periods)
    results = EvaluationResult.objects.filter(period__in=periods)
    return {
        "evaluation_runs": runs.count(),
        "evaluation_results": results.count(),
        "revoked": results.filter(action=EvaluationResult.Action.REVOKED).count(),
        "restored": results.filter(action=EvaluationResult.Action.RESTORED).count(),
        "barred": results.filter(action=EvaluationResult.Action.BARRED).count(),
        "may_reapply": TagHolding.objects.filter(
            state=TagHolding.State.BARRED, barred_until__lte=today
        ).count(),
        "evaluation_complaints": complaints,
    }
