"""Evidence files: stored under generated names, and never left on disk when the write rolls back."""

import os
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from complaints.models import Appeal, Complaint, Evidence
from complaints.services import (
    complaint_accept,
    complaint_appeal_file,
    complaint_decide,
    complaint_file,
    complaint_merchant_respond,
)
from complaints.services.evidence import evidence_store
from core.models import AuditEvent

from .conftest import PNG, pdf, png
from .factories import ComplaintFactory, OrderFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/integration/complaints"
NOW = datetime(2024, 3, 4, 3, 0, tzinfo=UTC)


def _files_on_disk(settings) -> list[str]:
    return sorted(
        os.path.relpath(os.path.join(folder, name), settings.MEDIA_ROOT)
        for folder, _dirs, names in os.walk(settings.MEDIA_ROOT)
        for name in names
    )


class Boom(Exception):
    pass


def _boom(*args, **kwargs):
    raise Boom


def _file(order, **extra):
    args = {
        "external_id": "CMP-RB",
        "order_external_id": order.external_id,
        "standard_code": "logistics",
        "text": "没有送货上门",
        "filed_at": NOW,
        "files": [png(), pdf()],
    }
    args.update(extra)
    return complaint_file(**args)


def test_stored_name_is_generated_and_the_original_name_kept(settings, merchant_a):
    complaint, _created = _file(OrderFactory(merchant=merchant_a), files=[png("我的 照片.png"), pdf()])
    items = list(Evidence.objects.filter(complaint=complaint).order_by("id"))
    assert [e.original_name for e in items] == ["我的 照片.png", "proof.pdf"]
    assert [os.path.splitext(e.file.name)[1] for e in items] == [".png", ".pdf"]
    assert all("照片" not in e.file.name and "proof" not in e.file.name for e in items)
    assert _files_on_disk(settings) == sorted(e.file.name for e in items)


def test_a_file_name_too_long_for_the_path_column_is_stored(api_for, integration_user, merchant_a, settings):
    """An upload name with a 150-character extension once ended in Django's bare HTML 400."""
    order = OrderFactory(merchant=merchant_a)
    upload = SimpleUploadedFile("a." + "p" * 150, PNG, content_type="image/png")
    data = {
        "external_id": "CMP-LONG",
        "order": order.external_id,
        "standard": "logistics",
        "text": "没有送货上门",
        "filed_at": "2024-03-04T10:00:00+08:00",
        "evidence": [upload],
    }
    response = api_for(integration_user).post(URL, data, format="multipart")
    assert response.status_code == 201, response.content
    [item] = Evidence.objects.all()
    assert item.original_name == "a." + "p" * 150
    assert _files_on_disk(settings) == [item.file.name]


def test_filing_that_rolls_back_after_storing_files_leaves_no_file(settings, merchant_a, monkeypatch):
    monkeypatch.setattr("complaints.services.filing.audit_record", _boom)
    with pytest.raises(Boom):
        _file(OrderFactory(merchant=merchant_a))
    assert Complaint.objects.count() == Evidence.objects.count() == 0
    assert _files_on_disk(settings) == []


def test_response_that_rolls_back_after_storing_files_leaves_no_file(settings, merchant_a, monkeypatch):
    complaint = ComplaintFactory(order__merchant=merchant_a)
    complaint_accept(complaint_id=complaint.pk, now=NOW)
    monkeypatch.setattr("complaints.services.workflow.transition", _boom)
    with pytest.raises(Boom):
        complaint_merchant_respond(
            complaint_id=complaint.pk, merchant_id=merchant_a.pk, text="已送货", files=[png()]
        )
    complaint.refresh_from_db()
    assert (complaint.state, complaint.response_text) == ("awaiting_merchant", "")
    assert Evidence.objects.count() == 0
    assert _files_on_disk(settings) == []


def test_appeal_that_rolls_back_after_storing_files_leaves_no_file(settings, merchant_a, monkeypatch):
    complaint = ComplaintFactory(order__merchant=merchant_a, state="under_review")
    complaint_decide(
        complaint_id=complaint.pk,
        outcome="upheld",
        responsibility="merchant",
        reason="成立",
        compensation_amount=Decimal("10"),
        now=NOW,
    )
    monkeypatch.setattr("complaints.services.appeals.audit_record", _boom)
    with pytest.raises(Boom):
        complaint_appeal_file(
            complaint_id=complaint.pk,
            merchant_id=merchant_a.pk,
            reason="签收单",
            files=[png(), pdf()],
            now=NOW + timedelta(days=1),
        )
    assert Appeal.objects.count() == Evidence.objects.count() == 0
    assert _files_on_disk(settings) == []
    assert not AuditEvent.objects.filter(verb="complaint.appeal_filed").exists()


def test_store_without_a_guard_removes_its_own_files_when_a_row_fails(settings, merchant_a, monkeypatch):
    complaint = ComplaintFactory(order__merchant=merchant_a)
    calls = {"n": 0}
    real_save = Evidence.save

    def second_save_fails(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise Boom
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Evidence, "save", second_save_fails)
    with pytest.raises(Boom):
        evidence_store(complaint=complaint, party="shopper", files=[png(), pdf()])
    assert _files_on_disk(settings) == []


def _evidence_named(complaint, name: str, content: bytes, party: str = "merchant") -> Evidence:
    [item] = evidence_store(
        complaint=complaint, party=party, files=[SimpleUploadedFile(name, content, content_type="text/html")]
    )
    return item


def test_evidence_is_served_as_its_real_type_not_as_its_name_says(
    client, merchant_a, owner_a, staff_reviewer
):
    """A PNG-prefixed script named .html was served as text/html: stored XSS in a staff session."""
    complaint = ComplaintFactory(order__merchant=merchant_a)
    item = _evidence_named(complaint, "evil.html", PNG + b"<script>alert(document.cookie)</script>")
    client.force_login(staff_reviewer)
    response = client.get(f"/staff/complaints/evidence/{item.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(owner_a)
    response = client.get(f"/office/complaints/evidence/{item.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    pdf_item = _evidence_named(complaint, "notes.svg", b"%PDF-1.4\n<svg onload=alert(1)>")
    assert client.get(f"/office/complaints/evidence/{pdf_item.pk}/")["Content-Type"] == "application/pdf"


def test_evidence_of_unknown_type_is_a_download(client, merchant_a, staff_reviewer):
    complaint = ComplaintFactory(order__merchant=merchant_a)
    item = _evidence_named(complaint, "page.html", b"<html><script>alert(1)</script></html>")
    client.force_login(staff_reviewer)
    response = client.get(f"/staff/complaints/evidence/{item.pk}/")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


def test_evidence_row_without_its_file_is_a_404(client, merchant_a, owner_a, staff_reviewer):
    complaint = ComplaintFactory(order__merchant=merchant_a)
    item = complaint.evidence.create(
        party="shopper", original_name="x.png", size=1, file="complaints/gone.png"
    )
    client.force_login(staff_reviewer)
    assert client.get(f"/staff/complaints/evidence/{item.pk}/").status_code == 404
    client.force_login(owner_a)
    assert client.get(f"/office/complaints/evidence/{item.pk}/").status_code == 404


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_double_filing_makes_one_complaint_and_leaves_one_set_of_files(settings, merchant_a):
    import threading

    from django.db import connection

    order = OrderFactory(merchant=merchant_a)
    barrier = threading.Barrier(4)
    results: list = []

    def worker():
        try:
            barrier.wait()
            complaint, created = _file(order)
            results.append((complaint.pk, created))
        except Exception as exc:  # collected and asserted below
            results.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    complaint = Complaint.objects.get()
    assert sorted(results, key=str) == sorted([(complaint.pk, True)] + [(complaint.pk, False)] * 3, key=str)
    items = list(Evidence.objects.filter(complaint=complaint))
    assert len(items) == 2
    assert _files_on_disk(settings) == sorted(e.file.name for e in items)
