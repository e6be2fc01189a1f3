"""The one way a commitment's state changes: guarded by `Commitment.ALLOWED_TRANSITIONS`.

Every service that moves commitments calls one of these two, so the table in the model is the
whole truth about which moves exist. A move the table does not list raises InvalidTransition (409)
for one row, and is a programming error (ValueError) for a set: a set-based move only ever names
states the table allows, and the UPDATE's `state IN (...)` is the compare-and-set that leaves rows
another writer moved first untouched.
"""

from django.utils import timezone

from core.errors import check_transition

from ..models import Commitment


def commitment_sources(to: str) -> set[str]:
    """The states from which the table allows moving to `to`."""
    return {state for state, targets in Commitment.ALLOWED_TRANSITIONS.items() if to in targets}


def commitments_move(*, ids, to: str, from_states=None, now=None, **fields) -> int:
    """Move the commitments `ids` still in one of `from_states` (default: every state the table
    allows into `to`) to `to`, setting `fields` too, in one UPDATE. The caller holds the row locks
    when it needs them. Returns how many rows moved."""
    sources = commitment_sources(to)
    from_states = set(sources if from_states is None else from_states)
    if not from_states <= sources:
        refused = sorted(str(state) for state in from_states - sources)
        raise ValueError(f"commitments cannot move from {refused} to '{to}'")
    ids = list(ids)
    if not ids:
        return 0
    return Commitment.objects.filter(pk__in=ids, state__in=sorted(from_states)).update(
        state=to, updated_at=now or timezone.now(), **fields
    )


def commitment_move(commitment: Commitment, *, to: str, **fields) -> None:
    """Move one commitment whose row the caller has locked: check the table, set the state and
    `fields`, save only those."""
    check_transition(
        allowed=Commitment.ALLOWED_TRANSITIONS, current=commitment.state, target=to, what="commitment"
    )
    commitment.state = to
    for name, value in fields.items():
        setattr(commitment, name, value)
    commitment.save(update_fields=["state", *fields, "updated_at"])
