"""Queueing background work: after the transaction commits, and never breaking the web when Redis is down.

Jobs that matter are rows (vpr_portal.jobs): `run_job` runs one by its number and `sweep_jobs` (celery beat)
sends again what was never delivered or stopped beating. `enqueue` remains for fire-and-forget tasks whose
periodic counterpart works from the database anyway (reminders, notices)."""

import logging

from celery import Task, shared_task
from django.conf import settings
from django.db import transaction

from . import jobs, retention

logger = logging.getLogger(__name__)


def enqueue(task, *args, **kwargs) -> None:
    """Sends `task` once the current transaction commits. With no broker configured the task runs
    in-process (CELERY_TASK_ALWAYS_EAGER). If the broker is unreachable the request still succeeds and the
    failure is logged; periodic tasks pick up what was left (they work from the database, not the queue)."""

    def send():
        try:
            task.apply_async(args=args, kwargs=kwargs, retry=False)
        except Exception:
            if settings.CELERY_TASK_ALWAYS_EAGER:
                raise
            logger.exception("could not queue %s: broker unavailable", task.name)

    transaction.on_commit(send)


class JobTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        """Out of retries (storage still failing): the job's page says so instead of waiting forever."""
        job_id = args[0] if args else kwargs.get("job_id")
        if job_id is not None:
            jobs.job_fail(job_id=job_id, error=str(exc) or type(exc).__name__)


@shared_task(
    base=JobTask,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
    acks_late=True,
    reject_on_worker_lost=True,
)
def run_job(job_id: int) -> str:
    """Runs a Job by its kind's handler. Safe to deliver twice: a done or running-and-alive job is left alone."""
    job = jobs.job_run(job_id=job_id)
    return job.state if job is not None else "missing"


@shared_task(ignore_result=True)
def sweep_jobs() -> dict:
    """Re-queues jobs whose heartbeat stopped and sends the undelivered ones (beat, every JOBS_SWEEP_SECONDS)."""
    report = jobs.jobs_sweep()
    return {"requeued": report.requeued, "failed": report.failed, "sent": report.sent}


@shared_task(ignore_result=True)
def purge_jobs() -> dict:
    """Deletes old finished jobs, blanks old upload results, deletes stale pending uploads (beat, daily)."""
    report = retention.jobs_purge()
    return {
        "jobs_deleted": report.jobs_deleted,
        "jobs_kept": report.jobs_kept,
        "results_blanked": report.results_blanked,
        "files_deleted": report.files_deleted,
    }
