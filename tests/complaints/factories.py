"""Orders, commitments and complaints for the desk's tests (rows written directly; services are under test)."""

from datetime import UTC, datetime
from decimal import Decimal

import factory

from commitments.models import Commitment, Order
from complaints.models import Complaint, ServiceStandard
from tags.models import Tag
from tests.factories import MerchantFactory, ProductFactory


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    external_id = factory.Sequence(lambda n: f"PDD{n:010d}")
    merchant = factory.SubFactory(MerchantFactory)
    product = factory.LazyAttribute(lambda o: ProductFactory(merchant=o.merchant))
    category = factory.LazyAttribute(lambda o: o.product.category)
    brand = factory.LazyAttribute(lambda o: o.product.brand)
    shopper_ref = factory.Sequence(lambda n: f"shopper-{n:05d}")
    paid_amount = Decimal("2999.00")
    shipping_fee = Decimal("0.00")
    province = "310000"
    paid_at = datetime(2024, 3, 4, 2, 0, tzinfo=UTC)


def commitment_for(order: Order, tag_code: str, state: str = Commitment.State.PENDING) -> Commitment:
    tag = Tag.objects.select_related("current_terms").get(code=tag_code)
    return Commitment.objects.create(
        order=order, merchant=order.merchant, tag=tag, terms_version=tag.current_terms, state=state
    )


def standard(code: str = "logistics") -> ServiceStandard:
    return ServiceStandard.objects.get(code=code)


class ComplaintFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Complaint

    external_id = factory.Sequence(lambda n: f"CMP{n:08d}")
    order = factory.SubFactory(OrderFactory)
    merchant = factory.LazyAttribute(lambda c: c.order.merchant)
    standard = factory.LazyFunction(standard)
    shopper_ref = factory.LazyAttribute(lambda c: c.order.shopper_ref)
    text = "说好送货上门，结果放在驿站让我自己去搬。"
    filed_at = datetime(2024, 3, 4, 2, 0, tzinfo=UTC)
    due_at = datetime(2024, 3, 11, 15, 59, 59, tzinfo=UTC)
    state = Complaint.State.FILED
