"""Background work of grading: thin, retrying tasks around idempotent services."""

from celery import shared_task

from grading.services.retention import retention_run


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def purge_expired_personal_data() -> dict:
    """Daily: the notices 30 and 7 days before each day of removal, then the removal of the names of every
    sitting whose retention period is over (R12: counted from each sitting's date). Safe to run any number of
    times: each notice is keyed and sent once, only links still present are removed, and a campaign with
    nothing left is marked and skipped."""
    run = retention_run()
    return {"notices": run.notices, "purged": run.purged}
