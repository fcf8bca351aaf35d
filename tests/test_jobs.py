"""Background jobs (vpr_portal.jobs): one row per job, claimed with a token, beating while it runs; the sweeper
re-queues what stopped beating or was never delivered, and whatever is delivered twice finishes once.

Most tests run jobs in the asking thread (JOBS_INLINE, the suite's default); the embedded default's job
threads have tests of their own at the end. The real worker killed mid-job and the Redis outage are in
tests/faults (make faults)."""

import datetime
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.utils import timezone

from vpr_portal import jobs
from vpr_portal.celery import app
from vpr_portal.models import Job, JobAttempt
from vpr_portal.tasks import run_job, sweep_jobs

PROJECT_ROOT = Path(__file__).resolve().parent.parent
COUNTING = "tests.counting"
# What the counting handler applied, one entry per job finished: (job, attempt number, params).
APPLIED: list[tuple[int, int, dict]] = []
STARTED: list[int] = []
HOOKS: dict[str, object] = {}


def counting_handler(job, run):
    """Three steps; `fail` raises, `flaky` raises OSError on the first attempt, `hook` runs a test's function
    in the middle of the work (to interleave a sweep, or to wait)."""
    STARTED.append(job.attempts)
    run.progress(1, 3)
    if job.params.get("fail"):
        raise ValueError("нет данных")
    if job.params.get("flaky") and job.attempts == 1:
        raise OSError("хранилище недоступно")
    hook = HOOKS.get(job.params.get("hook", ""))
    if hook is not None:
        hook(job, run)
    run.progress(2, 3)
    attempt = job.attempts
    return lambda: APPLIED.append((job.pk, attempt, job.params)) or {"attempt": attempt}


jobs.register_job_kind(COUNTING, counting_handler)


@pytest.fixture(autouse=True)
def _clean():
    APPLIED.clear()
    STARTED.clear()
    HOOKS.clear()
    yield
    APPLIED.clear()
    STARTED.clear()
    HOOKS.clear()


def ask(key="count:1", **params):
    return jobs.job_request(kind=COUNTING, key=key, params=params)


def outcomes(job) -> list[str]:
    return list(JobAttempt.objects.filter(job=job).order_by("number").values_list("outcome", flat=True))


@pytest.mark.django_db
def test_a_job_runs_once_when_asked_for_and_reaches_100(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = ask()

    job.refresh_from_db()
    assert (job.state, job.progress, job.attempts, job.result) == (Job.State.DONE, 100, 1, {"attempt": 1})
    assert APPLIED == [(job.pk, 1, {})]
    assert outcomes(job) == ["done"]
    assert job.sent_at is not None and job.finished_at is not None


@pytest.mark.django_db
def test_asking_twice_gives_one_job_run_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = ask()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = ask()

    assert first.pk == second.pk and Job.objects.count() == 1
    assert len(APPLIED) == 1 and not callbacks


@pytest.mark.django_db
def test_the_job_is_handed_over_only_after_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = ask()

    assert len(callbacks) == 1 and not STARTED
    job.refresh_from_db()
    assert (job.state, job.sent_at) == (Job.State.QUEUED, None)


@pytest.mark.django_db
def test_a_duplicate_delivery_of_a_done_job_does_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = ask()

    assert run_job.apply(args=[job.pk]).get() == Job.State.DONE
    jobs.job_run(job_id=job.pk)

    assert STARTED == [1] and len(APPLIED) == 1
    assert Job.objects.get(pk=job.pk).attempts == 1


@pytest.mark.django_db
def test_a_duplicate_delivery_of_a_running_job_that_beats_does_nothing():
    job = Job.objects.create(
        kind=COUNTING, key="alive", state=Job.State.RUNNING, attempt="a" * 32, attempts=1,
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=5),
    )  # fmt: skip

    assert run_job.apply(args=[job.pk]).get() == Job.State.RUNNING

    job.refresh_from_db()
    assert not STARTED and (job.state, job.attempt, job.attempts) == (Job.State.RUNNING, "a" * 32, 1)


@pytest.mark.django_db
def test_a_missing_job_is_ignored_by_the_task():
    assert run_job.apply(args=[987654]).get() == "missing"


@pytest.mark.django_db
def test_an_unknown_kind_is_refused_before_anything_is_written():
    with pytest.raises(ValueError):
        jobs.job_request(kind="no.such.kind", key="x")
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_a_runner_that_stopped_beating_is_taken_over_and_the_job_finishes_once(django_capture_on_commit_callbacks):
    """The first attempt stalls past the stale limit; the sweeper hands the job to a second runner, which
    finishes it; when the first one wakes up its result is dropped (its claim is gone)."""

    def stall_then_sweep(job, run):
        if job.attempts == 1:
            Job.objects.filter(pk=job.pk).update(
                heartbeat_at=timezone.now() - datetime.timedelta(seconds=settings.JOBS_STALE_AFTER_SECONDS + 1)
            )
            report = jobs.jobs_sweep()
            assert report.requeued == [job.pk] and report.sent == [job.pk]

    HOOKS["stall"] = stall_then_sweep
    with django_capture_on_commit_callbacks(execute=True):
        job = ask(hook="stall")

    job.refresh_from_db()
    assert STARTED == [1, 2]
    assert APPLIED == [(job.pk, 2, {"hook": "stall"})], "only the runner holding the job applies its result"
    assert (job.state, job.attempts, job.result) == (Job.State.DONE, 2, {"attempt": 2})
    assert outcomes(job) == ["lost", "done"]


@pytest.mark.django_db
def test_the_sweeper_requeues_a_running_job_whose_heartbeat_stopped_and_it_runs_again():
    stale = timezone.now() - datetime.timedelta(seconds=settings.JOBS_STALE_AFTER_SECONDS + 1)
    job = Job.objects.create(
        kind=COUNTING, key="killed", state=Job.State.RUNNING, attempt="k" * 32, attempts=1, heartbeat_at=stale
    )
    JobAttempt.objects.create(job=job, number=1, token="k" * 32, worker="killed-worker")

    sweep_jobs.apply().get()

    job.refresh_from_db()
    assert (job.state, job.attempts) == (Job.State.DONE, 2)
    assert outcomes(job) == ["lost", "done"] and len(APPLIED) == 1


@pytest.mark.django_db
def test_the_sweeper_leaves_a_running_job_that_beats_alone():
    job = Job.objects.create(
        kind=COUNTING, key="busy", state=Job.State.RUNNING, attempt="b" * 32, attempts=1, heartbeat_at=timezone.now()
    )

    report = jobs.jobs_sweep()

    assert report.requeued == [] and report.sent == []
    assert Job.objects.get(pk=job.pk).state == Job.State.RUNNING and not STARTED


@pytest.mark.django_db
def test_the_sweeper_sends_a_job_that_was_never_delivered():
    long_ago = timezone.now() - datetime.timedelta(minutes=1)
    job = Job.objects.create(kind=COUNTING, key="lost-message", queued_at=long_ago, created_at=long_ago)
    just_asked = Job.objects.create(kind=COUNTING, key="on-its-way")  # its own send is still on its way

    report = jobs.jobs_sweep()

    assert report.sent == [job.pk]
    assert Job.objects.get(pk=job.pk).state == Job.State.DONE
    assert Job.objects.get(pk=just_asked.pk).state == Job.State.QUEUED


@pytest.mark.django_db
def test_a_job_interrupted_too_many_times_fails_instead_of_running_forever(settings):
    stale = timezone.now() - datetime.timedelta(seconds=settings.JOBS_STALE_AFTER_SECONDS + 1)
    job = Job.objects.create(
        kind=COUNTING, key="doomed", state=Job.State.RUNNING, attempt="d" * 32,
        attempts=settings.JOBS_MAX_ATTEMPTS, heartbeat_at=stale,
    )  # fmt: skip

    report = jobs.jobs_sweep()

    job.refresh_from_db()
    assert report.failed == [job.pk] and job.state == Job.State.FAILED and "interrupted" in job.error
    assert not STARTED


@pytest.mark.django_db
def test_a_failing_job_keeps_its_error_and_is_started_again_when_asked(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = ask(fail=True)
    job.refresh_from_db()
    assert (job.state, job.error) == (Job.State.FAILED, "нет данных")

    with django_capture_on_commit_callbacks(execute=True):
        ask(fail=False)

    job.refresh_from_db()
    assert (job.state, job.error, job.attempts) == (Job.State.DONE, "", 2)
    assert outcomes(job) == ["failed", "done"]


@pytest.mark.django_db
def test_a_passing_fault_gives_the_job_back_and_the_retry_finishes_it(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = ask(flaky=True)

    job.refresh_from_db()
    assert (job.state, job.attempts) == (Job.State.DONE, 2)
    assert outcomes(job) == ["retry", "done"] and len(APPLIED) == 1


def test_the_sweeper_runs_from_celery_beat():
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "vpr_portal.tasks.sweep_jobs")
    assert entry["schedule"] <= 30
    assert settings.JOBS_STALE_AFTER_SECONDS <= 60


# With a broker that does not answer ---------------------------------------------------------------------------


@pytest.fixture
def broker_down(settings):
    """The production shape with Redis down: jobs go through a broker nobody listens on."""
    settings.JOBS_INLINE = False
    settings.CELERY_TASK_ALWAYS_EAGER = app.conf.task_always_eager = False
    previous_url, previous_pool = app.conf.broker_url, app.__dict__.get("_pool")
    # An earlier test may have left a producer pool bound to the in-memory broker: start from none.
    previous_producers = app.amqp._producer_pool
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    app._pool = app.amqp._producer_pool = None
    yield
    if app.__dict__.get("_pool") is not None:
        app._pool.force_close_all()
    app.conf.broker_url, app._pool = previous_url, previous_pool
    app.amqp._producer_pool = previous_producers
    app.conf.task_always_eager = True


@pytest.mark.django_db
def test_a_job_asked_for_while_the_broker_is_down_stays_queued_and_the_sweeper_sends_it_later(
    broker_down, settings, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        job = ask()
    assert time.monotonic() - started < 4, "asking must not wait for the broker (kombu alone retries ~6 s)"

    job.refresh_from_db()
    assert (job.state, job.sent_at) == (Job.State.QUEUED, None), "the job is kept, marked as never delivered"
    Job.objects.filter(pk=job.pk).update(queued_at=timezone.now() - datetime.timedelta(minutes=1))
    assert jobs.jobs_sweep().sent == [], "still down: still queued"

    settings.JOBS_INLINE = True  # the broker is back (here: the job runs as soon as it is sent)
    settings.CELERY_TASK_ALWAYS_EAGER = app.conf.task_always_eager = True
    assert jobs.jobs_sweep().sent == [job.pk]
    job.refresh_from_db()
    assert job.state == Job.State.DONE and len(APPLIED) == 1


# The embedded default: jobs in the web process's threads --------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_on_the_embedded_default_jobs_run_in_threads_beside_the_requests(school, coordinator, tmp_path):
    """The embedded default on a real SQLite file (WAL, busy timeout: the suite's in-memory database cannot
    show how a request thread and a job thread share it): asking returns at once, the page shows the job's
    real progress while it runs, the file is there when it is done, and a build cut off by a restart is
    picked up when its page is read. The scenario runs in a process of its own (tests/embedded_jobs.py) on a
    copy of this test's database."""
    if connection.vendor != "sqlite":
        pytest.skip("the embedded default is SQLite")
    database = tmp_path / "embedded.sqlite3"
    target = sqlite3.connect(database)
    connection.ensure_connection()
    connection.connection.backup(target)
    target.close()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vpr_portal.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "LOG_LEVEL": "ERROR",
    }
    for name in ("REDIS_URL", "JOBS_INLINE"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-m", "tests.embedded_jobs", str(school.pk), str(coordinator.pk)],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])

    assert outcome["mode"] == "thread"
    # asking for a document does not wait for it (a fact, not a timing: the build is held behind its gate)
    assert outcome["job_when_asked"] in ("queued", "running"), outcome
    assert outcome["page_while_running"] == {"progress": 49, "refreshes": True}
    assert outcome["page_when_done"] == {"refreshes": False, "download": "%PDF-1.4 blocking\n"}
    assert outcome["cut_off"] == {"state": "done", "attempts": 2, "outcomes": ["lost", "done"]}


@pytest.mark.django_db
def test_a_claim_that_met_a_locked_table_is_tried_again_in_its_thread(monkeypatch):
    """SQLite may answer «database table is locked» instead of waiting (a shared-cache database, two job threads
    claiming at once): the job is still queued, so its thread claims it again shortly and it finishes once, rather
    than waiting minutes for the sweeper's resend. The lock is the database's own error, raised at the claim."""
    job = ask(key="count:locked")
    real_claim = jobs._claim
    locked = []

    def claim_meeting_a_lock(*args, **kwargs):
        if len(locked) < 2:
            locked.append(1)
            raise OperationalError("database table is locked")
        return real_claim(*args, **kwargs)

    monkeypatch.setattr(jobs, "_claim", claim_meeting_a_lock)
    monkeypatch.setattr(jobs.time, "sleep", lambda seconds: None)
    monkeypatch.setattr(jobs.connections, "close_all", lambda: None)  # the test's own connection stays open
    jobs._run_in_thread(job.pk)
    job.refresh_from_db()
    assert (job.state, job.attempts, len(locked)) == (Job.State.DONE, 1, 2)
    assert APPLIED == [(job.pk, 1, {})]


@pytest.mark.django_db
def test_another_database_error_is_not_retried(monkeypatch):
    job = ask(key="count:broken")
    calls = []

    def claim_failing(*args, **kwargs):
        calls.append(1)
        raise OperationalError("no such table: vpr_portal_job")

    monkeypatch.setattr(jobs, "_claim", claim_failing)
    monkeypatch.setattr(jobs.connections, "close_all", lambda: None)
    jobs._run_in_thread(job.pk)  # logged, not raised: the thread survives
    assert calls == [1]
    job.refresh_from_db()
    assert job.state == Job.State.QUEUED  # left to the sweeper's resend


class _TableAnswering:
    """Job.objects whose update answers with the database's `message` (SQLite's answer while another thread writes)."""

    def __init__(self, message):
        self.message = message

    def filter(self, *args, **kwargs):
        return self

    def update(self, **kwargs):
        raise OperationalError(self.message)


def test_marking_a_job_sent_tolerates_a_locked_table_only(monkeypatch):
    """The request that asked for a job has committed: marking the job as sent is bookkeeping for the sweeper's
    resend, so a locked table there is logged, not a 500 for the request; any other database error still raises."""
    monkeypatch.setattr(jobs.Job, "objects", _TableAnswering("database table is locked"))
    jobs._mark_sent(1)
    monkeypatch.setattr(jobs.Job, "objects", _TableAnswering("no such table: vpr_portal_job"))
    with pytest.raises(OperationalError):
        jobs._mark_sent(1)
