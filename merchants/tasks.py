from celery import shared_task

from .services import deposit_refresh_topup_flags, notice_email_send


@shared_task(name="merchants.refresh_topup_flags", soft_time_limit=120, time_limit=180)
def refresh_topup_flags() -> dict[str, int]:
    return deposit_refresh_topup_flags()


@shared_task(
    name="merchants.send_notice_email",
    soft_time_limit=60,
    time_limit=90,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_notice_email(notice_id: int) -> bool:
    return notice_email_send(notice_id=notice_id)
