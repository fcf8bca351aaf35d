"""Fault tests (make faults): background jobs finish exactly once when the worker is killed mid-job or Redis is
down, with real processes — Redis of the test's own, Celery worker and beat, gunicorn — on PostgreSQL.

They take minutes and stop and start services, so they are excluded from `make test`; .ci/run runs them in a
stage of their own. The measured recovery times go to test-artifacts/faults.json (`make bench` shows them)."""

import os
import signal
import time

import pytest
from django.test import Client
from django.urls import reverse

from procedures.services.participants import codes_issue
from tests.bench.codes import bench_campaign
from tests.bench.pupils import school_with_pupils
from vpr_portal.models import GeneratedDocument, Job

from .services import Processes, record, why_not_here

pytestmark = [
    pytest.mark.faults,
    pytest.mark.celery_worker,  # the job machinery runs for real here: no in-process tasks
    pytest.mark.skipif(bool(why_not_here()) and not os.environ.get("FAULT_TESTS_REQUIRED"), reason=why_not_here()),
]

RECOVERY_BUDGET_SECONDS = 120
OUTAGE_SECONDS = 30


def coded_school(code: str, pupils: int):
    campaign = bench_campaign()
    school, coordinator = school_with_pupils(code, pupils, range(4, 9), max(1, pupils // 150))
    codes_issue(campaign=campaign, school=school, actor=None)
    return campaign, school, coordinator


def session_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def school_set_url(campaign, school) -> str:
    return reverse(
        "procedures:participants_school_set", kwargs={"campaign_code": campaign.code, "school_code": school.code}
    )


def stored_files(document) -> list[str]:
    folder = document.file.storage.path(f"generated/{document.pk}")
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def wait_until(condition, seconds: float, what: str) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            raise AssertionError(f"{what}: not within {seconds} s")
        time.sleep(0.2)
    return time.monotonic() - started


def job_of(document) -> Job:
    return Job.objects.get(pk=GeneratedDocument.objects.get(pk=document.pk).job_id)


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_was_killed_finishes_once_after_a_worker_is_back(tmp_path):
    if why_not_here():
        pytest.fail(why_not_here())
    campaign, school, coordinator = coded_school("faults-kill", 360)  # 12 classes: 36 parts, rendered in parallel
    processes = Processes(tmp_path)
    try:
        processes.start_redis()
        processes.start_worker()
        processes.start_beat()
        processes.start_web()
        processes.wait("worker", processes.worker_is_ready, "the worker is ready")

        status, location, _body = processes.request(
            "POST", school_set_url(campaign, school), session=session_of(coordinator)
        )
        assert status == 302, status
        document = GeneratedDocument.objects.get()
        assert location.endswith(reverse("reports:document_status", kwargs={"pk": document.pk}))
        processes.wait("worker", lambda: job_of(document).progress >= 20, "the build reaches 20 %", seconds=180)
        job = job_of(document)
        assert job.state == Job.State.RUNNING, f"the build finished before it could be killed ({job.state})"

        processes.kill("worker", signal.SIGKILL)  # the whole process group: the worker and its pool
        killed_at = job_of(document).progress
        processes.start_worker()
        ready = processes.wait("worker", processes.worker_is_ready, "the new worker is ready")
        back_at, back_at_clock = time.monotonic(), time.time()
        processes.wait(
            "worker", lambda: job_of(document).state == Job.State.DONE, "the job finishes", RECOVERY_BUDGET_SECONDS
        )
        recovery = time.monotonic() - back_at
    finally:
        processes.stop_all()

    job = job_of(document)
    outcomes = list(job.attempt_log.order_by("number").values_list("outcome", flat=True))
    document.refresh_from_db()
    retaken = job.attempt_log.get(number=2).started_at.timestamp() - back_at_clock
    record(
        "worker_killed",
        {
            "killed_at_percent": killed_at,
            "new_worker_ready_s": round(ready, 1),
            "taken_again_after_worker_back_s": round(retaken, 1),
            "done_after_worker_back_s": round(recovery, 1),
            "attempts": job.attempts,
            "outcomes": outcomes,
        },
    )
    assert recovery < RECOVERY_BUDGET_SECONDS
    assert outcomes.count("done") == 1 and outcomes[0] == "lost" and job.attempts == len(outcomes) >= 2
    assert stored_files(document) == [os.path.basename(document.file.name)], "one file"
    with document.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"


@pytest.mark.django_db(transaction=True)
def test_with_redis_down_pages_answer_and_a_job_asked_for_meanwhile_runs_once_redis_is_back(tmp_path):
    if why_not_here():
        pytest.fail(why_not_here())
    campaign, school, coordinator = coded_school("faults-redis", 150)
    processes = Processes(tmp_path)
    session = session_of(coordinator)
    participants = reverse(
        "procedures:participants", kwargs={"campaign_code": campaign.code, "school_code": school.code}
    )
    answers: list[tuple[str, int]] = []
    try:
        processes.start_redis()
        processes.start_worker()
        processes.start_beat()
        processes.start_web()
        processes.wait("worker", processes.worker_is_ready, "the worker is ready")

        processes.kill("redis", signal.SIGTERM)
        down_at = time.monotonic()
        status, _location, _body = processes.request("POST", school_set_url(campaign, school), session=session)
        answers.append(("POST school set", status))
        document = GeneratedDocument.objects.get()
        while time.monotonic() - down_at < OUTAGE_SECONDS:
            for path in ("/health/", participants, reverse("reports:document_status", kwargs={"pk": document.pk})):
                answers.append((path, processes.request("GET", path, session=session)[0]))
            time.sleep(1)
        job = job_of(document)
        queued_during_outage = (job.state, job.sent_at)
        health = processes.request("GET", "/health/", session=session)[2]

        processes.start_redis()
        back_at = time.monotonic()
        processes.wait(
            "beat", lambda: job_of(document).state == Job.State.DONE, "the job runs", RECOVERY_BUDGET_SECONDS
        )
        recovery = time.monotonic() - back_at
        for name in ("worker", "beat", "web"):
            assert processes.running[name].poll() is None, f"{name} did not survive the outage"
    finally:
        processes.stop_all()

    job = job_of(document)
    outcomes = list(job.attempt_log.order_by("number").values_list("outcome", flat=True))
    document.refresh_from_db()
    failures = [(path, status) for path, status in answers if not 200 <= status < 400]
    record(
        "redis_down",
        {
            "outage_s": OUTAGE_SECONDS,
            "requests_during_outage": len(answers),
            "failed_requests": len(failures),
            "done_after_redis_back_s": round(recovery, 1),
            "outcomes": outcomes,
        },
    )
    assert answers[0] == ("POST school set", 302)
    assert not failures, failures
    assert '"cache": "unavailable"' in health
    assert queued_during_outage == (Job.State.QUEUED, None), "kept, and known as never delivered"
    assert recovery < RECOVERY_BUDGET_SECONDS
    assert outcomes == ["done"]
    assert stored_files(document) == [os.path.basename(document.file.name)]
