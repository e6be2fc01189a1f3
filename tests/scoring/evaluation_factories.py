"""Months of orders, complaints and ratings for the evaluation's tests (rows written directly)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine

from commitments.models import FulfilmentEvent, Order
from commitments.services.metrics import dsr_ranks_update, metrics_days_mark
from complaints.models import Appeal, Complaint, ServiceStandard
from tests.factories import ProductFactory
from tests.tags.factories import grant_badge_set

SHANGHAI = ZoneInfo("Asia/Shanghai")
_seq = {"n": 0}


def _next() -> int:
    _seq["n"] += 1
    return _seq["n"]


def at(day: date, hour: int = 12) -> datetime:
    """Noon (local) of a day, as aware UTC."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI).astimezone(UTC)


def holding_set(merchant, granted: date = date(2026, 8, 3)):
    """The three large-appliance badge tags, granted on `granted`."""
    with time_machine.travel(at(granted, 10), tick=False):
        return grant_badge_set(merchant)


def orders(merchant, n: int, month: date, *, shopper: str | None = None) -> list[Order]:
    product = ProductFactory(merchant=merchant)
    rows = [
        Order(
            external_id=f"EV{_next():09d}",
            merchant=merchant,
            product=product,
            category=product.category,
            brand=product.brand,
            shopper_ref=shopper or f"shopper-{_next():06d}",
            paid_amount=Decimal("1999.00"),
            province="310000",
            paid_at=at(month.replace(day=2)) + timedelta(minutes=i),
        )
        for i in range(n)
    ]
    Order.objects.bulk_create(rows)
    created = list(Order.objects.filter(external_id__in=[r.external_id for r in rows]).order_by("pk"))
    metrics_days_mark(order_ids=[o.pk for o in created])  # as ingestion marks them for the rollups
    return created


def fault(order: Order, decided: date, *, tag=None, appeal: str = "") -> Complaint:
    """An upheld, merchant-at-fault complaint decided on `decided`; `appeal` opens one in that state."""
    complaint = Complaint.objects.create(
        external_id=f"CMP{_next():08d}",
        order=order,
        merchant=order.merchant,
        standard=ServiceStandard.objects.order_by("pk").first(),
        tag=tag,
        shopper_ref=order.shopper_ref,
        text="送货不上门",
        filed_at=at(decided) - timedelta(days=3),
        due_at=at(decided) + timedelta(days=2),
        state=Complaint.State.UPHELD,
        decided_at=at(decided),
        responsibility=Complaint.Responsibility.MERCHANT,
    )
    if appeal:
        Appeal.objects.create(complaint=complaint, reason="我们按时送到了", state=appeal)
    return complaint


def rate(orders_: list[Order], when: datetime, *, score: int = 5) -> None:
    """The DSR columns of each order (the first `rated` event's scores) and their ranks, as ingestion
    folds them in."""
    before = dict(Order.objects.filter(pk__in=[o.pk for o in orders_]).values_list("pk", "rated_at"))
    Order.objects.filter(pk__in=[o.pk for o in orders_]).update(
        rated_at=when, rating_described=score, rating_attitude=score, rating_logistics=score
    )
    dsr_ranks_update(ratings=[(o.pk, o.merchant_id, o.shopper_ref, before[o.pk], when) for o in orders_])


def dispute(order: Order, when: datetime) -> FulfilmentEvent:
    """A refund with staff intervention, and the Order columns as ingestion folds them in (the refund
    time first wins, the intervention is sticky)."""
    event = FulfilmentEvent.objects.create(
        external_id=f"EVT{_next():09d}",
        order=order,
        kind=FulfilmentEvent.Kind.REFUNDED,
        occurred_at=when,
        data={"reason": "quality", "staff_intervened": True},
    )
    Order.objects.filter(pk=order.pk, refunded_at__isnull=True).update(
        refunded_at=when, refund_reason="quality"
    )
    Order.objects.filter(pk=order.pk).update(refund_staff_intervened=True)
    return event
