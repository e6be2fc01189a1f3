"""Celery tasks of the monthly evaluation: take ids and dates, call a service, nothing else."""

from datetime import date

from celery import shared_task

from .services import evaluation_appeals_reconcile, evaluation_daily, evaluation_run


@shared_task(name="scoring.evaluation_daily", soft_time_limit=1800, time_limit=1900)
def evaluation_daily_task() -> list[str]:
    return evaluation_daily()


@shared_task(name="scoring.evaluation_month", soft_time_limit=1800, time_limit=1900)
def evaluation_month_task(month: str) -> str:
    """month: 'YYYY-MM'."""
    year, number = (int(part) for part in month.split("-"))
    return evaluation_run(period=date(year, number, 1)).state


@shared_task(name="scoring.evaluation_appeals", soft_time_limit=600, time_limit=660)
def evaluation_appeals_task() -> int:
    return evaluation_appeals_reconcile()
