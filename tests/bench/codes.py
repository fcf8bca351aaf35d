"""Participant codes and their printables for a 1,500-pupil school: `issue_codes`, one class's slips, code list
and protocol (in the request), and the whole school's set (the background builder, run in-process)."""

import datetime
import io
import statistics
import time

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from procedures.models import Campaign, ParticipantCode
from schools.models import Pupil
from tests.factories import make_assessment
from vpr_portal.models import GeneratedDocument
from vpr_portal.pdf import pdf_text

from . import Measurement, benchmark
from .pupils import bench_department, school_with_pupils

PUPILS = 1500
GRADES = range(4, 9)  # grades 4–8, ten classes each: 50 classes of 30
LETTERS = 10
WORKS = ("Русский язык", "Математика", "Окружающий мир")  # three works for every grade: 4,500 participations
ISSUE_RUNS = 3
ISSUE_BUDGET_S = 2.0
PRINT_RUNS = 5
PRINT_BUDGET_S = 1.0
SET_BUDGET_S = 20.0


def bench_campaign() -> Campaign:
    campaign, created = Campaign.objects.get_or_create(
        code="VPR-BENCH",
        defaults={
            "department": bench_department(),
            "title": "ВПР (замеры)",
            "window_start": datetime.date(2026, 4, 20),
            "window_end": datetime.date(2026, 5, 20),
            "upload_deadline": datetime.datetime(2026, 5, 25, 18, 59, tzinfo=datetime.UTC),
            "status": Campaign.Status.ACTIVE,
        },
    )
    if created:
        for grade in GRADES:
            for number, name in enumerate(WORKS, start=1):
                make_assessment(
                    campaign,
                    code=f"W{number}-{grade}",
                    subject=name,
                    grade=grade,
                    scale={"3": 6, "4": 10, "5": 14},
                    tasks=[(str(i), 2) for i in range(1, 11)],
                )
    return campaign


@benchmark
def issue_codes() -> Measurement:
    """`issue_codes` for a school of 1,500 pupils writing three works each (the real command), median of 3."""
    campaign = bench_campaign()
    timings = []
    for run in range(1, ISSUE_RUNS + 1):
        school, _coordinator = school_with_pupils(f"bench-codes-{run}", PUPILS, GRADES, LETTERS)
        started = time.perf_counter()
        call_command("issue_codes", campaign=campaign.code, school=school.code, stdout=io.StringIO())
        timings.append(time.perf_counter() - started)
        issued = ParticipantCode.objects.filter(campaign=campaign, school=school).count()
        # R7: pupils with ОВЗ get their code once the parents' decision is recorded, which the bench does not do
        expected = PUPILS - Pupil.objects.filter(school=school, has_disability=True).count()
        if issued != expected:
            raise AssertionError(f"{issued} codes issued instead of {expected}")
    return Measurement(
        f"issue_codes, {PUPILS:,} pupils × {len(WORKS)} works (median of {ISSUE_RUNS})",
        statistics.median(timings),
        "s",
        ISSUE_BUDGET_S,
        "runs: " + ", ".join(f"{t:.2f}" for t in timings),
    )


def coded_school(code: str):
    campaign = bench_campaign()
    school, coordinator = school_with_pupils(code, PUPILS, GRADES, LETTERS)
    call_command("issue_codes", campaign=campaign.code, school=school.code, stdout=io.StringIO())
    return campaign, school, coordinator


@benchmark
def class_printables() -> list[Measurement]:
    """One class's (30 pupils, three works) slips, code list and protocol through their pages, median of 5."""
    campaign, school, coordinator = coded_school("bench-print")
    client = Client()
    client.force_login(coordinator)
    school_class = school.classes.order_by("grade", "letter").first()
    kwargs = {"campaign_code": campaign.code, "school_code": school.code, "class_id": school_class.pk}
    measurements = []
    for name, label in (
        ("participant_slips", "code slips"),
        ("participant_code_list", "code list"),
        ("participant_protocol", "protocol with names"),
    ):
        url = reverse(f"procedures:{name}", kwargs=kwargs)
        timings = []
        for _run in range(PRINT_RUNS):
            started = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - started)
            if response.status_code != 200 or response["Content-Type"] != "application/pdf":
                raise AssertionError(f"GET {url} answered {response.status_code}")
        if ParticipantCode.objects.filter(school=school, class_name=school_class.name).first().code not in pdf_text(
            response.content
        ):
            raise AssertionError(f"{label}: the class's first code is not in the PDF")
        measurements.append(
            Measurement(
                f"{label}, one class of {school_class.pupils.count()} (median of {PRINT_RUNS})",
                statistics.median(timings),
                "s",
                PRINT_BUDGET_S,
            )
        )
    return measurements


@benchmark
def school_set() -> Measurement:
    """The whole school's set (slips, code lists and protocols of 50 classes) through the background builder,
    in-process as on the embedded default: from the request to the stored file."""
    from procedures.printables import school_set_request

    campaign, school, coordinator = coded_school("bench-set")
    started = time.perf_counter()
    document = school_set_request(campaign=campaign, school=school, user=coordinator)
    elapsed = time.perf_counter() - started
    document.refresh_from_db()
    if document.status != GeneratedDocument.Status.DONE or document.progress != 100:
        raise AssertionError(f"document {document.status} at {document.progress}%: {document.error}")
    with document.file.open("rb") as handle:
        content = handle.read()
    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(content)).pages)
    classes = school.classes.count()
    return Measurement(
        f"whole school set, {PUPILS:,} pupils in {classes} classes (background builder)",
        elapsed,
        "s",
        SET_BUDGET_S,
        f"{pages} pages, {len(content) / 1e6:.1f} MB",
    )
