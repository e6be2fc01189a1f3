"""Celery task of the daily core-problems job: takes a date, calls the service, nothing else."""

from datetime import date

from celery import shared_task

from .services import core_problems_compute


@shared_task(name="scoring.core_problems_daily", soft_time_limit=1800, time_limit=1900)
def core_problems_daily_task(day: str | None = None) -> int:
    """day: 'YYYY-MM-DD' (local); default today. Returns the number of rows stored."""
    run = core_problems_compute(day=date.fromisoformat(day) if day else None)
    return run.rows
