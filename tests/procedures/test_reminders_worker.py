"""The hourly reminder task end to end: sent through Redis to a real Celery worker, twice, it creates each
notice once. Needs REDIS_URL and PostgreSQL (the worker is started as in tests/test_celery_worker.py, whose
fixture this module reuses) and is skipped otherwise; CI's PostgreSQL + Redis stage runs it."""

import datetime
import re
import time

import pytest
from django.utils import timezone

from procedures.models import Stage
from procedures.tasks import send_deadline_reminders
from schools.models import Notification, Role
from tests.factories import DepartmentFactory, SchoolFactory, make_campaign, user_with_role
from tests.test_celery_worker import TASK_DONE_SECONDS, _tail, needs_worker_services, redis_worker  # noqa: F401


def _succeeded(log_path, task_ids) -> set[str]:
    text = log_path.read_text(errors="replace")
    return {task_id for task_id in task_ids if re.search(rf"\[{re.escape(task_id)}\] succeeded", text)}


@pytest.mark.celery_worker
@needs_worker_services
@pytest.mark.django_db(transaction=True)
def test_the_reminder_task_sent_twice_to_a_worker_notifies_once(redis_worker):  # noqa: F811
    from vpr_portal.celery import app

    queue, log_path = redis_worker
    assert not app.conf.task_always_eager, "with REDIS_URL set tasks must go through the broker"
    department = DepartmentFactory()
    school = SchoolFactory(department=department, short_name="СШ №5")
    coordinator = user_with_role(Role.SCHOOL_COORDINATOR, school=school, username="worker-coord")
    municipal = user_with_role(Role.MUNICIPAL_COORDINATOR, department=department, username="worker-mun")
    now = timezone.now()
    campaign = make_campaign(
        department,
        code="VPR-WORKER",
        title="ВПР (проверка воркера)",
        window_start=now.date(),
        upload_deadline=now + datetime.timedelta(days=40),
    )
    tomorrow = Stage.objects.create(
        campaign=campaign, kind=Stage.Kind.OTHER, title="Инструктаж", deadline=now + datetime.timedelta(days=1)
    )
    late = Stage.objects.create(
        campaign=campaign, kind=Stage.Kind.OTHER, title="Приказ", deadline=now - datetime.timedelta(hours=2)
    )

    task_ids = [send_deadline_reminders.apply_async(queue=queue).id for _ in range(2)]

    deadline = time.monotonic() + TASK_DONE_SECONDS
    while _succeeded(log_path, task_ids) != set(task_ids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _succeeded(log_path, task_ids) == set(task_ids), f"worker log:\n{_tail(log_path)}"
    assert list(Notification.objects.filter(user=coordinator).values_list("key", flat=True)) == [
        f"stage:{tomorrow.pk}:school:{school.pk}:d1"
    ]
    assert list(Notification.objects.filter(user=municipal).values_list("key", flat=True)) == [
        f"stage:{late.pk}:school:{school.pk}:overdue"
    ]
