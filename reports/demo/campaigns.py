"""The demo municipality's campaigns: one fictitious catalogue of ВПР works, the same every year so that trends
and cohorts exist, loaded through the catalogue service for each campaign of the demo.

The catalogue is modelled on the real works' shape (task labels, maxima, levels, scales) but is demo data.
The years are relative to the academic year the demo is built in: the three springs before are finished
campaigns, the coming spring is the campaign in preparation.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from procedures.catalogue import parse_catalogue
from procedures.models import Campaign
from procedures.services.campaigns import campaign_set_status, catalogue_load
from procedures.services.plan import stages_create_defaults
from schools.models import Department, current_academic_year


def _tasks(spec: str) -> list[dict]:
    """`"1:2:Б 2:1:Б 3.1:1:П"` → task dicts."""
    tasks = []
    for number, item in enumerate(spec.split(), start=1):
        label, points, level = item.split(":")
        tasks.append({"label": label, "max": int(points), "level": level, "skill": f"{number}.1"})
    return tasks


ASSESSMENTS = [
    {
        "code": "RU-4",
        "subject": "Русский язык",
        "grade": 4,
        "duration": 45,
        "tasks": _tasks("1:2:Б 2:1:Б 3.1:1:Б 3.2:2:П 4:3:Б 5:2:П 6:2:Б 7:3:Б 8:2:П 9:2:В 10:2:В 1К1:2:Б"),
        "scale": {"3": 10, "4": 16, "5": 21},
    },
    {
        "code": "MA-4",
        "subject": "Математика",
        "grade": 4,
        "duration": 45,
        "tasks": _tasks("1:1:Б 2:1:Б 3:1:Б 4:1:Б 5:1:Б 6:2:Б 7:1:Б 8:2:П 9:2:П 10:2:В 11:1:В 12:2:В"),
        "scale": {"3": 6, "4": 10, "5": 14},
    },
    {
        "code": "OM-4",
        "subject": "Окружающий мир",
        "grade": 4,
        "duration": 45,
        "tasks": _tasks("1:2:Б 2:2:Б 3:2:Б 4:2:Б 5:2:П 6:2:П 7:2:П 8:2:В 9:2:В 10:2:В"),
        "scale": {"3": 8, "4": 13, "5": 17},
    },
    {
        "code": "RU-5",
        "subject": "Русский язык",
        "grade": 5,
        "duration": 60,
        "tasks": _tasks("1К1:4:Б 1К2:3:Б 1К3:2:Б 2:4:Б 3:2:П 4:3:П 5:3:П 6:2:В 7:2:В 8:3:В 9:2:В 10:2:В 11:3:В"),
        "scale": {"3": 18, "4": 27, "5": 33},
    },
    {
        "code": "MA-5",
        "subject": "Математика",
        "grade": 5,
        "duration": 60,
        "tasks": _tasks("1:1:Б 2:1:Б 3:1:Б 4:1:Б 5:1:Б 6:1:Б 7:2:П 8:2:П 9:2:В 10:2:В"),
        "scale": {"3": 5, "4": 9, "5": 12},
    },
    {
        "code": "HI-5",
        "subject": "История",
        "grade": 5,
        "duration": 45,
        "tasks": _tasks("1:2:Б 2:1:Б 3:3:Б 4:1:Б 5:2:П 6:3:В"),
        "scale": {"3": 4, "4": 7, "5": 10},
    },
    {
        "code": "BI-5",
        "subject": "Биология",
        "grade": 5,
        "duration": 45,
        "tasks": _tasks("1:2:Б 2:1:Б 3:2:Б 4:1:Б 5:2:П 6:3:В 7:2:В"),
        "scale": {"3": 5, "4": 8, "5": 11},
    },
    {
        "code": "RU-6",
        "subject": "Русский язык",
        "grade": 6,
        "duration": 90,
        "tasks": _tasks("1К1:4:Б 1К2:3:Б 1К3:2:Б 2:4:Б 3:2:П 4:3:П 5:2:П 6:2:В 7:2:В 8:2:В 9:3:В"),
        "scale": {"3": 11, "4": 18, "5": 25},
    },
    {
        "code": "MA-7",
        "subject": "Математика",
        "grade": 7,
        "duration": 90,
        "tasks": _tasks(
            "1:1:Б 2:1:Б 3:1:Б 4:1:Б 5:1:Б 6:1:Б 7:1:Б 8:1:Б 9:1:П 10:2:П 11:2:П 12:2:П 13:2:В 14:2:В 15:2:В 16:2:В"
        ),
        "scale": {"3": 6, "4": 11, "5": 16},
    },
    {
        "code": "RU-8",
        "subject": "Русский язык",
        "grade": 8,
        "duration": 90,
        "tasks": _tasks(
            "1К1:4:Б 1К2:3:Б 1К3:2:Б 2:3:Б 3:2:П 4:2:П 5:2:П 6:3:В 7:3:В 8:2:В 9:2:В 10:2:В 11:2:В 12:2:В 13:2:В"
        ),
        "scale": {"3": 13, "4": 24, "5": 31},
    },
    {
        "code": "GE-10",
        "subject": "География",
        "grade": 10,
        "duration": 90,
        "tasks": _tasks("1:2:Б 2:2:Б 3:2:Б 4:2:Б 5:2:П 6:2:П 7:2:П 8:2:В 9:2:В 10:3:В 11:3:В"),
        "scale": {"3": 7, "4": 13, "5": 18},
    },
]


def spring_of_current_year(today: datetime.date | None = None) -> int:
    """The spring ВПР of the academic year in force: 2027 from September 2026 to August 2027."""
    return current_academic_year(today) + 1


def finished_springs(today: datetime.date | None = None) -> list[int]:
    """The springs of the demo's finished campaigns, oldest first."""
    current = spring_of_current_year(today)
    return [current - 3, current - 2, current - 1]


def vpr_catalogue(spring: int) -> dict:
    """The demo catalogue of the spring ВПР of `spring` (ВПР-2027: window 12 April – 16 May 2027)."""
    # The window opens on the Monday of the week of 12 April, so sittings fall on working days.
    start = datetime.date(spring, 4, 12)
    start -= datetime.timedelta(days=start.weekday())
    return {
        "campaign": {
            "code": f"VPR-{spring}",
            "title": f"ВПР-{spring}",
            "window": [start.isoformat(), (start + datetime.timedelta(days=34)).isoformat()],
            "upload_deadline": f"{spring}-05-21T23:59:00+05:00",
        },
        "assessments": ASSESSMENTS,
    }


def campaign_load(data: dict, *, department: Department) -> Campaign:
    """Loads a catalogue through the catalogue service (idempotent) and returns its campaign."""
    spec = parse_catalogue(data, default_tz=timezone.get_default_timezone())
    catalogue_load(spec=spec, department=department, actor=None)
    return Campaign.objects.get(code=spec.code)


def campaign_start(campaign: Campaign) -> Campaign:
    if campaign.status == Campaign.Status.DRAFT:
        campaign_set_status(campaign=campaign, status=Campaign.Status.ACTIVE, actor=None)
    return campaign


@transaction.atomic
def seed_demo_campaign(*, department: Department, spring: int | None = None) -> Campaign:
    """Loads the coming spring's catalogue, starts the campaign and adds the standard plan-graph; idempotent."""
    campaign = campaign_start(campaign_load(vpr_catalogue(spring or spring_of_current_year()), department=department))
    stages_create_defaults(campaign=campaign, actor=None)
    return campaign
