from celery import shared_task

from .services import deposit_refresh_topup_flags


@shared_task(name="merchants.refresh_topup_flags", soft_time_limit=120, time_limit=180)
def refresh_topup_flags() -> dict[str, int]:
    return deposit_refresh_topup_flags()
