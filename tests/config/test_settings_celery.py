"""Celery settings when nothing is configured (the demo, a fresh clone): eager and quiet."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import django
django.setup()
from django.conf import settings
from config.celery import app

@app.task(name="tests.noop")
def noop():
    return 1

assert settings.CELERY_TASK_ALWAYS_EAGER
print("result", noop.delay().get())
"""


def test_eager_tasks_without_a_broker_log_nothing_about_one():
    env = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "REDIS_URL")}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "result 1"
    # kombu said "No hostname was supplied. Reverting to default 'localhost'" on every eager task.
    assert done.stderr == ""
