"""Celery tasks of the desk: take nothing or ids, call a service."""

from celery import shared_task

from .services import complaints_escalate_overdue, complaints_lapse_responses


@shared_task(name="complaints.lapse_merchant_responses", soft_time_limit=240, time_limit=300)
def lapse_merchant_responses() -> int:
    return complaints_lapse_responses()


@shared_task(name="complaints.escalate_overdue", soft_time_limit=240, time_limit=300)
def escalate_overdue() -> int:
    return complaints_escalate_overdue()
