"""Background work of the procedures app: thin, retrying tasks around idempotent services."""

from celery import shared_task

from procedures.services.plan import reminders_send


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def send_deadline_reminders() -> dict:
    """Hourly: deadline reminders to schools and overdue notices to municipal coordinators. Safe to run any
    number of times: each notice is keyed by stage, school and occasion, and sent once."""
    summary = reminders_send()
    return {"reminders": summary.reminders, "overdue": summary.overdue}
