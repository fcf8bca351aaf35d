import datetime
import zoneinfo

import pytest

from procedures.models import Assessment, Campaign, Task
from schools.models import Subject

YEKATERINBURG = zoneinfo.ZoneInfo("Asia/Yekaterinburg")

RU4_TASKS = [
    ("1", 2, "Б"),
    ("2", 1, "Б"),
    ("3.1", 1, "Б"),
    ("3.2", 2, "П"),
    ("4", 3, "Б"),
    ("5", 2, "П"),
    ("6", 2, "Б"),
    ("7", 3, "Б"),
    ("8", 2, "П"),
    ("9", 2, "В"),
    ("10", 2, "В"),
    ("1К1", 2, "Б"),
]


def make_assessment(
    campaign, *, code="RU-4", subject="Русский язык", grade=4, tasks=RU4_TASKS, scale=None, duration=45
):
    """Русский язык 4 кл. 2026: max 24, «3» from 10, «4» from 16, «5» from 21."""
    assessment = Assessment.objects.create(
        campaign=campaign,
        code=code,
        subject=Subject.objects.get_or_create(name=subject)[0],
        grade=grade,
        duration=duration,
        scale=scale or {"3": 10, "4": 16, "5": 21},
    )
    Task.objects.bulk_create(
        Task(assessment=assessment, position=i, label=label, max_points=points, difficulty=level, skill=f"{i}.1")
        for i, (label, points, level) in enumerate(tasks, start=1)
    )
    return assessment


def make_campaign(department, *, code="VPR-2026", status=Campaign.Status.ACTIVE):
    return Campaign.objects.create(
        department=department,
        code=code,
        title=code.replace("VPR", "ВПР"),
        window_start=datetime.date(2026, 4, 20),
        window_end=datetime.date(2026, 5, 20),
        upload_deadline=datetime.datetime(2026, 5, 25, 23, 59, tzinfo=YEKATERINBURG),
        status=status,
    )


@pytest.fixture
def campaign(department):
    return make_campaign(department)


@pytest.fixture
def assessment(campaign):
    return make_assessment(campaign)


@pytest.fixture
def math_assessment(campaign):
    return make_assessment(
        campaign,
        code="MA-4",
        subject="Математика",
        tasks=[(str(i), 1 if i < 8 else 2, "Б" if i < 8 else "П") for i in range(1, 13)],
        scale={"3": 6, "4": 10, "5": 14},
    )
