"""Background work of the monitoring app: thin, retrying tasks around idempotent services."""

from celery import shared_task

from monitoring.cases import cases_check_due


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def check_signal_cases() -> dict:
    """Every few minutes: opens the cases of newly flagged signals of the assessments whose results changed
    since their last check (docs/signal-cases.md). Safe to run any number of times: a case is unique per school
    × assessment × kind, and an assessment unchanged since its check is skipped."""
    done = cases_check_due()
    return {"opened": len(done.opened), "vanished": len(done.vanished), "returned": len(done.returned)}
