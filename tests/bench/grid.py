"""The score grid: saving one cell through its JSON endpoint (the expert types, every cell is a request), and the
grid page of 30 works × 20 tasks (queries must not grow with the works)."""

import datetime
import json
import statistics
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grading.models import Score, Work
from grading.services.distribution import BY_CLASS, works_distribute
from procedures.models import Appointment, Assessment, Campaign, Participant
from schools.models import Membership, Role, Staff, User
from tests.factories import make_assessment, make_sitting

from . import Measurement, benchmark
from .pupils import bench_department, new_school

TASKS = 20
WORKS = 30
SAVES = 50
SAVE_BUDGET_S = 0.050
SAVE_QUERIES_BUDGET = 20
PAGE_RUNS = 5
PAGE_BUDGET_S = 0.3


def grid_school(code: str, works: int) -> tuple[Assessment, Staff, Client]:
    """A school whose one class of `works` participants writes a 20-task work, all assigned to one expert who is
    logged in to the returned client; the sitting was yesterday, so grading is open (R10)."""
    campaign, _created = Campaign.objects.get_or_create(
        code="VPR-BENCH-GRID",
        defaults={
            "department": bench_department(),
            "title": "ВПР (замеры сетки)",
            "window_start": datetime.date(2026, 4, 20),
            "window_end": datetime.date(2026, 5, 20),
            "upload_deadline": datetime.datetime(2026, 5, 25, 18, 59, tzinfo=datetime.UTC),
            "status": Campaign.Status.ACTIVE,
        },
    )
    school = new_school(code)
    assessment = make_assessment(
        campaign,
        code=f"G-{code}",
        subject="Математика",
        grade=5,
        duration=60,
        scale={"3": 10, "4": 20, "5": 30},
        tasks=[(str(i), 2) for i in range(1, TASKS + 1)],
    )
    yesterday = timezone.localdate(timezone.now(), school.tzinfo) - datetime.timedelta(days=1)
    make_sitting(assessment, school, date=yesterday, lesson=2)
    Participant.objects.bulk_create(
        Participant(
            campaign=campaign,
            assessment=assessment,
            school=school,
            class_name="5А",
            sex="Ж",
            code=f"{10001 + n}",
            variant=1 + n % 2,
        )
        for n in range(works)
    )
    user = User.objects.create_user(username=f"expert-{code}", last_name="Эксперт", first_name=code)
    Membership.objects.create(user=user, role=Role.EXPERT, school=school)
    expert = Staff.objects.create(school=school, user=user, last_name="Эксперт", first_name=code, position="учитель")
    Appointment.objects.create(
        campaign=campaign, school=school, staff=expert, duty=Appointment.Duty.EXPERT, assessment=assessment
    )
    works_distribute(assessment=assessment, school=school, mode=BY_CLASS, actor=user)
    client = Client()
    client.force_login(user)
    return assessment, expert, client


def grid_url(assessment: Assessment) -> str:
    school = Work.objects.filter(assessment=assessment).first().school
    return reverse(
        "grading:expert_grid",
        kwargs={
            "campaign_code": assessment.campaign.code,
            "school_code": school.code,
            "assessment_code": assessment.code,
        },
    )


@benchmark
def grid_cell_save() -> list[Measurement]:
    """One cell saved through POST /grading/cell/ by the expert (the view through the test client, the whole
    request in-process), 50 different cells, median; and its queries."""
    assessment, expert, client = grid_school("bench-grid-cell", WORKS)
    url = reverse("grading:cell_save")
    cells = [(work.pk, task.pk) for work in Work.objects.filter(expert=expert) for task in assessment.tasks.all()]
    timings, queries = [], []
    for number, (work_id, task_id) in enumerate(cells[: SAVES + 1]):
        body = json.dumps({"work": work_id, "task": task_id, "value": "1", "base_version": 0})
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.post(url, body, content_type="application/json")
            elapsed = time.perf_counter() - started
        if response.status_code != 200 or response.json()["version"] != 1:
            raise AssertionError(f"POST {url} answered {response.status_code}: {response.content[:200]!r}")
        if number:  # the first request warms the connection and the caches
            timings.append(elapsed)
            queries.append(len(captured))
    return [
        Measurement(
            f"grid: save one cell, POST JSON (median of {SAVES})",
            statistics.median(timings),
            "s",
            SAVE_BUDGET_S,
            f"p90 {statistics.quantiles(timings, n=10)[-1] * 1000:.1f} ms, max {max(timings) * 1000:.1f} ms",
        ),
        Measurement("grid: queries of one cell save", statistics.median(queries), "queries", SAVE_QUERIES_BUDGET),
    ]


@benchmark
def grid_page() -> list[Measurement]:
    """The expert's grid page with 10 and with 30 works × 20 tasks, every cell filled: the same number of queries,
    and the time of the 30-work page (median of 5)."""
    counts = {}
    timings = []
    for works in (10, WORKS):
        assessment, expert, client = grid_school(f"bench-grid-page-{works}", works)
        Score.objects.bulk_create(
            Score(work=work, task=task, value=1, version=1)
            for work in Work.objects.filter(expert=expert)
            for task in assessment.tasks.all()
        )
        url = grid_url(assessment)
        client.get(url)  # warm-up
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        if response.status_code != 200 or response.content.decode().count('class="grid-cell"') != works * TASKS:
            raise AssertionError(f"GET {url} answered {response.status_code} without the full grid")
        counts[works] = len(captured)
        if works == WORKS:
            for _run in range(PAGE_RUNS):
                started = time.perf_counter()
                client.get(url)
                timings.append(time.perf_counter() - started)
    return [
        Measurement(
            f"grid page: queries with {WORKS} works minus with 10",
            counts[WORKS] - counts[10],
            "queries",
            0,
            f"{counts[10]} and {counts[WORKS]} queries",
        ),
        Measurement(
            f"grid page, {WORKS} works × {TASKS} tasks (median of {PAGE_RUNS})",
            statistics.median(timings),
            "s",
            PAGE_BUDGET_S,
        ),
    ]
