"""The demo at a realistic scale: most shops have a full experience score with peers, a few have a
warning or too few orders, and the flagship store of every category can apply for a tag and get it.

One demo run (80 merchants, the default orders per merchant) serves every assertion, on a fixed date
so that the months the evaluation judges are always the same.
"""

from datetime import UTC, datetime
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, Q

from merchants.demo import FLAGSHIPS, flagship_ids
from merchants.models import Category, Membership, Merchant
from scoring.models import MerchantScore, ScoreFigure, ScoreRun
from tags.demo import FLAGSHIP_APPLICATION
from tags.models import ApplicationCheck, Tag, TagHolding
from tags.services import application_approve, application_create, application_sign, application_submit

pytestmark = pytest.mark.django_db

SEEDED_AT = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
MERCHANTS = 80


@pytest.fixture
def demo_at_scale(settings):
    settings.DEBUG = True  # the demo command refuses to seed otherwise
    with time_machine.travel(SEEDED_AT, tick=False):
        call_command("demo", seed=42, merchants=MERCHANTS, stdout=StringIO())
    settings.DEBUG = False


def test_most_shops_have_every_part_a_total_and_peers(demo_at_scale):
    day = datetime(2026, 11, 20, tzinfo=UTC).date()
    # The daily job computed them, one run per day of the trend.
    assert ScoreRun.objects.filter(state=ScoreRun.State.DONE).count() == 14
    rows = MerchantScore.objects.filter(day=day)
    every_part = Q(product__isnull=False, dispatch__isnull=False, logistics__isnull=False)
    every_part &= Q(basic_service__isnull=False)
    figures = rows.aggregate(
        scored=Count("pk"),
        with_total=Count("pk", filter=Q(total__isnull=False)),
        every_part=Count("pk", filter=every_part & Q(total__isnull=False)),
        warning=Count("pk", filter=Q(warning=True)),
        too_few=Count("pk", filter=Q(total__isnull=True, orders__lt=30)),
    )
    merchants = Merchant.objects.count()
    assert merchants == MERCHANTS
    assert figures["with_total"] / merchants >= 0.7
    assert figures["every_part"] == figures["with_total"]
    assert 1 <= figures["warning"] <= 0.15 * merchants
    assert figures["too_few"] >= 1

    # At least 10 peers with a total in every main category, and the peer level is shown.
    peers = dict(
        rows.filter(total__isnull=False).values_list("category__code").annotate(n=Count("pk")).order_by()
    )
    assert set(peers) == set(Category.objects.values_list("code", flat=True))
    assert min(peers.values()) >= 10
    totals = ScoreFigure.objects.filter(day=day, code="total", in_peers=True)
    assert not totals.filter(Q(peer_percentile__isnull=True) | Q(peer_count__lt=10)).exists()


def test_the_flagship_of_every_category_can_apply_for_a_tag_and_get_it(demo_at_scale):
    flagships = flagship_ids(Merchant.objects.values_list("pk", flat=True))
    assert set(flagships) == set(FLAGSHIPS)
    tag = Tag.objects.get(code=FLAGSHIP_APPLICATION)
    reviewer = get_user_model().objects.get(username="reviewer")
    for category, merchant_id in flagships.items():
        merchant = Merchant.objects.select_related("main_category").get(pk=merchant_id)
        assert merchant.main_category.code == category
        assert not TagHolding.objects.filter(merchant=merchant, tag=tag).exists()
        owner = Membership.objects.get(merchant=merchant, role="merchant_owner").user

        with time_machine.travel(SEEDED_AT, tick=False):
            app = application_create(
                merchant=merchant, category=merchant.main_category, tag=tag, config={}, actor=owner
            )
            app = application_submit(application_id=app.pk, actor=owner)
            failed = ApplicationCheck.objects.filter(application=app).exclude(status="passed")
            assert list(failed.values_list("code", "detail")) == []
            assert app.state == "awaiting_agreement"
            app = application_sign(
                application_id=app.pk, merchant=merchant, actor=owner, signer_name=owner.username, accept=True
            )
            if app.state == "under_review":
                app = application_approve(application_id=app.pk, actor=reviewer, note="资料齐全")

        assert app.state == "active", category
        holding = TagHolding.objects.get(merchant=merchant, tag=tag)
        assert holding.state == TagHolding.State.ACTIVE
