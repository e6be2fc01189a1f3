from datetime import date

import pytest
from django.utils import translation

from core.errors import InvalidTransition
from tags.models import BadgeEvent, BadgeHolding, HoldingEvent, TagHolding
from tags.services import holding_bar, holding_restore, holding_revoke, holding_withdraw

from .factories import grant, grant_badge_set

pytestmark = pytest.mark.django_db


def _badge(merchant, cat="large_appliances"):
    return BadgeHolding.objects.filter(merchant=merchant, badge__category__code=cat).first()


def test_badge_granted_when_the_last_required_tag_is_granted(merchant_a):
    grant(merchant_a, "home_delivery")
    grant(merchant_a, "worry_free_returns")
    assert _badge(merchant_a) is None
    grant(merchant_a, "nationwide_warranty")
    badge = _badge(merchant_a)
    assert badge.active is True
    assert list(badge.history.values_list("kind", flat=True)) == ["granted"]


def test_badge_needs_the_tags_in_its_own_category(merchant_a):
    grant(merchant_a, "home_delivery")
    grant(merchant_a, "worry_free_returns")
    grant(merchant_a, "nationwide_warranty", cat="small_appliances")
    assert _badge(merchant_a) is None


def test_withdraw_revokes_badge_in_the_same_transaction(merchant_a, owner_a):
    holdings = grant_badge_set(merchant_a)
    h = holdings[0]
    holding_withdraw(holding_id=h.pk, actor=owner_a)
    h.refresh_from_db()
    assert h.state == "withdrawn"
    assert h.ended_at is not None
    badge = _badge(merchant_a)
    assert badge.active is False
    events = list(badge.history.values_list("kind", flat=True))
    assert events == ["revoked", "granted"]
    revoked = badge.history.first()
    assert revoked.reason == "Nationwide warranty withdrawn; missing: Nationwide warranty"
    assert (revoked.reason_code, revoked.reason_params) == (
        "badge.missing_tags_after",
        {"cause": {"code": "badge.tag_withdrawn", "params": {"tag": h.tag.code}}, "missing": [h.tag.code]},
    )
    with translation.override("zh-hans"):
        assert revoked.reason_text == "已退出全国联保；缺少：全国联保"
    assert list(h.history.values_list("kind", flat=True)) == ["withdrawn", "granted"]


def test_revoke_enters_rectification_and_revokes_badge(merchant_a, staff_ops):
    holdings = grant_badge_set(merchant_a)
    h = holdings[1]
    holding_revoke(holding_id=h.pk, reason="fault complaint rate 0.8% ≥ 0.5%", actor=staff_ops,
                   rectification_month=date(2026, 12, 1))  # fmt: skip
    h.refresh_from_db()
    assert (h.state, h.rectification_month) == ("rectifying", date(2026, 12, 1))
    assert h.history.first().reason == "fault complaint rate 0.8% ≥ 0.5%"
    assert _badge(merchant_a).active is False


def test_restore_brings_the_badge_back(merchant_a, staff_ops):
    holdings = grant_badge_set(merchant_a)
    h = holdings[0]
    holding_revoke(holding_id=h.pk, reason="failed", actor=staff_ops)
    holding_restore(holding_id=h.pk, reason="rectification month passed", actor=None)
    h.refresh_from_db()
    assert (h.state, h.rectification_month) == ("active", None)
    badge = _badge(merchant_a)
    assert badge.active is True
    assert list(badge.history.values_list("kind", flat=True)) == ["granted", "revoked", "granted"]
    assert list(h.history.values_list("kind", flat=True)) == ["restored", "revoked", "granted"]


def test_invalid_moves_answer_409_and_change_nothing(merchant_a, staff_ops):
    h = grant(merchant_a, "ship_24h")
    with pytest.raises(InvalidTransition):
        holding_restore(holding_id=h.pk, reason="x")
    holding_withdraw(holding_id=h.pk)
    for call in (
        lambda: holding_withdraw(holding_id=h.pk),
        lambda: holding_revoke(holding_id=h.pk, reason="x"),
        lambda: holding_restore(holding_id=h.pk, reason="x"),
    ):
        with pytest.raises(InvalidTransition):
            call()
    h.refresh_from_db()
    assert h.state == "withdrawn"
    assert HoldingEvent.objects.filter(holding=h).count() == 2


def test_bar_after_failed_rectification(merchant_a):
    h = grant(merchant_a, "ship_24h")
    holding_revoke(holding_id=h.pk, reason="failed month")
    holding_bar(holding_id=h.pk, until=date(2027, 4, 1), reason="failed rectification month")
    h.refresh_from_db()
    assert (h.state, h.barred_until) == ("barred", date(2027, 4, 1))


def test_regrant_after_withdrawal_reuses_the_holding(merchant_a):
    h = grant(merchant_a, "ship_24h")
    holding_withdraw(holding_id=h.pk)
    again = grant(merchant_a, "ship_24h")
    assert again.pk == h.pk
    assert again.state == TagHolding.State.ACTIVE
    assert again.ended_at is None


def test_badge_events_only_on_change(merchant_a):
    grant_badge_set(merchant_a)
    grant(merchant_a, "ship_24h")
    assert BadgeEvent.objects.filter(holding__merchant=merchant_a).count() == 1


def test_exclusive_grant_is_refused_as_a_last_guard(merchant_a):
    grant(merchant_a, "ship_24h")
    with pytest.raises(InvalidTransition) as exc:
        grant(merchant_a, "ship_same_day")
    assert exc.value.status_code == 409
    assert TagHolding.objects.filter(merchant=merchant_a).count() == 1
