"""Background work end to end: a task goes through Redis to a real Celery worker and changes the database.

The worker test needs the production shape — REDIS_URL set and PostgreSQL (a worker process cannot see
an in-memory SQLite test database) — and is skipped otherwise; `.ci/run` runs it in its PostgreSQL +
Redis stage with CELERY_WORKER_TEST_REQUIRED=1, which turns that skip into a failure. The other tests
here run on the embedded default too.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection

from schools.models import Notification
from schools.tasks import deliver_notification_emails
from tests.factories import UserFactory
from vpr_portal.celery import app

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WORKER_READY_SECONDS = 30
TASK_DONE_SECONDS = 30


def _why_no_worker_test() -> str:
    if not os.environ.get("REDIS_URL"):
        return "needs REDIS_URL (a Redis broker); runs in .ci/run's PostgreSQL + Redis stage"
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "needs PostgreSQL (DATABASE_URL=postgres://…): a worker process cannot see a SQLite test database"
    return ""


_MISSING = _why_no_worker_test()

needs_worker_services = pytest.mark.skipif(
    bool(_MISSING) and not os.environ.get("CELERY_WORKER_TEST_REQUIRED"), reason=_MISSING or "services present"
)


def _test_database_url() -> str:
    """The URL of the database this test runs on (pytest-django's test_… database), for the worker."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{quote(db['NAME'], safe='')}"


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no output)"


@pytest.fixture
def redis_worker(transactional_db, tmp_path):
    """A real `celery worker` process on a queue of its own, using this test's database and Redis.

    Yields (queue, log path). Depends on transactional_db so that the worker is gone before the tables are
    flushed and the test database is dropped."""
    if _MISSING:
        pytest.fail(f"CELERY_WORKER_TEST_REQUIRED is set but {_MISSING}")
    queue = f"test-{uuid.uuid4().hex[:12]}"
    nodename = f"{queue}@localhost"
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vpr_portal.settings",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "EMAIL_HOST": "",
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable, "-m", "celery", "-A", "vpr_portal", "worker",
        "--pool=solo", "--concurrency=1", "-Q", queue, "-n", nodename,
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=info",
    ]  # fmt: skip
    with open(log_path, "wb") as log:
        worker = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + WORKER_READY_SECONDS
        while True:
            if worker.poll() is not None:
                pytest.fail(f"the worker exited with {worker.returncode}:\n{_tail(log_path)}")
            replies = app.control.ping(destination=[nodename], timeout=0.5)
            if any(nodename in reply for reply in replies):
                break
            if time.monotonic() > deadline:
                pytest.fail(f"the worker did not answer a ping within {WORKER_READY_SECONDS} s:\n{_tail(log_path)}")
        yield queue, log_path
    finally:
        worker.terminate()  # warm shutdown: finishes the current task, closes its database connection
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=5)


@pytest.mark.celery_worker
@needs_worker_services
@pytest.mark.django_db(transaction=True)
def test_a_worker_takes_the_task_from_redis_and_marks_the_notice_emailed(redis_worker):
    queue, log_path = redis_worker
    assert not app.conf.task_always_eager, "with REDIS_URL set tasks must go through the broker"
    user = UserFactory(email="coordinator@example.org")
    notice = Notification.objects.create(user=user, text="Загрузите форму сбора результатов до 25 мая", url="/grading/")

    deliver_notification_emails.apply_async(args=[[notice.pk]], queue=queue)

    deadline = time.monotonic() + TASK_DONE_SECONDS
    while notice.emailed_at is None and time.monotonic() < deadline:
        time.sleep(0.2)
        notice.refresh_from_db(fields=["emailed_at"])
    assert notice.emailed_at is not None, f"not e-mailed within {TASK_DONE_SECONDS} s; worker log:\n{_tail(log_path)}"
    # The worker's console mail backend wrote the message to its log: the e-mail went out from the worker.
    assert "coordinator@example.org" in log_path.read_text(errors="replace")


@pytest.mark.django_db
def test_delivering_the_same_notice_twice_sends_one_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = UserFactory(email="director@example.org")
    notice = Notification.objects.create(user=user, text="Приказ о проведении ВПР ждёт утверждения")

    first = deliver_notification_emails.apply(args=[[notice.pk]]).get()
    notice.refresh_from_db()
    emailed_at = notice.emailed_at
    second = deliver_notification_emails.apply(args=[[notice.pk]]).get()
    notice.refresh_from_db()

    assert (first, second) == (1, 0)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["director@example.org"]
    assert emailed_at is not None and notice.emailed_at == emailed_at


ENQUEUE_WITH_BROKER_DOWN = """
import time

import django

django.setup()
from django.conf import settings
from django.db import transaction

from schools.tasks import deliver_notification_emails
from vpr_portal.tasks import enqueue

assert settings.CELERY_TASK_ALWAYS_EAGER is False
started = time.monotonic()
with transaction.atomic():  # as in a request: the task is sent when the transaction commits
    enqueue(deliver_notification_emails, [1])
print("request finished in %.2f s" % (time.monotonic() - started))
"""

# A request that queues work waits for the broker at most this long when Redis is down.
ENQUEUE_BUDGET_SECONDS = 2


def test_queueing_with_redis_down_does_not_break_the_request(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vpr_portal.settings",
        "PYTHONPATH": str(PROJECT_ROOT),
        "REDIS_URL": "redis://127.0.0.1:1/0",  # nothing listens there: connection refused
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "LOG_LEVEL": "WARNING",
    }
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", ENQUEUE_WITH_BROKER_DOWN],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    elapsed = time.monotonic() - started

    assert result.returncode == 0, result.stderr
    assert "request finished" in result.stdout
    assert "could not queue schools.tasks.deliver_notification_emails" in result.stderr
    assert elapsed < ENQUEUE_BUDGET_SECONDS, result.stdout
