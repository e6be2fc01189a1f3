from celery import shared_task
from django.core.cache import cache
from django.utils import timezone


@shared_task(name="core.heartbeat", soft_time_limit=10, time_limit=20)
def heartbeat() -> str:
    """Proves beat → broker → worker works; the health page can show the last beat."""
    stamp = timezone.now().isoformat()
    cache.set("core:last-heartbeat", stamp, 3600)
    return stamp
