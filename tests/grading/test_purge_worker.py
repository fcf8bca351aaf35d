"""The daily purge task end to end: sent through Redis to a real Celery worker, twice, it removes a campaign's
names once. Needs REDIS_URL and PostgreSQL (the worker is started as in tests/test_celery_worker.py, whose
fixture this module reuses) and is skipped otherwise; CI's PostgreSQL + Redis stage runs it."""

import datetime
import re
import time

import pytest

from grading.tasks import purge_expired_personal_data
from procedures.models import Campaign, ParticipantCode
from schools.models import AuditEntry
from tests.factories import (
    DepartmentFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    make_assessment,
    make_campaign,
    make_participant,
)
from tests.test_celery_worker import TASK_DONE_SECONDS, _tail, needs_worker_services, redis_worker  # noqa: F401


def _succeeded(log_path, task_ids) -> set[str]:
    text = log_path.read_text(errors="replace")
    return {task_id for task_id in task_ids if re.search(rf"\[{re.escape(task_id)}\] succeeded", text)}


@pytest.mark.celery_worker
@needs_worker_services
@pytest.mark.django_db(transaction=True)
def test_the_purge_task_sent_twice_to_a_worker_purges_once(redis_worker):  # noqa: F811
    from vpr_portal.celery import app

    queue, log_path = redis_worker
    assert not app.conf.task_always_eager, "with REDIS_URL set tasks must go through the broker"
    department = DepartmentFactory()
    school = SchoolFactory(department=department, short_name="СШ №9")
    # the window ended two years ago: a 365-day retention period is over
    campaign = make_campaign(
        department,
        code="VPR-PURGE",
        title="ВПР (проверка удаления)",
        status=Campaign.Status.CLOSED,
        window_start=datetime.date(2024, 4, 20),
        window_end=datetime.date(2024, 5, 20),
    )
    assessment = make_assessment(campaign)
    pupil = PupilFactory(school_class=SchoolClassFactory(school=school, grade=4, letter="А"))
    ParticipantCode.objects.create(campaign=campaign, school=school, pupil=pupil, code="10001", class_name="4А")
    participant = make_participant(assessment, pupil, code="10001")

    task_ids = [purge_expired_personal_data.apply_async(queue=queue).id for _ in range(2)]

    deadline = time.monotonic() + TASK_DONE_SECONDS
    while _succeeded(log_path, task_ids) != set(task_ids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _succeeded(log_path, task_ids) == set(task_ids), f"worker log:\n{_tail(log_path)}"
    participant.refresh_from_db()
    campaign.refresh_from_db()
    assert participant.pupil_id is None and participant.code == "10001"
    assert not ParticipantCode.objects.filter(campaign=campaign, pupil__isnull=False).exists()
    assert campaign.personal_data_purged_at is not None
    totals = AuditEntry.objects.filter(action="campaign.personal_data_purged", school__isnull=True)
    assert [entry.after["participant_links"] for entry in totals] == [1], "purged once"
