"""Cleaning up after background jobs: old finished job rows, upload results that may name pupils, and uploaded
files nobody will confirm any more (see docs/jobs.md, «Cleaning up»).

Runs daily from celery beat (`vpr_portal.tasks.purge_jobs`); safe to run concurrently and as often as wanted.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone

from .models import Job

logger = logging.getLogger(__name__)

PENDING_DIR = "uploads/pending"
UPLOAD_KINDS = ("upload.preview", "upload.apply")  # vpr_portal.uploads' PREVIEW_JOB, APPLY_JOB
# A finished upload job's result (the preview's figures, or a refused pupil list's problems naming pupils) and a
# pending file are only needed while the uploader is looking at them.
UPLOAD_KEEP = datetime.timedelta(days=1)
FINISHED = (Job.State.DONE, Job.State.FAILED)


@dataclass
class PurgeReport:
    jobs_deleted: int = 0  # finished jobs older than JOBS_KEEP_DAYS, with their attempts
    jobs_kept: int = 0  # as old, but a record of another app (a generated document) still points at them
    results_blanked: int = 0  # finished upload jobs' results older than a day
    files_deleted: int = 0  # files under uploads/pending/ older than a day that no unfinished job reads


def _protecting_relations() -> list[str]:
    """Reverse accessors of the one-to-one and foreign keys that protect a Job from deletion (a generated
    document's job, `on_delete=PROTECT`): found from the model's relations, so this module names none of them."""
    return [
        relation.name
        for relation in Job._meta.related_objects
        if (relation.one_to_one or relation.one_to_many) and relation.on_delete is models.PROTECT
    ]


@transaction.atomic
def jobs_purge(*, now: datetime.datetime | None = None) -> PurgeReport:
    """Deletes done and failed jobs finished more than JOBS_KEEP_DAYS ago (their attempts go with them), except
    those another record still refers to (a generated document's job: its status and file are the job's, so it
    is kept as it is); blanks the result of finished upload jobs older than a day; deletes pending upload files
    older than a day that no queued or running job refers to. Returns the counts."""
    now = now or timezone.now()
    report = PurgeReport()
    old = Job.objects.filter(state__in=FINISHED, finished_at__lt=now - datetime.timedelta(days=settings.JOBS_KEEP_DAYS))
    protected = old.none()
    for accessor in _protecting_relations():
        protected = protected | old.filter(**{f"{accessor}__isnull": False})
    protected_ids = set(protected.values_list("pk", flat=True))
    report.jobs_kept = len(protected_ids)
    _count, deleted = old.exclude(pk__in=protected_ids).delete()  # attempts cascade
    report.jobs_deleted = deleted.get(Job._meta.label, 0)

    report.results_blanked = (
        Job.objects.filter(state__in=FINISHED, kind__in=UPLOAD_KINDS, finished_at__lt=now - UPLOAD_KEEP)
        .exclude(result={})
        .update(result={})
    )
    report.files_deleted = _pending_files_purge(before=now - UPLOAD_KEEP)
    if report.jobs_deleted or report.results_blanked or report.files_deleted:
        logger.info("jobs purge: %s", report)
    return report


def _pending_files_purge(*, before: datetime.datetime) -> int:
    """Deletes the stashed uploads modified before `before`, except those an unfinished job will still read."""
    try:
        _dirs, names = default_storage.listdir(PENDING_DIR)
    except FileNotFoundError:
        return 0
    in_use = {
        params.get("path")
        for params in Job.objects.filter(
            state__in=(Job.State.QUEUED, Job.State.RUNNING), kind__in=UPLOAD_KINDS
        ).values_list("params", flat=True)
        if isinstance(params, dict)
    }
    deleted = 0
    for name in names:
        path = f"{PENDING_DIR}/{name}"
        if path in in_use:
            continue
        try:
            if default_storage.get_modified_time(path) >= before:
                continue
            default_storage.delete(path)
        except FileNotFoundError:  # removed meanwhile (a confirmation, another purge)
            continue
        deleted += 1
    return deleted
