"""commitments.services.transitions: every commitment state change reads Commitment.ALLOWED_TRANSITIONS."""

from datetime import UTC, datetime

import pytest

from commitments.models import Commitment
from commitments.services import commitment_move, commitments_move
from commitments.services.transitions import commitment_sources
from core.errors import InvalidTransition

from .factories import place_order

pytestmark = pytest.mark.django_db

P = Commitment.State
PAID = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)


def _commitments(product, n: int) -> list[Commitment]:
    orders = [place_order(product, paid_at=PAID, shopper_ref=f"s{i}") for i in range(n)]
    return list(Commitment.objects.filter(order__in=orders, tag__code="ship_24h").order_by("pk"))


def test_the_sources_of_a_state_come_from_the_table():
    assert commitment_sources(P.BREACHED) == {P.PENDING, P.MET}
    assert commitment_sources(P.COMPENSATED) == {P.BREACHED}
    assert commitment_sources(P.EXEMPTED) == {P.PENDING, P.BREACHED}
    assert commitment_sources(P.PENDING) == set()


def test_a_set_moves_only_the_rows_still_in_an_allowed_state(product):
    first, second, third = _commitments(product, 3)
    commitments_move(ids=[second.pk], to=P.MET, now=NOW, resolved_at=NOW)

    moved = commitments_move(ids=[first.pk, second.pk, third.pk], to=P.EXEMPTED, now=NOW, resolved_at=NOW)

    # met → exempted is not in the table: the second stays met.
    assert moved == 2
    assert dict(Commitment.objects.filter(tag__code="ship_24h").values_list("pk", "state")) == {
        first.pk: P.EXEMPTED,
        second.pk: P.MET,
        third.pk: P.EXEMPTED,
    }
    assert Commitment.objects.get(pk=first.pk).resolved_at == NOW


def test_a_set_move_naming_a_state_the_table_does_not_allow_is_refused(product):
    (commitment,) = _commitments(product, 1)
    with pytest.raises(ValueError, match="cannot move from \\['met'\\] to 'exempted'"):
        commitments_move(ids=[commitment.pk], to=P.EXEMPTED, from_states=(P.MET,), now=NOW)
    assert Commitment.objects.get(pk=commitment.pk).state == P.PENDING


def test_one_row_moves_along_the_table_and_saves_only_its_fields(product):
    (commitment,) = _commitments(product, 1)
    commitment_move(commitment, to=P.BREACHED, resolved_at=NOW)
    commitment.refresh_from_db()
    assert (commitment.state, commitment.resolved_at) == (P.BREACHED, NOW)


def test_one_row_refuses_a_move_outside_the_table_and_nothing_changes(product):
    (commitment,) = _commitments(product, 1)
    before = Commitment.objects.get(pk=commitment.pk)
    with pytest.raises(InvalidTransition) as caught:
        commitment_move(commitment, to=P.COMPENSATED)
    assert caught.value.message == "commitment cannot move from 'pending' to 'compensated'"
    assert caught.value.fields == {"state": ["current state is 'pending'"]}
    after = Commitment.objects.get(pk=commitment.pk)
    assert (after.state, after.updated_at) == (P.PENDING, before.updated_at)
