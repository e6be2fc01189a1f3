"""The transactional outbox: compensation work committed with the breaches that need it.

A request that breaches commitments writes ``OutboxMessage`` rows in its own transaction. After
commit it offers them to the broker once, without retrying: a broker that is down costs the request
nothing (it still answers 2xx) and the messages wait. The relay (``commitments.outbox_relay``, every
20 seconds from beat) publishes what is still unpublished, and what was published but not done
after ``REPUBLISH_AFTER`` (a lost worker). The worker runs ``outbox_process``; paying is idempotent
(one voucher per breach × level by constraint), so a message delivered twice still pays once.
"""

import logging
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from celery import current_app
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from ..models import OutboxMessage
from .payments import breaches_compensate

logger = logging.getLogger(__name__)

DELIVER_TASK = "commitments.outbox_deliver"
CHUNK = 1000
REPUBLISH_AFTER = timedelta(minutes=10)

_DEFER_COMPENSATION: ContextVar[bool] = ContextVar("commitments_defer_compensation", default=False)


@contextmanager
def compensation_deferred():
    """Within this block new breaches are not queued for compensation: the caller (the demo's bulk
    path, a benchmark) pays them itself, or leaves them to the backlog job."""
    token = _DEFER_COMPENSATION.set(True)
    try:
        yield
    finally:
        _DEFER_COMPENSATION.reset(token)


def outbox_enqueue_compensation(breach_ids: list[int]) -> list[int]:
    """Inside the caller's transaction: record that these breaches are to be paid; publish after commit."""
    if not breach_ids or _DEFER_COMPENSATION.get():
        return []
    ids = sorted(breach_ids)
    messages = OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(topic=OutboxMessage.Topic.COMPENSATE, payload={"breach_ids": ids[i : i + CHUNK]})
            for i in range(0, len(ids), CHUNK)
        ]
    )
    message_ids = [m.pk for m in messages if m.pk is not None]
    if message_ids:
        transaction.on_commit(lambda: outbox_publish(message_ids=message_ids))
    return message_ids


def _send(message_ids: list[int]) -> list[int]:
    """Offer messages to the broker once each, on one connection that does not retry (eager mode:
    run them now). Stops at the first broker error; returns the ids sent. Never raises for a broker
    that does not answer: a request must not wait on, or fail because of, the broker."""
    sent = []
    task = current_app.tasks[DELIVER_TASK]
    if current_app.conf.task_always_eager:  # no broker configured (demo, tests): run them now
        for pk in message_ids:
            task.apply(args=[pk], throw=True)
            sent.append(pk)
        OutboxMessage.objects.filter(pk__in=sent).update(attempts=F("attempts") + 1)
        return sent
    options = {**(current_app.conf.broker_transport_options or {}), "max_retries": 0}
    try:
        with current_app.connection_for_write(transport_options=options) as connection:
            for pk in message_ids:
                task.apply_async(args=[pk], retry=False, connection=connection)
                sent.append(pk)
    except Exception:  # noqa: BLE001 - kombu/redis errors vary; the relay publishes the rest later
        logger.warning("broker unavailable: outbox messages %s left for the relay", message_ids[len(sent) :])
        OutboxMessage.objects.filter(pk__in=message_ids[len(sent) : len(sent) + 1]).update(
            attempts=F("attempts") + 1
        )
    if sent:
        OutboxMessage.objects.filter(pk__in=sent).update(attempts=F("attempts") + 1)
    return sent


def outbox_publish(*, message_ids: list[int]) -> int:
    """After commit: publish the messages; those the broker did not take wait for the relay."""
    sent = _send(message_ids)
    OutboxMessage.objects.filter(pk__in=sent, published_at__isnull=True).update(published_at=timezone.now())
    return len(sent)


def outbox_relay(*, now=None, limit: int = 500) -> int:
    """Publish messages not yet published, or published long ago and still not done. Safe to run
    twice, and concurrently: rows are claimed with SKIP LOCKED and stamped before they are sent."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(done_at__isnull=True)
            .filter(Q(published_at__isnull=True) | Q(published_at__lt=now - REPUBLISH_AFTER))
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        OutboxMessage.objects.filter(pk__in=ids).update(published_at=now)
    if not ids:
        return 0
    sent = _send(ids)
    unsent = sorted(set(ids) - set(sent))
    if unsent:
        OutboxMessage.objects.filter(pk__in=unsent, done_at__isnull=True).update(published_at=None)
    return len(sent)


def outbox_process(*, message_id: int) -> dict | None:
    """The worker side: pay the message's breaches, then mark it done. None when already done."""
    message = OutboxMessage.objects.filter(pk=message_id, done_at__isnull=True).first()
    if message is None:
        return None
    result = {}
    if message.topic == OutboxMessage.Topic.COMPENSATE:
        result = breaches_compensate(breach_ids=list(message.payload.get("breach_ids", [])))
    OutboxMessage.objects.filter(pk=message_id, done_at__isnull=True).update(done_at=timezone.now())
    return result


def outbox_purge_done(*, older_than: timedelta = timedelta(days=7), now=None) -> int:
    """Delete messages done long ago (the outbox is a queue, not a log)."""
    now = now or timezone.now()
    deleted, _ = OutboxMessage.objects.filter(done_at__lt=now - older_than).delete()
    return deleted
