"""The repair-ticket late job on PostgreSQL: crashing half-way through a batch and running again
flags every late ticket once, breaches each warranty promise once and pays each shopper once."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from commitments.models import Breach, Commitment, RepairTicket, Voucher
from commitments.services import repair_ticket_create, repair_tickets_flag_late
from commitments.services import repairs as repairs_module
from core.models import AuditEvent
from merchants.models import DepositEntry
from tags.models import BrandWarrantyService, WarrantyOutlet
from tests.factories import BrandFactory

from .factories import fund, hold, place_order, product_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

T0 = datetime(2024, 5, 6, 2, 0, tzinfo=UTC)
FIRST_RUN = T0 + timedelta(hours=25)  # past every ticket's 24-hour response deadline
SECOND_RUN = T0 + timedelta(hours=26)


@pytest.fixture
def tickets(merchant_a):
    brand = BrandFactory(name_zh="海尔", name_en="Haier")
    service = BrandWarrantyService.objects.create(
        brand=brand, hotline="400-699-9999", warranty_period_months=36, policy_zh="整机三年联保",
        response_hours=24, repair_days=30, integration_mode="api", state="approved", reviewed_at=T0,
    )  # fmt: skip
    WarrantyOutlet.objects.create(service=service, name="海尔服务中心(浦东)", city="上海", province="310000")
    hold(
        merchant_a,
        "nationwide_warranty",
        config={"warranty": {"option": "brand_service", "service_id": service.pk}},
    )
    fund(merchant_a)
    product = product_of(merchant_a, brand=brand)
    made = []
    with time_machine.travel(T0, tick=False):
        for n in range(5):
            order = place_order(product, paid_at=T0 - timedelta(days=10), shopper_ref=f"s{n}")
            ticket, _created = repair_ticket_create(
                external_id=f"R-{n}", order_external_id=order.external_id, fault="不制冷"
            )
            made.append(ticket)
    return made


def test_the_late_job_killed_mid_batch_resumes_without_double_counting(tickets, monkeypatch):
    real = repairs_module.commitments_breach_many
    calls = {"n": 0}

    def dying(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:  # the second batch: its tickets are already marked late in this transaction
            raise SystemExit("worker killed")
        return real(**kwargs)

    monkeypatch.setattr(repairs_module, "commitments_breach_many", dying)
    with pytest.raises(SystemExit):
        repair_tickets_flag_late(now=FIRST_RUN, batch_size=2)

    # The first batch committed whole; the second rolled back whole (no ticket marked without its breach).
    assert list(
        RepairTicket.objects.order_by("pk").values_list("external_id", "late", "late_flagged_at")
    ) == [
        ("R-0", "accept", FIRST_RUN),
        ("R-1", "accept", FIRST_RUN),
        ("R-2", "", None),
        ("R-3", "", None),
        ("R-4", "", None),
    ]
    assert Breach.objects.filter(source="repair").count() == 2
    assert Voucher.objects.count() == 2

    monkeypatch.setattr(repairs_module, "commitments_breach_many", real)
    assert repair_tickets_flag_late(now=SECOND_RUN, batch_size=2) == 3
    assert repair_tickets_flag_late(now=SECOND_RUN + timedelta(hours=1), batch_size=2) == 0  # nothing twice

    assert list(
        RepairTicket.objects.order_by("pk").values_list("external_id", "late", "late_flagged_at")
    ) == [
        ("R-0", "accept", FIRST_RUN),
        ("R-1", "accept", FIRST_RUN),
        ("R-2", "accept", SECOND_RUN),
        ("R-3", "accept", SECOND_RUN),
        ("R-4", "accept", SECOND_RUN),
    ]
    warranty = Commitment.objects.filter(tag__code="nationwide_warranty")
    breaches = Breach.objects.filter(source="repair")
    assert breaches.count() == 5
    assert sorted(breaches.values_list("commitment_id", flat=True)) == sorted(
        warranty.values_list("pk", flat=True)
    )
    for ticket in RepairTicket.objects.select_related("breach__commitment"):
        assert ticket.breach.commitment.order_id == ticket.order_id
        assert (ticket.breach.detail_code, ticket.breach.detail_params) == (
            "breach.repair_not_accepted",
            {"ticket": ticket.external_id},
        )
    assert set(warranty.values_list("state", flat=True)) == {"compensated"}
    assert Voucher.objects.count() == 5
    assert Voucher.objects.values("breach").distinct().count() == 5
    assert DepositEntry.objects.filter(kind="compensation_recovery").count() == 5
    assert AuditEvent.objects.filter(verb="repair_ticket.late").count() == 5
