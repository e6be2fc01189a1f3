"""Races on PostgreSQL: row locks decide, the loser gets a 409-class error, nothing is doubled."""

import threading

import pytest
from django.db import connection

from core.errors import ApplicationError
from tags.models import HoldingEvent, TagApplication, TagHolding
from tags.services import application_approve, application_create, application_sign, application_submit
from tests.factories import category

from .factories import fund, tag

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            outcomes[i] = ("ok", call())
        except ApplicationError as exc:
            outcomes[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_two_reviewers_approve_at_once(merchant_a, owner_a, staff_reviewer, no_metric_providers):
    from tests.factories import UserFactory

    other = UserFactory(username="reviewer2", roles=["staff_reviewer"])
    fund(merchant_a)
    app = application_create(
        merchant=merchant_a, category=category(), tag=tag("sf_free_shipping"), config={"warehouse": True}
    )
    application_submit(application_id=app.pk, merchant=merchant_a)
    application_sign(
        application_id=app.pk, merchant=merchant_a, actor=owner_a, signer_name="王海", accept=True
    )
    outcomes = _race(
        lambda: application_approve(application_id=app.pk, actor=staff_reviewer),
        lambda: application_approve(application_id=app.pk, actor=other),
    )
    assert sorted(o[0] for o in outcomes) == ["error", "ok"]
    assert next(o[1] for o in outcomes if o[0] == "error").status_code == 409
    assert TagHolding.objects.filter(merchant=merchant_a).count() == 1
    assert HoldingEvent.objects.filter(holding__merchant=merchant_a, kind="granted").count() == 1


def test_exclusive_tags_submitted_at_once(merchant_a, no_metric_providers):
    fund(merchant_a)
    a = application_create(merchant=merchant_a, category=category(), tag=tag("ship_24h"))
    b = application_create(merchant=merchant_a, category=category(), tag=tag("ship_48h"))
    _race(
        lambda: application_submit(application_id=a.pk, merchant=merchant_a),
        lambda: application_submit(application_id=b.pk, merchant=merchant_a),
    )
    states = sorted(TagApplication.objects.filter(pk__in=[a.pk, b.pk]).values_list("state", flat=True))
    assert states == ["awaiting_agreement", "rejected"]
