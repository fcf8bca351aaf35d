"""Observation (issue 11): saving one item of an observer's act through the form's JSON endpoint (the phone form
autosaves every change, so every tap is a request) beside one raw UPDATE of the same row; and, at region scale,
the department's violations list with a few thousand violations planted across the region's schools."""

import datetime
import json
import statistics
import time

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from monitoring.items import items_of
from monitoring.models import ObservationAssignment, Person, Violation, VisitReport
from monitoring.services import observer_instruction_acknowledge
from procedures.models import Campaign, Sitting
from reports.demo.region import USERNAME
from schools.models import Membership, Role, School, User
from tests.factories import make_assessment, make_sitting

from . import Measurement, benchmark, region_benchmark
from .pupils import bench_department, new_school
from .region import department_client, page_measurement, target, url_for

SAVES = 60
SAVE_BUDGET_MS = 50
SAVE_QUERIES_BUDGET = 12
VIOLATIONS_PER_SCHOOL = 6
VIOLATIONS_BUDGET_S = 0.300
VIOLATIONS_RUNS = 20
PLANTED = "Замер производительности: "  # the planted violations' details start with it


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def act_to_fill(code: str) -> tuple[ObservationAssignment, Client]:
    """An observer (instruction confirmed) sent to today's sitting of a school, logged in to the returned client,
    with the act's draft opened as the form opens it."""
    department = bench_department()
    campaign, _created = Campaign.objects.get_or_create(
        code="VPR-BENCH-OBS",
        defaults={
            "department": department,
            "title": "ВПР (замеры наблюдения)",
            "window_start": datetime.date(2026, 4, 20),
            "window_end": datetime.date(2026, 5, 20),
            "upload_deadline": datetime.datetime(2026, 5, 25, 18, 59, tzinfo=datetime.UTC),
            "status": Campaign.Status.ACTIVE,
        },
    )
    school = new_school(code)
    assessment = make_assessment(campaign, code=f"O-{code}", subject="Математика", grade=5)
    sitting = make_sitting(assessment, school, date=timezone.localdate(timezone.now(), school.tzinfo), lesson=2)
    user = User.objects.create_user(username=f"observer-{code}", last_name="Наблюдатель", first_name=code)
    Membership.objects.create(user=user, role=Role.OBSERVER, department=department)
    person = Person.objects.create(department=department, user=user, kind=Person.Kind.OBSERVER)
    observer_instruction_acknowledge(user=user)
    assignment = ObservationAssignment.objects.create(person=person, sitting=sitting)
    client = Client()
    client.force_login(user)
    response = client.get(reverse("monitoring:report", args=[assignment.pk]))
    if response.status_code != 200:
        raise AssertionError(f"the act's form answered {response.status_code}")
    return assignment, client


def raw_update_times(report_id: int, runs: int) -> list[float]:
    """The floor under a save: one UPDATE of the act's row (its answers and revision) in its own transaction."""
    timings = []
    answers = json.dumps({"1": {"value": "yes", "text": ""}})
    for _run in range(runs + 1):
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE monitoring_visitreport SET answers = %s, revision = revision + 1 WHERE id = %s",
                [answers, report_id],
            )
        timings.append(time.perf_counter() - started)
    return timings[1:]


@benchmark
def observation_item_save() -> list[Measurement]:
    """One item of an observer's act saved through POST …/acts/<pk>/save/ (the whole request in-process), 60
    saves over the act's items, p95; its queries; and one raw UPDATE of the same row as the reference."""
    assignment, client = act_to_fill("bench-obs-save")
    url = reverse("monitoring:report_save", args=[assignment.pk])
    codes = [it.code for it in items_of(VisitReport.Kind.ACT)]
    timings, queries = [], []
    for number in range(SAVES + 1):
        body = {"field": codes[number % len(codes)], "value": "yes" if number % 2 else "no", "text": f"замер {number}"}
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.post(url, json.dumps(body), content_type="application/json")
            elapsed = time.perf_counter() - started
        if response.status_code != 200 or "revision" not in response.json():
            raise AssertionError(f"POST {url} answered {response.status_code}: {response.content[:200]!r}")
        if number:  # the first request warms the connection and the caches
            timings.append(elapsed)
            queries.append(len(captured))
    report = VisitReport.objects.get(assignment=assignment)
    if report.revision != SAVES + 1:
        raise AssertionError(f"{SAVES + 1} saves counted {report.revision} revisions")
    raw = raw_update_times(report.pk, SAVES)
    return [
        Measurement(
            f"act: save one item, POST JSON (p95 of {SAVES})",
            p95(timings) * 1000,
            "ms",
            SAVE_BUDGET_MS,
            f"median {statistics.median(timings) * 1000:.1f} ms, max {max(timings) * 1000:.1f} ms",
        ),
        Measurement(
            "act: reference, one raw UPDATE of the act's row (p95)",
            p95(raw) * 1000,
            "ms",
            SAVE_BUDGET_MS,
            f"median {statistics.median(raw) * 1000:.2f} ms",
        ),
        Measurement("act: queries of one item save", statistics.median(queries), "queries", SAVE_QUERIES_BUDGET),
    ]


# Region scale ------------------------------------------------------------------------------------------------------


def plant_violations(campaign_code: str, department_id: int) -> int:
    """Sittings of three works of the campaign in every school of the region and VIOLATIONS_PER_SCHOOL violations
    in each school spread over kinds, sources and statuses, written once (a later run finds them and adds
    nothing). Returns how many planted violations there are."""
    planted = Violation.objects.filter(sitting__campaign__code=campaign_code, details__startswith=PLANTED)
    schools = list(School.objects.filter(department_id=department_id).order_by("code"))
    if planted.count() >= len(schools) * VIOLATIONS_PER_SCHOOL:
        return planted.count()
    campaign = Campaign.objects.get(code=campaign_code)
    assessments = list(campaign.assessments.order_by("code")[:3])
    day = campaign.window_start + datetime.timedelta(days=7)
    with transaction.atomic():
        sittings_of = Sitting.objects.filter(campaign=campaign, assessment__in=assessments)
        existing = set(sittings_of.values_list("school_id", "assessment_id"))
        Sitting.objects.bulk_create(
            [
                Sitting(
                    campaign=campaign,
                    school=school,
                    assessment=assessment,
                    date=day + datetime.timedelta(days=i),
                    lesson=2,
                )
                for school in schools
                for i, assessment in enumerate(assessments)
                if (school.pk, assessment.pk) not in existing
            ],
            batch_size=2000,
        )
        sittings = {(s.school_id, s.assessment_id): s for s in sittings_of}
        done = set(planted.values_list("school_id", flat=True))
        kinds, sources, statuses = Violation.Kind.values, Violation.Source.values, Violation.Status.values
        reported = timezone.now() - datetime.timedelta(days=30)
        rows = []
        for number, school in enumerate(schools):
            if school.pk in done:
                continue
            for k in range(VIOLATIONS_PER_SCHOOL):
                n = number * VIOLATIONS_PER_SCHOOL + k
                status = statuses[n % len(statuses)]
                rows.append(
                    Violation(
                        school=school,
                        sitting=sittings[(school.pk, assessments[k % len(assessments)].pk)],
                        kind=kinds[n % len(kinds)],
                        source=sources[n % len(sources)],
                        details=f"{PLANTED}нарушение № {k + 1} школы {school.code}.",
                        reported_at=reported + datetime.timedelta(minutes=n),
                        status=status,
                        answer="Ответ школы." if status != Violation.Status.OPEN else "",
                        answered_at=reported if status != Violation.Status.OPEN else None,
                        closing_note="Закрыто." if status == Violation.Status.CLOSED else "",
                        closed_at=reported if status == Violation.Status.CLOSED else None,
                    )
                )
        Violation.objects.bulk_create(rows, batch_size=2000)
    return planted.count()


@region_benchmark
def region_violations() -> list[Measurement]:
    """The department's violations list at region scale (a few thousand violations planted in the region's 600
    schools): the first page, a page filtered by campaign and status, one school's by its code and the last page;
    p95 of 20 each. The violations are planted inside a transaction rolled back at the end: the region's
    database is left as it was found."""
    t = target()
    department_id = Membership.objects.filter(user__username=USERNAME, department__isnull=False).values_list(
        "department_id", flat=True
    )[0]
    found = url_for(["monitoring:violations"], {})
    pages = [("violations list, page 1", found)]
    if found is not None:
        name, url = found
        pages += [
            ("violations list, campaign + status «open»", (name, f"{url}?campaign={t.campaign}&status=open")),
            ("violations list, one school", (name, f"{url}?school={t.school}")),
            ("violations list, last page", (name, f"{url}?page=last")),
        ]
    with transaction.atomic():
        count = plant_violations(t.campaign, department_id)
        client = department_client()
        results = [Measurement("violations planted in the region", count, "violations", 1000, at_least=True)]
        for label, page in pages:
            results.append(page_measurement(client, label, page, VIOLATIONS_RUNS, VIOLATIONS_BUDGET_S))
        transaction.set_rollback(True)
    return results
