from celery import shared_task

from . import services


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def deliver_notification_emails(notification_ids: list[int]) -> int:
    """Sends notices by e-mail; safe to run twice (each notice is e-mailed once)."""
    return services.notification_emails_deliver(notification_ids=notification_ids)
