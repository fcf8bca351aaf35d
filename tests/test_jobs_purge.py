"""The daily purge of background jobs: old finished rows, old upload results, stale pending upload files."""

import datetime
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from vpr_portal.models import GeneratedDocument, Job, JobAttempt
from vpr_portal.retention import jobs_purge
from vpr_portal.tasks import purge_jobs

DAY = datetime.timedelta(days=1)


def _job(key: str, *, state=Job.State.DONE, age=datetime.timedelta(0), kind="test.kind", **fields) -> Job:
    finished = timezone.now() - age if state in (Job.State.DONE, Job.State.FAILED) else None
    job = Job.objects.create(kind=kind, key=key, state=state, finished_at=finished, **fields)
    JobAttempt.objects.create(job=job, number=1, token=key[:32])
    return job


def _pending_file(name: str, *, age: datetime.timedelta) -> str:
    path = default_storage.save(f"uploads/pending/{name}", ContentFile(b"school;pupil\n"))
    stamp = (timezone.now() - age).timestamp()
    os.utime(default_storage.path(path), (stamp, stamp))
    return path


@pytest.mark.django_db
def test_old_finished_jobs_go_with_their_attempts_while_recent_and_unfinished_ones_stay(settings):
    settings.JOBS_KEEP_DAYS = 7
    old_done = _job("old-done", age=8 * DAY)
    old_failed = _job("old-failed", state=Job.State.FAILED, age=8 * DAY, error="boom")
    recent = _job("recent", age=6 * DAY)
    running = _job("running", state=Job.State.RUNNING, created_at=timezone.now() - 30 * DAY)
    queued = _job("queued", state=Job.State.QUEUED, created_at=timezone.now() - 30 * DAY)

    report = jobs_purge()

    assert report.jobs_deleted == 2
    assert set(Job.objects.values_list("key", flat=True)) == {"recent", "running", "queued"}
    assert not JobAttempt.objects.filter(job_id__in=[old_done.pk, old_failed.pk]).exists()
    assert JobAttempt.objects.filter(job__in=[recent, running, queued]).count() == 3


@pytest.mark.django_db
def test_the_job_of_a_generated_document_stays(settings):
    settings.JOBS_KEEP_DAYS = 7
    document = GeneratedDocument.objects.create(
        key="school-set:1",
        kind="school_set",
        title="Комплект школы",
        status=Job.State.DONE,
        finished_at=timezone.now() - 30 * DAY,
    )

    report = jobs_purge()

    assert (report.jobs_deleted, report.jobs_kept) == (0, 1)
    document.refresh_from_db()
    assert document.job.state == Job.State.DONE


@pytest.mark.django_db
def test_a_finished_upload_jobs_result_naming_pupils_is_blanked_after_a_day():
    refused = {"problems": ["строка 3: Иванов Иван — нет такого класса"]}
    old = _job("upload.preview:old", kind="upload.preview", age=2 * DAY, result=refused)
    fresh = _job("upload.preview:fresh", kind="upload.preview", age=DAY / 2, result=refused)
    other = _job("other:old", age=2 * DAY, result={"file": "x.pdf"})

    report = jobs_purge()

    assert report.results_blanked == 1
    old.refresh_from_db(), fresh.refresh_from_db(), other.refresh_from_db()
    assert (old.result, fresh.result, other.result) == ({}, refused, {"file": "x.pdf"})


@pytest.mark.django_db
def test_stale_pending_files_go_while_a_queued_jobs_file_and_fresh_files_stay():
    stale = _pending_file("stale.xlsx", age=2 * DAY)
    fresh = _pending_file("fresh.xlsx", age=datetime.timedelta(hours=2))
    awaited = _pending_file("awaited.xlsx", age=2 * DAY)
    finished_with = _pending_file("finished.xlsx", age=2 * DAY)
    _job("upload.apply:awaited", kind="upload.apply", state=Job.State.QUEUED, params={"path": awaited})
    _job("upload.apply:finished", kind="upload.apply", age=2 * DAY, params={"path": finished_with})

    report = jobs_purge()

    assert report.files_deleted == 2
    assert not default_storage.exists(stale) and not default_storage.exists(finished_with)
    assert default_storage.exists(fresh) and default_storage.exists(awaited)


@pytest.mark.django_db
def test_the_daily_task_purges_even_with_no_pending_uploads_at_all(settings):
    settings.JOBS_KEEP_DAYS = 7
    _job("old", age=8 * DAY)
    purge_jobs.delay()
    assert not Job.objects.exists()
    assert "vpr_portal.tasks.purge_jobs" in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
