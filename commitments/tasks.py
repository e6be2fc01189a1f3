"""Celery tasks of the commitments app: take ids, call a service."""

from celery import shared_task

from . import services


@shared_task(name="commitments.sweep", soft_time_limit=600, time_limit=660)
def sweep() -> dict:
    run = services.commitments_sweep()
    return {"run": run.pk, "breached": run.breached, "exempted": run.exempted, "batches": run.batches}


@shared_task(name="commitments.compensate_breaches", soft_time_limit=600, time_limit=660)
def compensate_breaches(breach_ids: list[int]) -> dict:
    return services.breaches_compensate(breach_ids=breach_ids)


@shared_task(name="commitments.compensate_backlog", soft_time_limit=600, time_limit=660)
def compensate_backlog() -> dict:
    """Breaches whose compensation task was lost (worker crash): pay them now."""
    return services.breaches_compensate(breach_ids=services.breaches_uncompensated_ids())


@shared_task(name="commitments.expire_vouchers")
def expire_vouchers() -> int:
    return services.vouchers_expire()


@shared_task(name="commitments.outbox_deliver", soft_time_limit=600, time_limit=660)
def outbox_deliver(message_id: int) -> dict | None:
    return services.outbox_process(message_id=message_id)


@shared_task(name="commitments.outbox_relay", soft_time_limit=120, time_limit=150)
def outbox_relay() -> int:
    """Publish outbox messages the broker did not take at commit time (it was down)."""
    return services.outbox_relay()


@shared_task(name="commitments.outbox_purge")
def outbox_purge() -> int:
    return services.outbox_purge_done()


@shared_task(name="commitments.repair_ticket_send", soft_time_limit=60, time_limit=90)
def repair_ticket_send(ticket_id: int) -> str:
    return services.repair_ticket_send(ticket_id=ticket_id).state


@shared_task(name="commitments.flag_late_repair_tickets", soft_time_limit=240, time_limit=300)
def flag_late_repair_tickets() -> int:
    """Repair tickets past the brand's response or repair deadline: flag them, breach the promise."""
    return services.repair_tickets_flag_late()
