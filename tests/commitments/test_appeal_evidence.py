"""Breach-appeal evidence on the one evidence store: generated names, nothing left when the write rolls back."""

import os
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from commitments.models import AppealEvidence, Breach, BreachAppeal
from commitments.services import breach_appeal_submit

from .factories import place_order, send_event

pytestmark = pytest.mark.django_db

PAID = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"0" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _files_on_disk(settings) -> list[str]:
    return sorted(
        os.path.relpath(os.path.join(folder, name), settings.MEDIA_ROOT)
        for folder, _dirs, names in os.walk(settings.MEDIA_ROOT)
        for name in names
    )


def _files():
    return [
        SimpleUploadedFile("签收单 照片.png", PNG, content_type="image/png"),
        SimpleUploadedFile("proof.pdf", PDF, content_type="application/pdf"),
    ]


@pytest.fixture
def breach(product):
    order = place_order(product, paid_at=PAID)
    with time_machine.travel(PAID + timedelta(hours=30), tick=False):
        send_event(order, "pickup_scanned", PAID + timedelta(hours=28), carrier="SF")
    return Breach.objects.get(commitment__order=order)


def test_stored_names_are_generated_and_the_upload_names_kept(settings, breach):
    with time_machine.travel(breach.detected_at + timedelta(days=1), tick=False):
        breach_appeal_submit(
            breach_id=breach.pk, merchant=breach.merchant, text="scan was late", files=_files()
        )
    items = list(AppealEvidence.objects.order_by("pk"))
    assert [e.name for e in items] == ["签收单 照片.png", "proof.pdf"]
    assert [os.path.splitext(e.file.name)[1] for e in items] == [".png", ".pdf"]
    assert all("照片" not in e.file.name and "proof" not in e.file.name for e in items)
    assert _files_on_disk(settings) == sorted(e.file.name for e in items)


class Boom(Exception):
    pass


def _boom(*args, **kwargs):
    raise Boom


def test_an_appeal_that_rolls_back_after_storing_files_leaves_no_file(settings, breach, monkeypatch):
    monkeypatch.setattr("commitments.services.appeals.audit_record", _boom)
    with time_machine.travel(breach.detected_at + timedelta(days=1), tick=False), pytest.raises(Boom):
        breach_appeal_submit(
            breach_id=breach.pk, merchant=breach.merchant, text="scan was late", files=_files()
        )
    assert BreachAppeal.objects.count() == AppealEvidence.objects.count() == 0
    assert _files_on_disk(settings) == []
