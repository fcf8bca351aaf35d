"""The school's analytical справка for 4 assessments (and their dynamics over two campaigns): its content (figures,
signals, 6 charts per assessment
drawn with Matplotlib), the PDF (WeasyPrint) and the DOCX (python-docx), budget 15 s together; then the same through
`report_request` (both formats' jobs, inline: the second takes the first's content). Raw references in the same run:
WeasyPrint laying out a bare HTML of the same tables (no charts, no template), and the figures' own reads
(`assessment_figures` of the school and of the municipality for the 4 assessments)."""

import datetime
import time

from django.conf import settings
from django.core.cache import cache
from django.template.defaultfilters import escape

from grading.figures import assessment_figures
from procedures.models import Campaign, Task
from reports import report_charts
from reports.generation import report_request
from reports.kinds.school_report import content
from reports.report_doc import Table
from reports.report_render import report_docx, report_pdf
from reports.school_conclusions import conclusions_of, conclusions_save
from schools.models import Role, School, User
from tests.factories import make_assessment, user_with_role
from tests.reports.test_figures import record
from vpr_portal.pdf import part_pdf

from . import Measurement, benchmark
from .pupils import bench_department
from .region import cpu_reference

BUDGET_S = 15.0
CAMPAIGN = "VPR-BENCH-SPRAVKA"
EARLIER = "VPR-BENCH-SPRAVKA-2025"  # the same assessments a year before: the dynamics' table and chart
SUBJECTS = [
    ("RU-4", "Русский язык", 4),
    ("MA-4", "Математика", 4),
    ("OM-4", "Окружающий мир", 4),
    ("RU-5", "Русский язык", 5),
]
# 12 tasks: label, max points, level; each with its skill
TASKS = [(str(n), 2 if n % 3 else 3, "Б" if n <= 7 else ("П" if n <= 10 else "В")) for n in range(1, 13)]
CLASSES = ("А", "Б", "В")
PER_CLASS = 25


def _people(prefix: int, grade: int, letter: str, n: int, seed: int) -> list:
    people = []
    for i in range(n):
        level = (i * 7 + seed) % 10  # a spread of results, the same every run
        scores = tuple(min(mx, (level * mx + j) // 9) for j, (_label, mx, _lvl) in enumerate(TASKS))
        people.append((f"{prefix}{i:03d}", f"{grade}{letter}", scores, 2 + level % 4, False, False))
    return people


def _data():
    """Two campaigns a year apart with the same 4 assessments: the school (3 classes of 25) and two other schools."""
    department = bench_department()
    school = School.objects.get_or_create(
        code="bench-spravka",
        defaults={"department": department, "name": "МБОУ «Школа замеров справки»", "short_name": "Школа замеров"},
    )[0]
    others = [
        School.objects.get_or_create(
            code=f"bench-spravka-{n}",
            defaults={"department": department, "name": f"Школа {n}", "short_name": f"Ш{n}"},
        )[0]
        for n in (2, 3)
    ]
    campaign = Campaign.objects.filter(code=CAMPAIGN).first()
    if campaign is None:
        for code, year in ((EARLIER, 2025), (CAMPAIGN, 2026)):
            campaign = Campaign.objects.create(
                department=department,
                code=code,
                title=f"ВПР-{year} (замеры справки)",
                window_start=datetime.date(year, 4, 20),
                window_end=datetime.date(year, 5, 20),
                upload_deadline=datetime.datetime(year, 5, 25, 18, 59, tzinfo=datetime.UTC),
                status=Campaign.Status.ACTIVE,
            )
            _results(campaign, school, others, seed=year % 7)
        user_with_role(Role.SCHOOL_COORDINATOR, school=school, username="bench-spravka-coord")
    return campaign, school, User.objects.get(username="bench-spravka-coord")


def _results(campaign, school, others, *, seed: int) -> None:
    for index, (code, subject, grade) in enumerate(SUBJECTS):
        assessment = make_assessment(
            campaign, code=code, subject=subject, grade=grade, tasks=TASKS, scale={"3": 8, "4": 15, "5": 22}
        )
        for task in Task.objects.filter(assessment=assessment):
            task.skill = f"{task.position}.1 Умение № {task.position} ({subject})"
            task.save(update_fields=["skill"])
        for number, letter in enumerate(CLASSES):
            record(assessment, school, _people(10 + index * 10 + number, grade, letter, PER_CLASS, number + seed))
        for number, other in enumerate(others):
            record(assessment, other, _people(50 + index * 10 + number, grade, "А", PER_CLASS, number + 5))


def _bare_html(doc) -> str:
    """The document's tables and headings in a bare page: the same number of tables, without charts or template."""
    parts = [
        "<html><head><meta charset='utf-8'><style>table{border-collapse:collapse;width:100%}"
        "td,th{border:1px solid #999;font-size:9pt}</style></head><body>"
    ]
    for block in doc.blocks:
        if isinstance(block, Table):
            rows = "".join(
                "<tr>" + "".join(f"<td>{escape(text)}</td>" for text, _n in row) + "</tr>" for row in block.cells()
            )
            parts.append(
                "<table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in block.headers) + f"</tr>{rows}</table>"
            )
        elif block.kind == "heading":
            parts.append(f"<h2>{escape(block.text)}</h2>")
    parts.append("</body></html>")
    return "".join(parts)


@benchmark
def school_report() -> list[Measurement]:
    """A school's справка of 4 assessments: content, PDF, DOCX, and the whole through the report's jobs."""
    campaign, school, coordinator = _data()
    assessments = list(campaign.assessments.order_by("code"))
    cpu = cpu_reference()
    # what a worker has loaded before its first справка: WeasyPrint, Matplotlib's fonts
    part_pdf("<p>разминка</p>")
    report_charts.marks_bars("разминка", [("—", {"2": 25.0, "3": 25.0, "4": 25.0, "5": 25.0})])

    started = time.perf_counter()
    for assessment in assessments:
        assessment_figures(assessment=assessment, school=school)
        assessment_figures(assessment=assessment)
    figures_reference = time.perf_counter() - started

    started = time.perf_counter()
    doc = content(campaign, school, lambda done, total: None)
    built = time.perf_counter() - started
    started = time.perf_counter()
    pdf = report_pdf(doc)
    pdf_s = time.perf_counter() - started
    started = time.perf_counter()
    docx = report_docx(doc)
    docx_s = time.perf_counter() - started
    tables = sum(1 for block in doc.blocks if isinstance(block, Table))
    charts = sum(1 for block in doc.blocks if block.kind == "chart")

    html = _bare_html(doc)
    started = time.perf_counter()
    part_pdf(html)
    bare = time.perf_counter() - started

    cache.clear()  # the jobs draw everything again (the content above kept its parts in the results' cache)
    inline, settings.JOBS_INLINE = settings.JOBS_INLINE, True
    try:
        started = time.perf_counter()
        documents = report_request(name="school_report", campaign=campaign, school=school, user=coordinator)
        jobs_s = time.perf_counter() - started
    finally:
        settings.JOBS_INLINE = inline
    for document in documents:
        document.refresh_from_db()
    statuses = sorted({document.status for document in documents})
    # new conclusions: a new version, the figures' parts (and their charts) taken from the results' cache
    revision = conclusions_of(campaign, school).revision
    conclusions_save(
        campaign=campaign,
        school=school,
        sections={"general": {"conclusions": f"Выводы, редакция {revision + 1}.", "measures": ""}},
        parts=["general"],
        based_on=revision,
        actor=coordinator,
    )
    inline, settings.JOBS_INLINE = settings.JOBS_INLINE, True
    try:
        started = time.perf_counter()
        report_request(name="school_report", campaign=campaign, school=school, user=coordinator)
        rebuilt_s = time.perf_counter() - started
    finally:
        settings.JOBS_INLINE = inline
    total = built + pdf_s + docx_s
    return [
        Measurement(
            f"school справка, {len(assessments)} assessments: content + PDF + DOCX",
            total,
            "s",
            BUDGET_S,
            f"content {built:.2f} s ({tables} tables, {charts} charts), PDF {pdf_s:.2f} s ({len(pdf) // 1024} KB), "
            f"DOCX {docx_s:.2f} s ({len(docx) // 1024} KB)",
        ),
        Measurement(
            "school справка through report_request (both formats' jobs, inline)",
            jobs_s,
            "s",
            BUDGET_S,
            f"documents {', '.join(statuses)}; the DOCX's job takes the PDF's content",
        ),
        Measurement(
            "school справка built again after new conclusions (jobs inline)",
            rebuilt_s,
            "s",
            BUDGET_S,
            "the figures' sections and their charts from the results' cache (unchanged results)",
        ),
        Measurement(f"reference: WeasyPrint, a bare HTML of the same {tables} tables", bare, "s", BUDGET_S),
        Measurement("reference: the figures' reads, school and municipality × 4", figures_reference, "s", BUDGET_S),
        Measurement("reference: a fixed pure-Python loop (≈ 0.1 s on an idle core)", cpu, "s", BUDGET_S),
    ]
