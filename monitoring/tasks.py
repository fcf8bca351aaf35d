"""Background work of the monitoring app: thin, retrying tasks around idempotent services."""

from celery import shared_task

from monitoring.cases import cases_check_due
from monitoring.decisions import decision_reminders_send
from monitoring.recheck import recheck_reminders_send


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def check_signal_cases() -> dict:
    """Every few minutes: opens the cases of newly flagged signals of the assessments whose results changed
    since their last check (docs/signal-cases.md). Safe to run any number of times: a case is unique per school
    × assessment × kind, and an assessment unchanged since its check is skipped."""
    done = cases_check_due()
    return {"opened": len(done.opened), "vanished": len(done.vanished), "returned": len(done.returned)}


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def recheck_reminders() -> dict:
    """Every hour: the re-check's reminder one working day before its due date and the overdue notice after it
    (R13), once each per selection (marked on the selection, and the notices keyed). Safe to run any number of
    times."""
    sent = recheck_reminders_send()
    return {"reminded": len(sent.reminded), "overdue": len(sent.overdue)}


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def decision_reminders() -> dict:
    """Every hour: the management decisions' reminders 7 days and 1 day before the due date and the notice once it
    has passed, once each per decision and due date (marked on the decision). Safe to run any number of times."""
    sent = decision_reminders_send()
    return {"week": len(sent.week), "day": len(sent.day), "overdue": len(sent.overdue)}
