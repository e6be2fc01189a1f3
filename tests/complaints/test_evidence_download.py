"""Evidence is served only through access-checked views, never as public media."""

import pytest

from complaints.services.evidence import evidence_store

from .conftest import PNG, png
from .test_surfaces import _awaiting

pytestmark = pytest.mark.django_db


def test_api_evidence_download_permission_matrix(
    api_for, api, merchant_a, owner_a, owner_b, staff_adjudicator
):
    complaint = _awaiting(merchant_a)
    (item,) = evidence_store(complaint=complaint, party="shopper", files=[png("shop.html")])
    url = f"/api/v1/complaints/evidence/{item.pk}"

    own = api_for(owner_a).get(url)
    assert own.status_code == 200
    assert own["Content-Type"] == "image/png"  # from the bytes, never from the name "shop.html"
    assert b"".join(own.streaming_content) == PNG
    assert api_for(staff_adjudicator).get(url).status_code == 200
    other = api_for(owner_b).get(url)
    assert other.status_code == 404
    assert other.json()["code"] == "not_found"
    assert api.get(url).status_code in (401, 403)

    detail = api_for(owner_a).get(f"/api/v1/merchant/complaints/{complaint.pk}").json()
    assert detail["evidence"][0]["url"] == url


def test_media_is_not_served_publicly(client, merchant_a):
    complaint = _awaiting(merchant_a)
    (item,) = evidence_store(complaint=complaint, party="shopper", files=[png()])
    assert client.get("/media/" + item.file.name).status_code == 404
