"""The whole school's printable set asked for from its page on the embedded default (no broker: the job runs
in the web process's job threads): the POST answers at once, the status page shows the progress, and the
time until the file is stored; one class's slips rendered inline as the raw reference. Then the recovery
times of the fault tests (test-artifacts/faults.json, written by `make faults`)."""

import json
import re
import time
from pathlib import Path

from django.conf import settings
from django.test import Client
from django.urls import reverse

from vpr_portal import jobs
from vpr_portal.models import GeneratedDocument

from . import Measurement, benchmark
from .codes import PUPILS, coded_school

POST_BUDGET_S = 1.0
DONE_BUDGET_S = 60.0
RECOVERY_BUDGET_S = 120.0
FAULTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "faults.json"


@benchmark
def printables_job() -> list[Measurement]:
    """The whole school's set from the participants page on the embedded default: POST time, time until done,
    the progress seen on the status page, and one class's slips inline for reference."""
    campaign, school, coordinator = coded_school("bench-set-job")
    client = Client()
    client.force_login(coordinator)
    kwargs = {"campaign_code": campaign.code, "school_code": school.code}
    first_class = school.classes.order_by("grade", "letter").first()

    started = time.perf_counter()
    response = client.get(reverse("procedures:participant_slips", kwargs={**kwargs, "class_id": first_class.pk}))
    inline = time.perf_counter() - started
    if response.status_code != 200:
        raise AssertionError(f"one class's slips answered {response.status_code}")

    inline_jobs, settings.JOBS_INLINE = settings.JOBS_INLINE, False  # the embedded default, whatever the runner set
    try:
        if jobs.jobs_mode() != jobs.THREAD:
            raise AssertionError(f"jobs run in mode {jobs.jobs_mode()}, not in threads")
        started = time.perf_counter()
        response = client.post(reverse("procedures:participants_school_set", kwargs=kwargs))
        posted = time.perf_counter() - started
        if response.status_code != 302:
            raise AssertionError(f"POST answered {response.status_code}")
        document = GeneratedDocument.objects.get(school=school)
        seen = []
        while True:
            page = client.get(response["Location"]).content.decode()
            found = re.search(r'aria-valuenow="(\d+)"', page)
            seen.append(int(found.group(1)) if found else -1)
            document.refresh_from_db()
            if not document.is_running:
                break
            if time.perf_counter() - started > 600:
                raise AssertionError("the set was not done within 10 minutes")
            time.sleep(0.5)
        done = time.perf_counter() - started
    finally:
        settings.JOBS_INLINE = inline_jobs
    if document.status != GeneratedDocument.Status.DONE:
        raise AssertionError(f"document {document.status}: {document.error}")
    classes = school.classes.count()
    progress = sorted(set(seen))
    return [
        Measurement(f"school set ({PUPILS:,} pupils, {classes} classes): POST answered", posted, "s", POST_BUDGET_S),
        Measurement(
            "school set: from the POST to the stored file (job thread)",
            done,
            "s",
            DONE_BUDGET_S,
            f"status page polled {len(seen)}×, progress seen: {progress[0]}…{progress[-1]} ({len(progress)} values)",
        ),
        Measurement("reference: one class's slips rendered inline (GET)", inline, "s", POST_BUDGET_S),
    ]


@benchmark
def job_recovery() -> list[Measurement]:
    """Recovery times measured by the fault tests (`make faults`), read from test-artifacts/faults.json."""
    try:
        recorded = json.loads(FAULTS.read_text())
    except (FileNotFoundError, ValueError):
        return [Measurement("job recovery: run `make faults` first (needs PostgreSQL)", 0, "s", RECOVERY_BUDGET_S)]
    rows = []
    killed = recorded.get("worker_killed")
    if killed:
        rows.append(
            Measurement(
                f"worker SIGKILLed at {killed['killed_at_percent']} %: done after a new worker is up",
                killed["done_after_worker_back_s"],
                "s",
                RECOVERY_BUDGET_S,
                f"taken again after {killed.get('taken_again_after_worker_back_s', '?')} s; "
                f"attempts {killed['outcomes']}; {killed['recorded_at']}",
            )
        )
    redis = recorded.get("redis_down")
    if redis:
        rows.append(
            Measurement(
                f"Redis down {redis['outage_s']} s: job asked meanwhile done after Redis is back",
                redis["done_after_redis_back_s"],
                "s",
                RECOVERY_BUDGET_S,
                f"{redis['failed_requests']} of {redis['requests_during_outage']} requests failed during the "
                f"outage; {redis['recorded_at']}",
            )
        )
    return rows
