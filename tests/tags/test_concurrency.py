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


def test_every_application_write_locks_the_merchant_before_the_application(
    merchant_a, owner_a, staff_reviewer, no_metric_providers
):
    """One lock order (merchant, then application): else a sign or approve (application first, then
    the merchant in holding_grant) can deadlock against a submit of the same application."""
    from django.test.utils import CaptureQueriesContext

    from tags.services import application_reject
    from tags.services.applications import application_update_config

    def first_lock(call) -> str:
        with CaptureQueriesContext(connection) as ctx:
            call()
        locks = [q["sql"] for q in ctx.captured_queries if "FOR UPDATE" in q["sql"]]
        return locks[0].split(" FROM ")[1].split()[0].strip('"')

    fund(merchant_a)
    draft = application_create(merchant=merchant_a, category=category(), tag=tag("ship_24h"))
    assert (
        first_lock(lambda: application_update_config(application_id=draft.pk, merchant=merchant_a, config={}))
        == "merchants_merchant"
    )
    assert first_lock(lambda: application_submit(application_id=draft.pk, merchant=merchant_a)) == (
        "merchants_merchant"
    )
    sign = lambda app_id: application_sign(  # noqa: E731
        application_id=app_id, merchant=merchant_a, actor=owner_a, signer_name="王海", accept=True
    )
    assert first_lock(lambda: sign(draft.pk)) == "merchants_merchant"
    for decide in (
        lambda app_id: application_approve(application_id=app_id, actor=staff_reviewer),
        lambda app_id: application_reject(application_id=app_id, actor=staff_reviewer, reason="no proof"),
    ):
        app = application_create(
            merchant=merchant_a, category=category(), tag=tag("sf_free_shipping"), config={"warehouse": True}
        )
        application_submit(application_id=app.pk, merchant=merchant_a)
        sign(app.pk)
        assert first_lock(lambda app_id=app.pk, decide=decide: decide(app_id)) == "merchants_merchant"
        if TagHolding.objects.filter(
            merchant=merchant_a, tag__code="sf_free_shipping", state="active"
        ).exists():
            TagHolding.objects.filter(merchant=merchant_a, tag__code="sf_free_shipping").delete()
