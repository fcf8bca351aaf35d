"""Background jobs that finish exactly once, whatever happens to the worker or the broker.

A job is a row (vpr_portal.models.Job) with its state, progress and a heartbeat; the broker only carries its
number. Asking for a job writes the row and, once the transaction commits, hands the number over:

- to Celery through Redis when a broker is configured (`vpr_portal.tasks.run_job`);
- to a small pool of threads in this process on the embedded default (no REDIS_URL), so the request that
  asked returns at once and the page shows the job's real progress;
- to the current thread when settings.JOBS_INLINE is set (the tests' default: deterministic).

A runner claims the job under a row lock with a fresh attempt token (`job_run`); only the holder of the token
may report progress, beat or finish. While it works it beats (every progress report, and a heartbeat thread
every JOBS_HEARTBEAT_SECONDS). The sweeper (`jobs_sweep`, every JOBS_SWEEP_SECONDS from celery beat; on the
embedded default at most that often when a job is asked for or its page is read) puts a running job whose
heartbeat is older than JOBS_STALE_AFTER_SECONDS back in the queue, and sends again every queued job that was
never delivered (the broker was down) or was sent long ago. A message delivered twice finds the job done or
running and alive and does nothing; a runner that lost its claim cannot finish. So a job killed with its worker
finishes once, after the sweeper notices, and a job asked for while Redis was down runs once Redis is back.

A kind of job is registered with its handler, `handler(job, run)`. The handler does the long part, calling
`run.progress(done, total)` as it goes, and returns the result (a dict) or a function that applies the
result; that function runs inside the transaction that marks the job done, after the claim is checked, so
its writes happen exactly once:

    def build(job: Job, run: JobRun):
        content = render(job.params, progress=run.progress)
        return lambda: {"file": store(content)}

    register_job_kind("document.build", build)

Handlers live in each app's `jobs` module (imported on first use, as Django's admin does with admin.py); the
project's own kind, the build of a document, is registered by vpr_portal.documents (imported when the app is
ready).
OSError is taken for a passing fault (storage, network): the claim is released and the Celery task retries.
Any other exception fails the job with its message; asking for it again starts it anew.
"""

import datetime
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, OperationalError, connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from .models import Job, JobAttempt

logger = logging.getLogger(__name__)

INLINE, THREAD, BROKER = "inline", "thread", "broker"
# A job queued less than this long ago may still be on its way (its transaction's on_commit send).
SEND_GRACE = datetime.timedelta(seconds=5)


def _setting(name: str, default: float) -> float:
    return getattr(settings, name, default)


def jobs_mode() -> str:
    """Where a job runs: in the asking thread (JOBS_INLINE), in this process's job threads (no broker: the
    embedded default), or in a Celery worker."""
    if getattr(settings, "JOBS_INLINE", False):
        return INLINE
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return THREAD
    return BROKER


# Kinds -----------------------------------------------------------------------------------------------------


class JobLost(Exception):
    """The runner's claim was taken over (its heartbeat was seen to stop): it must stop and leave the job."""


class JobRun:
    """What a handler gets besides the job: progress reports that also beat, through the runner's claim."""

    def __init__(self, job: Job, token: str):
        self.job = job
        self.token = token
        self._progress = 0
        self._beaten = time.monotonic()

    def progress(self, done: int, total: int) -> None:
        """`done` parts of `total` are complete; 100 % means the result is stored, so parts count up to 99."""
        value = min(99, int(99 * done / total)) if total else 0
        if value != self._progress or time.monotonic() - self._beaten >= _setting("JOBS_HEARTBEAT_SECONDS", 10):
            self._progress = value
            self.beat(progress=value)

    def beat(self, **fields) -> None:
        """Says the runner is alive; raises JobLost when another runner holds the job now."""
        self._beaten = time.monotonic()
        if not _beat(self.job.pk, self.token, **fields):
            raise JobLost(f"job {self.job.pk}: attempt {self.token} no longer holds it")


Handler = Callable[[Job, JobRun], Any]


@dataclass(frozen=True)
class JobKind:
    kind: str
    handler: Handler


_KINDS: dict[str, JobKind] = {}
_discovered = False


def register_job_kind(kind: str, handler: Handler) -> Handler:
    """Registers the handler of a kind of job (see the module's docstring)."""
    registered = _KINDS.get(kind)
    if registered is not None and registered.handler.__qualname__ != handler.__qualname__:
        raise ValueError(f"job kind {kind!r} already has a handler: {registered.handler.__qualname__}")
    _KINDS[kind] = JobKind(kind=kind, handler=handler)
    return handler


def job_kind(kind: str) -> JobKind:
    global _discovered
    if not _discovered:
        autodiscover_modules("jobs")
        _discovered = True
    try:
        return _KINDS[kind]
    except KeyError:
        raise ValueError(f"no handler is registered for job kind {kind!r}") from None


# Asking ----------------------------------------------------------------------------------------------------


def job_request(*, kind: str, key: str, params: dict | None = None, user=None, restart: bool = False) -> Job:
    """Asks for a job; idempotent by `key` (what the job is for).

    The same key gives the same job: queued, running or done it is returned as it is; a failed one is queued
    again, and so is a done one with `restart` (its result is gone). The job is handed to its runner after the
    transaction commits."""
    job_kind(kind)  # an unknown kind is a programming error: fail before anything is written
    with transaction.atomic():
        try:
            with transaction.atomic():
                job, created = Job.objects.get_or_create(
                    key=key, defaults={"kind": kind, "params": params or {}, "requested_by": user}
                )
        except IntegrityError:  # the same key asked for at the same moment by someone else
            job, created = Job.objects.get(key=key), False
        send = created
        if not created:
            job = Job.objects.select_for_update().get(pk=job.pk)
            if job.kind != kind:
                raise ValueError(f"job {key!r} is of kind {job.kind!r}, not {kind!r}")
            if job.state == Job.State.FAILED or (restart and job.state == Job.State.DONE):
                now = timezone.now()
                job.state, job.progress, job.error, job.attempt = Job.State.QUEUED, 0, "", ""
                job.finished_at, job.sent_at, job.queued_at = None, None, now
                if params is not None:
                    job.params = params
                job.requested_by = user or job.requested_by
                job.save()
                send = True
        if send:
            job_id = job.pk
            transaction.on_commit(lambda: job_send(job_id=job_id))
    jobs_sweep_if_due()
    return job


def job_send(*, job_id: int) -> bool:
    """Hands a queued job's number to its runner (see `jobs_mode`). With the broker down the job stays queued
    and unsent, and the sweeper sends it later: returns False, never raises for that."""
    mode = jobs_mode()
    if mode == BROKER:
        from .tasks import run_job

        try:
            run_job.apply_async(args=[job_id], retry=False)
        except Exception:
            logger.warning("could not queue job %s: broker unavailable; the sweeper sends it later", job_id)
            return False
        _mark_sent(job_id)
        return True
    _mark_sent(job_id)
    if mode == THREAD:
        _thread_pool().submit(_run_in_thread, job_id)
    else:
        _run_here(job_id)
    return True


def _mark_sent(job_id: int) -> None:
    """Records that the job was handed over. Only bookkeeping for the sweeper's resend (sending twice is harmless):
    where SQLite answers «table is locked» instead of waiting (a job thread writing at that instant), the job is
    handed over all the same, and an unmarked one is at worst sent again later — never an error for the request
    that asked for it, which has already committed."""
    try:
        Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(sent_at=timezone.now())
    except OperationalError as error:
        if "locked" not in str(error):
            raise
        logger.warning("job %s: not marked as sent (%s); the sweeper may send it again", job_id, error)


# Retries of a passing fault (OSError) when the job runs in this process, as the Celery task has.
LOCAL_RETRIES = 3


def _run_here(job_id: int) -> None:
    """Runs the job in this thread; a passing fault is retried (at once when inline, after 1, 2, 4 s in a job
    thread), and the job fails when it persists."""
    for retry in range(LOCAL_RETRIES + 1):
        try:
            job_run(job_id=job_id)
            return
        except OSError as error:
            if retry == LOCAL_RETRIES:
                job_fail(job_id=job_id, error=str(error) or type(error).__name__)
                return
            if jobs_mode() != INLINE:
                time.sleep(2**retry)


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _thread_pool() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=int(_setting("JOBS_THREADS", 2)), thread_name_prefix="vpr-job")
        return _pool


# SQLite answers «database table is locked» instead of waiting in some setups (a shared-cache database, or two
# threads claiming at once): a job whose claim met it is still queued, and is claimed again a little later rather
# than left to the sweeper's resend minutes later.
LOCKED_RETRIES = 5


def _still_queued_after_a_lock(job_id: int, error: OperationalError) -> bool:
    return "locked" in str(error) and Job.objects.filter(pk=job_id, state=Job.State.QUEUED).exists()


def _run_in_thread(job_id: int) -> None:
    try:
        for attempt in range(LOCKED_RETRIES + 1):
            try:
                _run_here(job_id)
                break
            except OperationalError as error:
                if attempt == LOCKED_RETRIES or not _still_queued_after_a_lock(job_id, error):
                    raise
                time.sleep(0.2 * (attempt + 1))
    except Exception:
        logger.exception("job %s failed in its thread", job_id)
    finally:
        connections.close_all()  # this thread's connections only


# Running ---------------------------------------------------------------------------------------------------


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"[:200]


def _beat(job_id: int, token: str, **fields) -> bool:
    return bool(
        Job.objects.filter(pk=job_id, attempt=token, state=Job.State.RUNNING).update(
            heartbeat_at=timezone.now(), **fields
        )
    )


def _stale_before(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(seconds=_setting("JOBS_STALE_AFTER_SECONDS", 60))


def _claim(job_id: int) -> tuple[Job, str] | None:
    """Takes a queued job (or a running one whose heartbeat stopped) under a row lock with a new attempt token;
    None when there is nothing to do: missing, done, failed, or running and alive."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state in (Job.State.DONE, Job.State.FAILED):
            return None
        now = timezone.now()
        if job.state == Job.State.RUNNING:
            if job.heartbeat_at is not None and job.heartbeat_at >= _stale_before(now):
                return None  # a duplicate delivery while the job runs elsewhere
            _end_attempt(job, JobAttempt.Outcome.LOST, now, error="heartbeat stopped")
        token = uuid.uuid4().hex
        job.state, job.attempt, job.attempts = Job.State.RUNNING, token, job.attempts + 1
        job.progress, job.error = 0, ""
        job.started_at = job.heartbeat_at = now
        job.save(update_fields=["state", "attempt", "attempts", "progress", "error", "started_at", "heartbeat_at"])
        JobAttempt.objects.create(job=job, number=job.attempts, token=token, worker=_worker_name(), started_at=now)
    return job, token


def _end_attempt(job: Job, outcome: str, now: datetime.datetime, *, error: str = "") -> None:
    JobAttempt.objects.filter(job=job, token=job.attempt, outcome=JobAttempt.Outcome.RUNNING).update(
        outcome=outcome, ended_at=now, error=error[:2000]
    )


def _locked_claim(job_id: int, token: str) -> Job:
    job = Job.objects.select_for_update().get(pk=job_id)
    if job.state != Job.State.RUNNING or job.attempt != token:
        raise JobLost(f"job {job_id}: attempt {token} no longer holds it")
    return job


def _finish(job_id: int, token: str, outcome: Any) -> None:
    with transaction.atomic():
        job = _locked_claim(job_id, token)
        result = outcome() if callable(outcome) else outcome
        now = timezone.now()
        job.state, job.progress, job.result, job.error = Job.State.DONE, 100, result or {}, ""
        job.finished_at = job.heartbeat_at = now
        job.save(update_fields=["state", "progress", "result", "error", "finished_at", "heartbeat_at"])
        _end_attempt(job, JobAttempt.Outcome.DONE, now)


def _fail(job_id: int, token: str, error: str) -> None:
    with transaction.atomic():
        job = _locked_claim(job_id, token)
        now = timezone.now()
        job.state, job.error, job.finished_at = Job.State.FAILED, error[:2000], now
        job.save(update_fields=["state", "error", "finished_at"])
        _end_attempt(job, JobAttempt.Outcome.FAILED, now, error=error)


def _release(job_id: int, token: str, error: str) -> None:
    """Gives a job back to the queue after a passing fault; the task's retry (already on its way) takes it."""
    with transaction.atomic():
        job = _locked_claim(job_id, token)
        now = timezone.now()
        _end_attempt(job, JobAttempt.Outcome.RETRY, now, error=error)
        job.state, job.attempt, job.queued_at, job.sent_at = Job.State.QUEUED, "", now, now
        job.save(update_fields=["state", "attempt", "queued_at", "sent_at"])


class _Heartbeat(threading.Thread):
    """Beats for a running job while its handler works on something that reports no progress for a while."""

    def __init__(self, job_id: int, token: str):
        super().__init__(name=f"vpr-job-heartbeat-{job_id}", daemon=True)
        self.job_id, self.token = job_id, token
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(_setting("JOBS_HEARTBEAT_SECONDS", 10)):
                try:
                    if not _beat(self.job_id, self.token):
                        return  # finished, or taken over: the runner finds out when it reports or finishes
                except Exception:
                    logger.warning("job %s: heartbeat failed", self.job_id, exc_info=True)
        finally:
            connections.close_all()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=5)


def job_run(*, job_id: int) -> Job | None:
    """Claims and runs a job (see the module's docstring); returns it as it is afterwards, None if missing.

    Safe to call any number of times: a done, failed, or running-and-alive job is left as it is."""
    claimed = _claim(job_id)
    if claimed is None:
        return Job.objects.filter(pk=job_id).first()
    job, token = claimed
    heartbeat = None if jobs_mode() == INLINE else _Heartbeat(job.pk, token)
    if heartbeat is not None:
        heartbeat.start()
    try:
        outcome = job_kind(job.kind).handler(job, JobRun(job, token))
        _finish(job.pk, token, outcome)
    except JobLost:
        logger.warning("job %s: attempt %s was taken over; its work is dropped", job.pk, token)
    except OSError as error:  # storage or network: passing, the task retries
        logger.warning("job %s: %s; it goes back to the queue", job.pk, error)
        try:
            _release(job.pk, token, str(error) or type(error).__name__)
        except JobLost:
            return Job.objects.filter(pk=job_id).first()
        raise
    except Exception as error:  # a handler's bug or bad data: retrying would fail the same way
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        try:
            _fail(job.pk, token, str(error) or type(error).__name__)
        except JobLost:
            pass
    finally:
        if heartbeat is not None:
            heartbeat.stop()
    return Job.objects.filter(pk=job_id).first()


def job_fail(*, job_id: int, error: str) -> None:
    """A job whose retries ran out (released, so queued) is marked failed with the last error."""
    Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
        state=Job.State.FAILED, error=error[:2000], finished_at=timezone.now()
    )


# Sweeping --------------------------------------------------------------------------------------------------


@dataclass
class SweepReport:
    requeued: list[int] = field(default_factory=list)  # running, heartbeat stopped: queued again
    failed: list[int] = field(default_factory=list)  # heartbeat stopped too many times
    sent: list[int] = field(default_factory=list)  # handed to the runner again


def jobs_sweep(*, now: datetime.datetime | None = None) -> SweepReport:
    """Puts back in the queue the running jobs whose heartbeat stopped (a job interrupted JOBS_MAX_ATTEMPTS
    times fails instead), and sends every queued job that was never delivered or was sent more than
    JOBS_RESEND_AFTER_SECONDS ago. Safe to run concurrently and as often as wanted."""
    now = now or timezone.now()
    report = SweepReport()
    stale = _stale_before(now)
    candidates = Job.objects.filter(state=Job.State.RUNNING).filter(
        Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True)
    )
    for job_id in list(candidates.values_list("pk", flat=True)):
        with transaction.atomic():
            job = Job.objects.select_for_update().filter(pk=job_id, state=Job.State.RUNNING).first()
            if job is None or (job.heartbeat_at is not None and job.heartbeat_at >= stale):
                continue
            _end_attempt(job, JobAttempt.Outcome.LOST, now, error="heartbeat stopped")
            if job.attempts >= int(_setting("JOBS_MAX_ATTEMPTS", 5)):
                job.state, job.finished_at = Job.State.FAILED, now
                job.error = f"interrupted {job.attempts} times (the worker stopped while running it)"
                report.failed.append(job.pk)
            else:
                job.state, job.attempt, job.queued_at, job.sent_at = Job.State.QUEUED, "", now, None
                report.requeued.append(job.pk)
            job.save(update_fields=["state", "attempt", "queued_at", "sent_at", "error", "finished_at"])
    resend_before = now - datetime.timedelta(seconds=_setting("JOBS_RESEND_AFTER_SECONDS", 300))
    undelivered = Job.objects.filter(state=Job.State.QUEUED).filter(
        Q(sent_at__isnull=True, queued_at__lt=now - SEND_GRACE) | Q(sent_at__lt=resend_before)
    )
    for job_id in sorted({*report.requeued, *undelivered.values_list("pk", flat=True)}):
        if job_send(job_id=job_id):
            report.sent.append(job_id)
    if report.requeued or report.failed or report.sent:
        logger.warning("jobs sweep: requeued %s, failed %s, sent %s", report.requeued, report.failed, report.sent)
    return report


_last_sweep = 0.0
_sweep_lock = threading.Lock()


def jobs_sweep_if_due() -> None:
    """On the embedded default (no beat) the sweeper runs from here, at most every JOBS_SWEEP_SECONDS: called
    when a job is asked for and when its page is read. Never breaks the caller."""
    global _last_sweep
    if jobs_mode() != THREAD:
        return
    with _sweep_lock:
        if time.monotonic() - _last_sweep < _setting("JOBS_SWEEP_SECONDS", 20):
            return
        _last_sweep = time.monotonic()
    transaction.on_commit(_sweep_quietly)  # at once outside a transaction


def _sweep_quietly() -> None:
    try:
        jobs_sweep()
    except Exception:
        logger.exception("jobs sweep failed")
