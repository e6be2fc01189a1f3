"""Repair tickets (SPEC §4): transitions, deadlines, the late job, the brand API and its permissions."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from commitments.models import Breach, Commitment, RepairTicket
from commitments.services import (
    brand_repair_key_issue,
    repair_ticket_complete,
    repair_ticket_create,
    repair_tickets_flag_late,
)
from core.errors import InvalidTransition
from core.models import AuditEvent
from tags.models import BrandWarrantyService, WarrantyOutlet
from tests.factories import BrandFactory

from .factories import committed, fund, hold, place_order, product_of

pytestmark = pytest.mark.django_db
T0 = datetime(2024, 5, 6, 2, 0, tzinfo=UTC)


def _service(brand, *, mode="api", state="approved", hours=24, days=30) -> BrandWarrantyService:
    service = BrandWarrantyService.objects.create(
        brand=brand, hotline="400-699-9999", warranty_period_months=36, policy_zh="整机三年联保",
        response_hours=hours, repair_days=days, integration_mode=mode, state=state, reviewed_at=T0,
    )  # fmt: skip
    WarrantyOutlet.objects.create(service=service, name="海尔服务中心(浦东)", city="上海", province="310000")
    return service


@pytest.fixture
def brand():
    return BrandFactory(name_zh="海尔", name_en="Haier")


@pytest.fixture
def service(brand):
    return _service(brand)


@pytest.fixture
def order(merchant_a, brand, service):
    hold(
        merchant_a,
        "nationwide_warranty",
        config={"warranty": {"option": "brand_service", "service_id": service.pk}},
    )
    fund(merchant_a)
    return place_order(product_of(merchant_a, brand=brand), paid_at=T0 - timedelta(days=10))


@pytest.fixture
def key(service):
    return brand_repair_key_issue(service_id=service.pk)


def _open(order, external_id="R-1") -> RepairTicket:
    with committed():
        ticket, created = repair_ticket_create(
            external_id=external_id, order_external_id=order.external_id, fault="不制冷"
        )
    assert created
    ticket.refresh_from_db()
    return ticket


@time_machine.travel(T0, tick=False)
def test_a_new_ticket_is_sent_to_the_brand_with_its_response_deadline(order, service):
    ticket = _open(order)

    assert ticket.state == "sent_to_brand"
    assert ticket.service == service
    assert ticket.merchant_id == order.merchant_id
    assert ticket.sent_at == T0
    assert ticket.accept_due_at == T0 + timedelta(hours=24)
    assert list(AuditEvent.objects.filter(target_id=str(ticket.pk), target_type="commitments.repairticket")
                .order_by("pk").values_list("verb", flat=True)) == ["repair_ticket.created", "repair_ticket.sent_to_brand"]  # fmt: skip


def test_create_is_idempotent_and_refuses_another_order_or_an_unintegrated_brand(order, merchant_a):
    first = _open(order)
    again, created = repair_ticket_create(
        external_id="R-1", order_external_id=order.external_id, fault="不制冷"
    )
    assert (again.pk, created) == (first.pk, False)

    other = place_order(product_of(merchant_a, brand=order.brand), paid_at=T0)
    with pytest.raises(Exception, match="another order"):
        repair_ticket_create(external_id="R-1", order_external_id=other.external_id, fault="x")
    portal_only = place_order(product_of(merchant_a, brand=BrandFactory(name_zh="美的")), paid_at=T0)
    _service(portal_only.brand, mode="portal")
    with pytest.raises(Exception, match="no approved API-integrated"):
        repair_ticket_create(external_id="R-2", order_external_id=portal_only.external_id, fault="x")
    assert RepairTicket.objects.count() == 1


def test_brand_accepts_then_completes_through_the_api(client, order, service, key):
    with time_machine.travel(T0, tick=False):
        ticket = _open(order)
    auth = {"HTTP_AUTHORIZATION": f"Brand {key}"}
    outlet = service.outlets.get()

    with time_machine.travel(ticket.sent_at + timedelta(hours=3), tick=False):
        accepted = client.post(
            "/api/v1/brand/repair-tickets/R-1/accept",
            {"outlet_id": outlet.pk},
            content_type="application/json",
            **auth,
        )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["state"] == "accepted"
    assert accepted.json()["complete_due_at"] == "2024-06-05T05:00:00Z"

    with time_machine.travel(ticket.sent_at + timedelta(days=5), tick=False):
        done = client.post("/api/v1/brand/repair-tickets/R-1/complete", **auth)
    assert done.json()["state"] == "completed"
    assert done.json()["late"] == ""
    ticket.refresh_from_db()
    assert (ticket.outlet, ticket.late, ticket.breach) == (outlet, "", None)


def test_brand_api_refuses_wrong_moves_other_brands_and_missing_keys(client, order, service, key, brand):
    _open(order)
    other_key = brand_repair_key_issue(service_id=_service(BrandFactory(name_zh="格力")).pk)

    complete_first = client.post(
        "/api/v1/brand/repair-tickets/R-1/complete", HTTP_AUTHORIZATION=f"Brand {key}"
    )
    other_brand = client.post(
        "/api/v1/brand/repair-tickets/R-1/accept", HTTP_AUTHORIZATION=f"Brand {other_key}"
    )
    no_key = client.post("/api/v1/brand/repair-tickets/R-1/accept")
    bad_key = client.post("/api/v1/brand/repair-tickets/R-1/accept", HTTP_AUTHORIZATION="Brand nope")
    listing = client.get("/api/v1/brand/repair-tickets", HTTP_AUTHORIZATION=f"Brand {other_key}")

    assert complete_first.status_code == 409
    assert complete_first.json()["code"] == "invalid_transition"
    assert other_brand.status_code == 404
    assert no_key.status_code in (401, 403)
    assert bad_key.status_code == 401
    assert listing.json()["results"] == []
    assert RepairTicket.objects.get().state == "sent_to_brand"


def test_service_layer_refuses_completing_a_ticket_not_accepted(order, service):
    ticket = _open(order)
    with pytest.raises(InvalidTransition):
        repair_ticket_complete(ticket_id=ticket.pk, service=service)
    ticket.refresh_from_db()
    assert ticket.state == "sent_to_brand"


def test_the_job_flags_a_ticket_not_accepted_in_time_and_breaches_the_warranty_promise(order):
    with time_machine.travel(T0, tick=False):
        ticket = _open(order)
    warranty = Commitment.objects.get(order=order, tag__code="nationwide_warranty")

    assert repair_tickets_flag_late(now=T0 + timedelta(hours=23)) == 0
    with committed():
        assert repair_tickets_flag_late(now=T0 + timedelta(hours=25)) == 1
    assert repair_tickets_flag_late(now=T0 + timedelta(hours=26)) == 0  # twice: nothing more

    ticket.refresh_from_db()
    warranty.refresh_from_db()
    breach = Breach.objects.get(commitment=warranty)
    assert (ticket.late, ticket.late_flagged_at, ticket.breach) == (
        "accept",
        T0 + timedelta(hours=25),
        breach,
    )
    assert breach.source == "repair"
    assert warranty.state in ("breached", "compensated")
    assert breach.counts_in_metrics is True


def test_a_late_acceptance_is_flagged_at_once_and_a_slow_repair_by_the_job(client, order, key, merchant_a):
    with time_machine.travel(T0, tick=False):
        ticket = _open(order)
    with time_machine.travel(T0 + timedelta(hours=30), tick=False), committed():
        response = client.post("/api/v1/brand/repair-tickets/R-1/accept", HTTP_AUTHORIZATION=f"Brand {key}")
    assert response.json()["late"] == "accept"

    second_order = place_order(product_of(merchant_a, brand=order.brand), paid_at=T0)
    with time_machine.travel(T0, tick=False):
        slow = _open(second_order, "R-2")
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        client.post("/api/v1/brand/repair-tickets/R-2/accept", HTTP_AUTHORIZATION=f"Brand {key}")
    assert repair_tickets_flag_late(now=T0 + timedelta(days=30)) == 0
    with committed():
        assert repair_tickets_flag_late(now=T0 + timedelta(days=31)) == 1
    slow.refresh_from_db()
    ticket.refresh_from_db()
    assert (ticket.late, slow.late) == ("accept", "complete")
    assert Breach.objects.filter(source="repair").count() == 2


def test_integration_api_opens_tickets(api_for, integration_user, order):
    api = api_for(integration_user)
    body = {"external_id": "R-9", "order_external_id": order.external_id, "fault": "不制冷"}

    with committed():  # the send task runs after the commit
        first = api.post("/api/v1/integration/repair-tickets", body, format="json")
    again = api.post("/api/v1/integration/repair-tickets", body, format="json")
    unknown = api.post(
        "/api/v1/integration/repair-tickets", {**body, "order_external_id": "nope"}, format="json"
    )

    assert (first.status_code, again.status_code, unknown.status_code) == (201, 200, 404)
    assert first.json()["state"] == "created"  # answered before the commit sends it
    assert RepairTicket.objects.get().state == "sent_to_brand"


def test_staff_page_shows_outlets_and_tickets_and_only_reviewers_issue_keys(
    client, staff_reviewer, staff_adjudicator, order, service, django_assert_max_num_queries
):
    _open(order)
    client.force_login(staff_reviewer)
    with django_assert_max_num_queries(15):
        page = client.get(f"/staff/tags/warranty-services/{service.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    body = page.content.decode()
    assert "海尔服务中心(浦东)" in body
    assert "Shanghai" in body  # the outlet's province by name
    assert "R-1" in body
    assert "sent to the brand" in body
    assert (
        f'href="/staff/tags/warranty-services/{service.pk}/"'
        in client.get("/staff/tags/warranty-services/").content.decode()
    )

    client.force_login(staff_adjudicator)
    assert client.post(f"/staff/tags/warranty-services/{service.pk}/key/").status_code == 403
    client.force_login(staff_reviewer)
    response = client.post(f"/staff/tags/warranty-services/{service.pk}/key/", follow=True)
    assert "New brand API key" in response.content.decode()
    assert service.__class__.objects.get(pk=service.pk).repair_key.prefix
