import io
import random

import pytest
from django.utils import timezone

from merchants import demo as merchants_demo
from tags import demo
from tags.models import BadgeEvent, BadgeHolding, CategoryBadge, HoldingEvent, TagApplication, TagHolding

pytestmark = pytest.mark.django_db


def test_demo_generates_a_realistic_mix():
    now = timezone.now()
    out = merchants_demo.generate(
        rng=random.Random(1), merchant_ids=[], now=now, stdout=io.StringIO(), scale={"merchants": 120}
    )
    figures = demo.generate(
        rng=random.Random(2), merchant_ids=out["merchant_ids"], now=now, stdout=io.StringIO(), scale={}
    )
    assert figures["holdings"] == TagHolding.objects.count() > 120
    assert figures["badges"] <= BadgeHolding.objects.filter(active=True).count()
    assert TagApplication.objects.filter(state="under_review").count() == figures["awaiting_review"] > 0
    assert TagApplication.objects.filter(state="rejected").exclude(rejection_reason="").exists()
    # the bulk-written history is stored as codes + parameters (core.texts), as the services write it
    for model in (HoldingEvent, BadgeEvent):
        assert model.objects.exclude(reason="").filter(reason_code="").count() == 0
    assert HoldingEvent.objects.filter(reason_code="holding.application_approved").count() > 120
    assert BadgeEvent.objects.filter(reason_code="badge.all_tags_held").exists()
    # every active badge is backed by every required tag
    for bh in BadgeHolding.objects.filter(active=True).select_related("badge"):
        required = set(CategoryBadge.objects.get(pk=bh.badge_id).required_tags.values_list("pk", flat=True))
        held = set(
            TagHolding.objects.filter(
                merchant_id=bh.merchant_id, category=bh.badge.category_id, state="active"
            ).values_list("tag_id", flat=True)
        )
        assert required <= held
