"""The data migrations that repair stored times the input boundary now refuses (issue: absurd rows)."""

import importlib
from datetime import UTC, datetime

import pytest
import time_machine
from django.apps import apps

from commitments.models import ForceMajeure, FulfilmentEvent
from complaints.models import HelpRequest
from core.models import AuditEvent
from tests.complaints.factories import OrderFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)
commitments_repair = importlib.import_module("commitments.migrations.0009_repair_absurd_times").repair_times
complaints_repair = importlib.import_module("complaints.migrations.0004_repair_absurd_times").repair_times


def test_an_absurd_force_majeure_declaration_stops_exempting_and_is_listed(capsys):
    absurd = ForceMajeure.objects.create(
        provinces=["650000"],
        starts_at=datetime(1, 1, 1, tzinfo=UTC),
        ends_at=datetime(9999, 12, 31, tzinfo=UTC),
        reason="typo",
    )
    sane = ForceMajeure.objects.create(
        provinces=["540000"],
        starts_at=datetime(2026, 11, 1, tzinfo=UTC),
        ends_at=datetime(2026, 11, 3, tzinfo=UTC),
        reason="snow",
    )
    with time_machine.travel(NOW, tick=False):
        commitments_repair(apps, None)
        commitments_repair(apps, None)  # a second run changes nothing

    absurd.refresh_from_db()
    sane.refresh_from_db()
    assert (absurd.starts_at, absurd.ends_at) == (datetime(2000, 1, 1, tzinfo=UTC), NOW)
    assert (sane.starts_at, sane.ends_at) == (
        datetime(2026, 11, 1, tzinfo=UTC),
        datetime(2026, 11, 3, tzinfo=UTC),
    )
    repaired = list(
        AuditEvent.objects.filter(verb="data.repaired").order_by("id").values_list("target_id", "data")
    )
    assert repaired == [
        (str(absurd.pk), {"field": "starts_at", "stored": "0001-01-01T00:00:00+00:00", "repaired": "2000-01-01T00:00:00+00:00"}),
        (str(absurd.pk), {"field": "ends_at", "stored": "9999-12-31T00:00:00+00:00", "repaired": "2026-11-30T04:00:00+00:00"}),
    ]  # fmt: skip
    assert f"commitments.forcemajeure {absurd.pk}: starts_at" in capsys.readouterr().out


def test_event_and_help_request_times_outside_the_years_become_their_receipt_time():
    order = OrderFactory()
    event = FulfilmentEvent.objects.create(
        external_id="E-absurd", order=order, kind="delivered", occurred_at=datetime(9999, 12, 31, tzinfo=UTC)
    )
    fine = FulfilmentEvent.objects.create(
        external_id="E-fine",
        order=order,
        kind="pickup_scanned",
        occurred_at=datetime(2026, 11, 2, tzinfo=UTC),
    )
    help_request = HelpRequest.objects.create(
        external_id="H-absurd",
        order=order,
        merchant=order.merchant,
        scenario="urge_dispatch",
        requested_at=datetime(9999, 12, 31, tzinfo=UTC),
    )
    commitments_repair(apps, None)
    complaints_repair(apps, None)

    event.refresh_from_db()
    fine.refresh_from_db()
    help_request.refresh_from_db()
    assert event.occurred_at == event.received_at
    assert fine.occurred_at == datetime(2026, 11, 2, tzinfo=UTC)
    assert help_request.requested_at == help_request.received_at
    assert sorted(
        AuditEvent.objects.filter(verb="data.repaired").values_list("target_type", "target_id")
    ) == [
        ("commitments.fulfilmentevent", str(event.pk)),
        ("complaints.helprequest", str(help_request.pk)),
    ]
