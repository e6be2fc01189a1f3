from celery import shared_task

from .services import deposit_refresh_topup_flags, notice_email_send


@shared_task(name="merchants.refresh_topup_flags", soft_time_limit=120, time_limit=180)
def refresh_topup_flags() -> dict[str, int]:
    return deposit_refresh_topup_flags()


# A mail server that fails (OSError) is tried again later; each notice is still sent at most once.
EMAIL_RETRIES = {"autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 5}


@shared_task(name="merchants.send_notice_emails", soft_time_limit=600, time_limit=660, **EMAIL_RETRIES)
def send_notice_emails(notice_ids: list[int]) -> int:
    """Each notice's e-mail at most once (``notice_email_send`` claims it before sending). After a
    failure the task is retried whole: the notices already sent are skipped. Returns how many were sent."""
    return sum(notice_email_send(notice_id=notice_id) for notice_id in notice_ids)


@shared_task(name="merchants.send_notice_email", soft_time_limit=60, time_limit=90, **EMAIL_RETRIES)
def send_notice_email(notice_id: int) -> bool:
    """One notice: kept for messages queued before ``send_notice_emails`` (nothing queues it now)."""
    return notice_email_send(notice_id=notice_id)
