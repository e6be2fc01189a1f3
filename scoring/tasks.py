"""Celery tasks of the scoring app: take ids and dates, call a service."""

from datetime import date

from celery import shared_task

from core.periods import local_today

from .services.scores import score_day


@shared_task(name="scoring.score_daily", soft_time_limit=3300, time_limit=3600)
def score_daily(day: str | None = None) -> dict:
    """Today's scores (Asia/Shanghai), from the 90 days ending yesterday. Safe to run twice."""
    run = score_day(day=date.fromisoformat(day) if day else local_today())
    return {
        "day": run.day.isoformat(),
        "state": run.state,
        "merchants": run.merchants,
        "dirty_days": run.dirty_days,
    }
