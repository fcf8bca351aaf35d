"""Parents' results slips of one class (30 pupils, one assessment of 15 tasks) through their page, rendered in the
request: p95 of 10 runs, beside a raw reference measured in the same run — WeasyPrint laying out bare tables of
the same size (30 tables of 15 rows, two to a page) with no query and no template."""

import datetime
import io
import math
import random
import time

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from grading.results_form import FormRow, ParsedForm
from grading.services.results import results_import
from grading.services.scores import Cell
from procedures.models import Campaign, Participant
from tests.factories import make_assessment
from vpr_portal.pdf import part_pdf, pdf_text

from . import Measurement, benchmark
from .pupils import bench_department, school_with_pupils

PUPILS = 30
TASKS = 15
RUNS = 10
BUDGET_S = 2.0
CAMPAIGN = "VPR-BENCH-SLIPS"
# skills as long as a кодификатор's descriptions usually are
SKILL = "Умение {n}: находить в тексте информацию, представленную в явном виде, и использовать её для решения задачи"


def p95(timings: list[float]) -> float:
    ordered = sorted(timings)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def slips_class():
    """A school with one class of 30 fourth-graders, their codes and every result of a 15-task assessment."""
    campaign, created = Campaign.objects.get_or_create(
        code=CAMPAIGN,
        defaults={
            "department": bench_department(),
            "title": "ВПР (замеры листов результатов)",
            "window_start": datetime.date(2026, 4, 20),
            "window_end": datetime.date(2026, 5, 20),
            "upload_deadline": datetime.datetime(2026, 5, 25, 18, 59, tzinfo=datetime.UTC),
            "status": Campaign.Status.ACTIVE,
        },
    )
    if created:
        assessment = make_assessment(
            campaign,
            code="MA-4",
            subject="Математика",
            tasks=[(str(n), 1 + n % 3, "БПВ"[n % 3]) for n in range(1, TASKS + 1)],
            scale={"3": 7, "4": 14, "5": 21},
        )
        for task in assessment.tasks.all():
            task.skill = SKILL.format(n=task.label)
            task.save(update_fields=["skill"])
    assessment = campaign.assessments.get(code="MA-4")
    school, coordinator = school_with_pupils("bench-slips", PUPILS, range(4, 5), 1)
    call_command("issue_codes", campaign=campaign.code, school=school.code, stdout=io.StringIO())
    Participant.objects.filter(school=school, has_disability=True).update(parents_decision="заявление родителей")
    call_command("issue_codes", campaign=campaign.code, school=school.code, stdout=io.StringIO())
    rng = random.Random("bench-slips")
    tasks = list(assessment.tasks.order_by("position"))
    rows = []
    participants = Participant.objects.filter(assessment=assessment, school=school).order_by("code")
    for number, code in enumerate(participants.values_list("code", flat=True), start=2):
        cells = tuple(
            Cell(None, not_attempted=True) if rng.random() < 0.05 else Cell(rng.randint(0, task.max_points))
            for task in tasks
        )
        rows.append(FormRow(number, code, rng.randint(1, 2), False, cells, None))
    results_import(assessment=assessment, school=school, form=ParsedForm(rows=rows), actor=None)
    return campaign, assessment, school, coordinator


def bare_tables_html() -> str:
    """The raw reference: the same number of tables and rows with the same text (the skill column as wide as the
    slips'), two tables a page, no template and no styling beyond borders."""
    cells = ("1", SKILL.format(n=1), "Б", "1 из 2", "40,0", "56,3")
    row = "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"
    widths = "".join(f"<col style='width:{w}'>" for w in ("10mm", "86mm", "8mm", "17mm", "19mm", "25mm"))
    table = f"<table style='border-collapse:collapse;table-layout:fixed'>{widths}{row * TASKS}</table>"
    pages = "".join(
        f"<div style='break-after:page'><h1>Результаты</h1>{table}<h1>Результаты</h1>{table}</div>"
        for _page in range(PUPILS // 2)
    )
    return (
        "<html><head><style>@page{size:A4;margin:10mm} body{font-family:'DejaVu Serif';font-size:7.5pt}"
        "td{border:0.4pt solid #444;padding:0.6mm}</style></head><body>" + pages + "</body></html>"
    )


@benchmark
def parent_slips() -> list[Measurement]:
    """One class's parents' slips (30 pupils × 15 tasks) through their page, p95 of 10; the raw reference
    (WeasyPrint laying out bare tables of the same size) in the same run."""
    campaign, assessment, school, coordinator = slips_class()
    school_class = school.classes.get()
    client = Client()
    client.force_login(coordinator)
    url = reverse(
        "grading:slips_print",
        kwargs={
            "school_code": school.code,
            "campaign_code": campaign.code,
            "assessment_code": assessment.code,
            "class_id": school_class.pk,
        },
    )
    client.get(url)  # the first request loads fonts and templates: not what a class's print costs
    timings, cpu = [], []
    for _run in range(RUNS):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)  # the test client runs the view in this process
        if response.status_code != 200 or response["Content-Type"] != "application/pdf":
            raise AssertionError(f"GET {url} answered {response.status_code}")
    text = pdf_text(response.content)
    first = Participant.objects.filter(assessment=assessment, school=school).order_by("code").first()
    if first.code not in text:
        raise AssertionError("the class's first code is not in the slips")
    html = bare_tables_html()
    part_pdf(html)
    raw, raw_cpu = [], []
    for _run in range(RUNS):
        started, started_cpu = time.perf_counter(), time.process_time()
        part_pdf(html)
        raw.append(time.perf_counter() - started)
        raw_cpu.append(time.process_time() - started_cpu)
    runs = ", ".join(f"{t:.2f}" for t in timings)
    return [
        Measurement(
            f"parents' slips, one class of {PUPILS} × {TASKS} tasks (GET, p95 of {RUNS})",
            p95(timings),
            "s",
            BUDGET_S,
            f"runs: {runs}; CPU p95 {p95(cpu):.2f} s (what a loaded machine does not inflate as much); "
            f"{text.count('Результаты всероссийской проверочной работы')} slips",
        ),
        Measurement(
            f"reference: WeasyPrint, bare tables of the same size (p95 of {RUNS})",
            p95(raw),
            "s",
            BUDGET_S,
            "runs: " + ", ".join(f"{t:.2f}" for t in raw) + f"; CPU p95 {p95(raw_cpu):.2f} s",
        ),
    ]
