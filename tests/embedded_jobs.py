"""`python -m tests.embedded_jobs SCHOOL_ID USER_ID`: the embedded default's job threads on a real SQLite file,
run by tests/test_jobs.py in a process of its own (DATABASE_URL: a copy of the test's database, no REDIS_URL,
no JOBS_INLINE). Prints one line of JSON with what it saw."""

import datetime
import json
import re
import sys
import threading
import time

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from schools.models import Role, School, User  # noqa: E402
from vpr_portal import jobs  # noqa: E402
from vpr_portal.documents import BuiltDocument, document_request, register_document_builder  # noqa: E402
from vpr_portal.models import (  # noqa: E402
    GeneratedDocument,
    Job,
    JobAttempt,
)

BLOCKING = "tests.blocking_document"
REACHED, GATE = threading.Event(), threading.Event()
WAIT_SECONDS = 60


@register_document_builder(BLOCKING, roles={Role.SCHOOL_COORDINATOR, Role.DIRECTOR})
def build_blocking(document, progress):
    """Two parts; after the first it waits for the scenario to open the gate."""
    progress(1, 2)
    REACHED.set()
    if not GATE.wait(timeout=WAIT_SECONDS):
        raise TimeoutError("the gate was never opened")
    progress(2, 2)
    return BuiltDocument(filename="blocking.pdf", content=b"%PDF-1.4 blocking\n")


def page(client, document) -> dict:
    html = client.get(reverse("reports:document_status", kwargs={"pk": document.pk})).content.decode()
    found = re.search(r'aria-valuenow="(\d+)"', html)
    return {"progress": int(found.group(1)) if found else None, "refreshes": 'http-equiv="refresh"' in html}


def until(condition) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("gave up waiting")
        time.sleep(0.1)


def main(school_id: int, user_id: int) -> dict:
    settings.JOBS_HEARTBEAT_SECONDS = 0.2  # the job thread writes often: the request thread reads meanwhile
    school, user = School.objects.get(pk=school_id), User.objects.get(pk=user_id)
    client = Client()
    client.force_login(user)
    outcome = {"mode": jobs.jobs_mode()}

    document = document_request(key="blocking:1", kind=BLOCKING, title="Долгий", params={}, school=school, user=user)
    # what the job was when asking returned: still queued or running behind its closed gate, not built or failed
    # (a request that waited for the build would have waited out the gate and failed it)
    outcome["job_when_asked"] = Job.objects.get(pk=document.job_id).state
    if not REACHED.wait(timeout=WAIT_SECONDS):
        raise TimeoutError("the job never started")
    outcome["page_while_running"] = page(client, document)
    time.sleep(1)  # heartbeats while the page is read again
    page(client, document)
    GATE.set()
    until(lambda: not page(client, document)["refreshes"])
    download = client.get(reverse("reports:document_download", kwargs={"pk": document.pk}))
    outcome["page_when_done"] = {
        "refreshes": page(client, document)["refreshes"],
        "download": b"".join(download.streaming_content).decode(),
    }

    # A build cut off by a restart: the row says running, nobody beats; reading its page sweeps.
    settings.JOBS_SWEEP_SECONDS = 0
    stale = timezone.now() - datetime.timedelta(seconds=settings.JOBS_STALE_AFTER_SECONDS + 1)
    job = Job.objects.create(
        kind="document.build", key="document.build:cut-off", state=Job.State.RUNNING, attempt="c" * 32,
        attempts=1, progress=27, heartbeat_at=stale,
    )  # fmt: skip
    JobAttempt.objects.create(job=job, number=1, token="c" * 32, worker="a web process that restarted")
    cut_off = GeneratedDocument.objects.create(key="cut-off", kind=BLOCKING, title="Прерванный", school=school, job=job)
    page(client, cut_off)
    until(lambda: Job.objects.get(pk=job.pk).state == Job.State.DONE)
    job.refresh_from_db()
    outcome["cut_off"] = {
        "state": job.state,
        "attempts": job.attempts,
        "outcomes": list(job.attempt_log.order_by("number").values_list("outcome", flat=True)),
    }
    return outcome


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]))))
