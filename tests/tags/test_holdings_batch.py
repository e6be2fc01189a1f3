"""tags.services.holdings_change_many: the monthly evaluation's batch of holding moves, which must do
exactly what the single services do (state, history, badges, audit), skip holdings that moved, and
take a fixed number of queries whatever the number of merchants."""

from datetime import date

import pytest

from core.models import AuditEvent
from core.texts import Text
from tags.models import BadgeEvent, BadgeHolding, HoldingEvent, TagHolding
from tags.services import (
    BAR,
    RESTORE,
    REVOKE,
    HoldingChange,
    holding_bar,
    holding_restore,
    holding_revoke,
    holdings_change_many,
)
from tests.factories import MerchantFactory

from .factories import grant_badge_set

pytestmark = pytest.mark.django_db
REASON = Text("text", {"text": "evaluation 2026-10"})
NOV, FEB = date(2026, 11, 1), date(2027, 2, 1)


def _marks():
    return tuple(
        (m.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
        for m in (HoldingEvent, BadgeEvent, AuditEvent)
    )


def _state(merchant_ids, since=(0, 0, 0)):
    """What the moves wrote after `since` (event ids), shop codes reduced to their number."""
    shop = lambda code: code[1:]  # noqa: E731
    holdings = sorted(
        (shop(c), t, st, rm, bu)
        for c, t, st, rm, bu in TagHolding.objects.filter(merchant_id__in=merchant_ids).values_list(
            "merchant__shop_code", "tag__code", "state", "rectification_month", "barred_until"
        )
    )
    history = sorted(
        (shop(c), *rest)
        for c, *rest in HoldingEvent.objects.filter(holding__merchant_id__in=merchant_ids, pk__gt=since[0])
        .values_list("holding__merchant__shop_code", "holding__tag__code", "kind", "reason_code", "reason_params")
    )  # fmt: skip
    badges = sorted(
        (shop(c), active)
        for c, active in BadgeHolding.objects.filter(merchant_id__in=merchant_ids).values_list(
            "merchant__shop_code", "active"
        )
    )
    badge_events = sorted(
        (shop(c), *rest)
        for c, *rest in BadgeEvent.objects.filter(holding__merchant_id__in=merchant_ids, pk__gt=since[1])
        .values_list("holding__merchant__shop_code", "kind", "reason_code", "reason_params")
    )  # fmt: skip
    audits = sorted(
        (verb, data.get("reason"), data.get("rectification_month"), data.get("until"), sorted(data.get("badges", {}).items()))
        for verb, data in AuditEvent.objects.filter(pk__gt=since[2], verb__startswith="tag.holding_")
        .values_list("verb", "data")
    )  # fmt: skip
    return holdings, history, badges, badge_events, audits


def _world(prefix):
    """Three shops holding their badge's tags; the third has one tag in rectification already."""
    shops = [MerchantFactory(shop_code=f"{prefix}{i}") for i in range(3)]
    sets = [grant_badge_set(m) for m in shops]
    holding_revoke(holding_id=sets[2][0].pk, reason=REASON, rectification_month=NOV)
    return shops, sets


def test_batch_equals_the_single_services_and_skips_what_moved(django_assert_max_num_queries):
    shops, sets = _world("S")
    since = _marks()
    holding_revoke(holding_id=sets[0][0].pk, reason=REASON, rectification_month=NOV)
    holding_revoke(holding_id=sets[0][1].pk, reason=REASON, rectification_month=NOV)
    holding_bar(holding_id=sets[1][2].pk, until=FEB, reason=REASON)
    holding_restore(holding_id=sets[2][0].pk, reason=REASON)
    singles = _state([m.pk for m in shops], since)

    shops, sets = _world("T")
    since = _marks()
    changes = [
        HoldingChange(sets[0][0].pk, REVOKE, REASON, NOV),
        HoldingChange(sets[0][1].pk, REVOKE, REASON, NOV),
        HoldingChange(sets[1][2].pk, BAR, REASON, FEB),
        HoldingChange(sets[2][0].pk, RESTORE, REASON),
        HoldingChange(sets[2][1].pk, RESTORE, REASON),  # active, not in rectification: skipped
    ]
    with django_assert_max_num_queries(24):
        applied = holdings_change_many(changes)
    assert applied == {
        sets[0][0].pk: True, sets[0][1].pk: True, sets[1][2].pk: True, sets[2][0].pk: True, sets[2][1].pk: False,
    }  # fmt: skip
    batch = _state([m.pk for m in shops], since)
    assert batch[0] == singles[0]  # holdings: states, rectification months, bars
    assert batch[1] == singles[1]  # holding history
    assert batch[2] == singles[2]  # badges
    assert batch[4] == singles[4]  # audit
    # Badge history: the same kinds; the recorded cause is the merchant's first moved holding.
    assert [(s, k) for s, k, *_ in batch[3]] == [(s, k) for s, k, *_ in singles[3]]


def test_query_count_does_not_grow_with_merchants(django_assert_max_num_queries):
    worlds = [grant_badge_set(MerchantFactory(shop_code=f"Q{i}")) for i in range(6)]
    with django_assert_max_num_queries(24):
        applied = holdings_change_many([HoldingChange(w[0].pk, REVOKE, REASON, NOV) for w in worlds])
    assert applied == {w[0].pk: True for w in worlds}
    assert TagHolding.objects.filter(state="rectifying", rectification_month=NOV).count() == 6
    assert BadgeHolding.objects.filter(active=True).count() == 0
    assert AuditEvent.objects.filter(verb="tag.holding_revoked").count() == 6


def test_a_rerun_changes_nothing():
    shops, sets = _world("R")
    changes = [HoldingChange(sets[0][0].pk, REVOKE, REASON, NOV)]
    assert holdings_change_many(changes) == {sets[0][0].pk: True}
    before = _state([m.pk for m in shops])
    assert holdings_change_many(changes) == {sets[0][0].pk: False}
    assert _state([m.pk for m in shops]) == before
