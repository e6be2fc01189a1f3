"""Queueing Celery tasks from services.

A service queues its app's tasks by their registered name, after the transaction commits:
`tasks.py` imports the services it calls (tasks take ids and call a service), so a service that
imported `tasks` would close an import cycle. An app whose services queue tasks imports its
`tasks` module in `AppConfig.ready()`, so the name is registered in every process (web, worker,
tests), not only in a worker that ran autodiscovery.
"""

from celery import current_app
from django.db import transaction


def enqueue_on_commit(task_name: str, *args) -> None:
    """Queue `task_name` with JSON `args` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: current_app.tasks[task_name].delay(*args))
