"""Results of a 2,000-participant assessment: `import_results` of a filled form (new results, a corrected file,
the same file again), `export_results_form` of the filled form, the figures of a school and of the
municipality, and the school's results page."""

import datetime
import io
import os
import random
import statistics
import tempfile
import time

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from grading.figures import assessment_figures
from grading.models import Score, ScoreChange, Work
from procedures.catalogue import results_form_columns
from procedures.models import Assessment, Campaign, Participant
from tests.factories import make_assessment

from . import Measurement, benchmark
from .pupils import bench_department, school_with_pupils

PARTICIPANTS = 2000
LETTERS = 10  # ten classes of 200: one grade, one assessment
RUNS = 3
IMPORT_BUDGET_S = 2.0
EXPORT_BUDGET_S = 2.0
FIGURES_RUNS = 5
FIGURES_BUDGET_S = 0.5
PAGE_BUDGET_S = 1.0
CAMPAIGN = "VPR-BENCH-RES"
ASSESSMENT = "RU-4"
TASKS = [("1", 2), ("2", 1), ("3.1", 1), ("3.2", 2), ("4", 3), ("5", 2), ("6", 2), ("7", 3), ("8", 2), ("9", 2)]
TASKS += [("10", 2), ("1К1", 2)]


def results_campaign() -> tuple[Campaign, Assessment]:
    campaign, created = Campaign.objects.get_or_create(
        code=CAMPAIGN,
        defaults={
            "department": bench_department(),
            "title": "ВПР (замеры результатов)",
            "window_start": datetime.date(2026, 4, 20),
            "window_end": datetime.date(2026, 5, 20),
            "upload_deadline": datetime.datetime(2026, 5, 25, 18, 59, tzinfo=datetime.UTC),
            "status": Campaign.Status.ACTIVE,
        },
    )
    if created:
        make_assessment(campaign, code=ASSESSMENT, subject="Русский язык", grade=4, tasks=TASKS)
    return campaign, campaign.assessments.get(code=ASSESSMENT)


def coded_school(code: str):
    """A school of 2,000 fourth-graders with their codes (the real `issue_codes`)."""
    campaign, assessment = results_campaign()
    school, coordinator = school_with_pupils(code, PARTICIPANTS, range(4, 5), LETTERS)
    call_command("issue_codes", campaign=campaign.code, school=school.code, stdout=io.StringIO())
    # R7: pupils with ОВЗ get their code once the parents' decision is recorded
    Participant.objects.filter(school=school, has_disability=True).update(parents_decision="заявление родителей")
    call_command("issue_codes", campaign=campaign.code, school=school.code, stdout=io.StringIO())
    return campaign, assessment, school, coordinator


def write_filled_form(path: str, school, assessment, seed: str) -> None:
    """Every participant's row: about 3% absent, the others with scores (some X) and most with a journal mark."""
    rng = random.Random(seed)
    tasks = list(assessment.tasks.order_by("position"))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Форма")
    sheet.append(results_form_columns(tasks))
    participants = Participant.objects.filter(assessment=assessment, school=school).order_by("class_name", "code")
    for code, class_name, sex in participants.values_list("code", "class_name", "sex"):
        if rng.random() < 0.03:
            sheet.append([code, class_name, sex, "отсутствовал", *[None] * len(tasks), rng.choice([None, 3, 4]), None])
            continue
        cells = [("X" if rng.random() < 0.05 else rng.randint(0, t.max_points)) for t in tasks]
        sheet.append([code, class_name, sex, rng.randint(1, 2), *cells, rng.choice([None, 2, 3, 4, 5, 5]), None, None])
    workbook.save(path)


def import_form(path: str, school) -> float:
    started = time.perf_counter()
    call_command(
        "import_results", path, campaign=CAMPAIGN, assessment=ASSESSMENT, school=school.code, stdout=io.StringIO()
    )
    return time.perf_counter() - started


def runs_note(timings: list[float]) -> str:
    return "runs: " + ", ".join(f"{t:.2f}" for t in timings)


@benchmark
def import_results() -> list[Measurement]:
    """`import_results` of a 2,000-row filled form (the real command): into a school without results (three
    schools), a corrected file where every row changes, and the same file again; median of 3 each."""
    fresh, corrected, same = [], [], []
    with tempfile.TemporaryDirectory() as directory:
        for run in range(1, RUNS + 1):
            _campaign, assessment, school, _coordinator = coded_school(f"bench-results-{run}")
            first, second = os.path.join(directory, f"a{run}.xlsx"), os.path.join(directory, f"b{run}.xlsx")
            write_filled_form(first, school, assessment, seed=f"a{run}")
            write_filled_form(second, school, assessment, seed=f"b{run}")
            fresh.append(import_form(first, school))
            graded = Work.objects.filter(school=school, is_complete=True).count()
            if not PARTICIPANTS * 0.9 < graded <= PARTICIPANTS:
                raise AssertionError(f"{graded} complete works after the import")
            corrected.append(import_form(second, school))
            changes = ScoreChange.objects.filter(work__school=school).count()
            same.append(import_form(second, school))
            if ScoreChange.objects.filter(work__school=school).count() != changes:
                raise AssertionError("re-importing the same file changed something")
        scores = Score.objects.filter(work__school=school).count()
    return [
        Measurement(
            f"import_results, {PARTICIPANTS:,} rows into a school without results (median of {RUNS})",
            statistics.median(fresh),
            "s",
            IMPORT_BUDGET_S,
            f"{runs_note(fresh)}; {scores:,} scores",
        ),
        Measurement(
            f"import_results, corrected file, every row changed (median of {RUNS})",
            statistics.median(corrected),
            "s",
            IMPORT_BUDGET_S,
            runs_note(corrected),
        ),
        Measurement(
            f"import_results, the same file again: nothing written (median of {RUNS})",
            statistics.median(same),
            "s",
            IMPORT_BUDGET_S,
            runs_note(same),
        ),
    ]


def graded_school(code: str):
    campaign, assessment, school, coordinator = coded_school(code)
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "filled.xlsx")
        write_filled_form(path, school, assessment, seed=code)
        import_form(path, school)
    return campaign, assessment, school, coordinator


@benchmark
def export_results_form() -> Measurement:
    """`export_results_form --filled` of 2,000 graded participants (the real command), median of 3."""
    _campaign, _assessment, school, _coordinator = graded_school("bench-export")
    timings = []
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "form.xlsx")
        for _run in range(RUNS):
            started = time.perf_counter()
            call_command(
                "export_results_form",
                campaign=CAMPAIGN,
                assessment=ASSESSMENT,
                school=school.code,
                output=path,
                filled=True,
                stdout=io.StringIO(),
            )
            timings.append(time.perf_counter() - started)
        size = os.path.getsize(path)
    return Measurement(
        f"export_results_form --filled, {PARTICIPANTS:,} rows (median of {RUNS})",
        statistics.median(timings),
        "s",
        EXPORT_BUDGET_S,
        f"{runs_note(timings)}; {size / 1e3:.0f} kB",
    )


@benchmark
def results_figures() -> list[Measurement]:
    """The figures (docs/glossary.md) for a 2,000-participant school and the municipality over it and the import
    benchmark's schools (median of 5), and the school's results page."""
    _campaign, assessment, school, coordinator = graded_school("bench-figures")
    measurements = []
    for label, target in (("school", school), ("municipality", None)):
        timings = []
        for _run in range(FIGURES_RUNS):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                figures = assessment_figures(assessment=assessment, school=target)
                timings.append(time.perf_counter() - started)
        if figures.participants < PARTICIPANTS * 0.9:
            raise AssertionError(f"{figures.participants} participants in the figures")
        measurements.append(
            Measurement(
                f"figures, {label}: {figures.participants:,} participants (median of {FIGURES_RUNS})",
                statistics.median(timings),
                "s",
                FIGURES_BUDGET_S,
                f"{len(queries)} queries",
            )
        )
    client = Client()
    client.force_login(coordinator)
    url = reverse(
        "grading:results_figures",
        kwargs={"campaign_code": CAMPAIGN, "school_code": school.code, "assessment_code": ASSESSMENT},
    )
    timings = []
    for _run in range(RUNS):
        started = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise AssertionError(f"GET {url} answered {response.status_code}")
    measurements.append(
        Measurement(
            f"results page, {PARTICIPANTS:,} participants: every class's figures, one class listed (median of {RUNS})",
            statistics.median(timings),
            "s",
            PAGE_BUDGET_S,
            f"{len(response.content) / 1e6:.1f} MB",
        )
    )
    return measurements
