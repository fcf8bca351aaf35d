"""Pupils: importing a school's list, and the list page as the school grows."""

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

from reports.demo.registry import pupil_plans
from schools.models import (
    Department,
    Membership,
    Pupil,
    Role,
    School,
    SchoolClass,
    User,
    current_academic_year,
    search_key,
)

from . import Measurement, benchmark

IMPORT_ROWS = 3000
IMPORT_RUNS = 3
IMPORT_BUDGET_S = 3.0
BIG_SCHOOL, SMALL_SCHOOL = 1500, 150
PAGE_BUDGET_S = 0.3
PAGE_TIMED_RUNS = 5
SEARCH = "Иванов"
LETTERS = "АБВГДЕЖЗИК"


def class_sizes(pupils: int, grades: range, letters: int) -> dict[tuple[int, str], int]:
    """`pupils` spread as evenly as possible over every class of `grades` × the first `letters` letters."""
    classes = [(grade, letter) for grade in grades for letter in LETTERS[:letters]]
    base, extra = divmod(pupils, len(classes))
    return {cls: base + (index < extra) for index, cls in enumerate(classes)}


def bench_department() -> Department:
    department, _created = Department.objects.get_or_create(
        code="uo-bench", defaults={"name": "Управление образования (замеры)", "short_name": "УО (замеры)"}
    )
    return department


def new_school(code: str) -> School:
    return School.objects.create(department=bench_department(), code=code, name=f"Школа {code}", short_name=code)


def write_pupils_xlsx(path: str, rows: int) -> None:
    plans = pupil_plans(random.Random("bench-import"), class_sizes(rows, range(1, 12), 10))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Обучающиеся")
    sheet.append(["Фамилия", "Имя", "Отчество", "Класс", "Пол", "ОВЗ"])
    for pupil in plans:
        sheet.append(
            [
                pupil.last_name,
                pupil.first_name,
                pupil.middle_name,
                pupil.class_name,
                pupil.sex,
                "да" if pupil.has_disability else "нет",
            ]
        )
    workbook.save(path)


@benchmark
def import_pupils() -> Measurement:
    """`import_pupils` of a 3,000-row .xlsx into an empty school (the real command), median of 3 runs."""
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "pupils.xlsx")
        write_pupils_xlsx(path, IMPORT_ROWS)
        timings = []
        for run in range(1, IMPORT_RUNS + 1):
            school = new_school(f"bench-import-{run}")
            started = time.perf_counter()
            call_command("import_pupils", path, school=school.code, stdout=io.StringIO())
            timings.append(time.perf_counter() - started)
            imported = Pupil.objects.filter(school=school).count()
            if imported != IMPORT_ROWS:
                raise AssertionError(f"{imported} pupils imported instead of {IMPORT_ROWS}")
    return Measurement(
        f"import_pupils, {IMPORT_ROWS:,} rows .xlsx (median of {IMPORT_RUNS})",
        statistics.median(timings),
        "s",
        IMPORT_BUDGET_S,
        "runs: " + ", ".join(f"{t:.2f}" for t in timings),
    )


def school_with_pupils(code: str, pupils: int, grades: range, letters: int) -> tuple[School, User]:
    """A school with `pupils` pupils and a school coordinator to read them."""
    school = new_school(code)
    year = current_academic_year()
    sizes = class_sizes(pupils, grades, letters)
    SchoolClass.objects.bulk_create(
        [SchoolClass(school=school, academic_year=year, grade=g, letter=letter) for g, letter in sizes]
    )
    classes = {(c.grade, c.letter): c for c in school.classes.all()}
    Pupil.objects.bulk_create(
        [
            Pupil(
                school=school,
                school_class=classes[(p.grade, p.letter)],
                last_name=p.last_name,
                first_name=p.first_name,
                middle_name=p.middle_name,
                sex=p.sex,
                has_disability=p.has_disability,
                search_text=search_key(p.last_name, p.first_name, p.middle_name),
            )
            for p in pupil_plans(random.Random(code), sizes)
        ],
        batch_size=500,
    )
    coordinator = User.objects.create_user(username=f"coord-{code}", last_name="Координатор", first_name=code)
    Membership.objects.create(user=coordinator, role=Role.SCHOOL_COORDINATOR, school=school)
    return school, coordinator


def get_page(client: Client, url: str, params: dict) -> None:
    response = client.get(url, params)
    if response.status_code != 200:
        raise AssertionError(f"GET {url} {params} answered {response.status_code}")
    # A page that lists nobody would measure nothing: every view measured here shows a full page of names.
    rows = response.content.decode().count('<tr><td><a href="')
    if rows == 0:
        raise AssertionError(f"GET {url} {params} lists no pupils")


def count_queries(client: Client, url: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        get_page(client, url, params)
    return len(queries)


def time_page(client: Client, url: str, params: dict) -> float:
    timings = []
    for _run in range(PAGE_TIMED_RUNS):
        started = time.perf_counter()
        get_page(client, url, params)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


@benchmark
def pupil_list() -> list[Measurement]:
    """The pupil list of a 1,500-pupil school (page 1, page 2, a search): time, and queries vs 150 pupils.

    The query count must not grow with the school: the 150-pupil school's count is the budget."""
    clients = {}
    for size, grades, letters in ((BIG_SCHOOL, range(1, 12), 5), (SMALL_SCHOOL, range(4, 10), 1)):
        school, coordinator = school_with_pupils(f"bench-list-{size}", size, grades, letters)
        client = Client()
        client.force_login(coordinator)
        clients[size] = (client, reverse("schools:pupil_list", kwargs={"school_code": school.code}))

    views = (("page 1", {}), ("page 2", {"page": 2}), (f"search ?q={SEARCH}", {"q": SEARCH}))
    measurements = []
    for label, params in views:
        queries = {size: count_queries(client, url, params) for size, (client, url) in clients.items()}
        client, url = clients[BIG_SCHOOL]
        measurements.append(
            Measurement(
                f"pupil_list {label}, {BIG_SCHOOL:,} pupils (median of {PAGE_TIMED_RUNS})",
                time_page(client, url, params),
                "s",
                PAGE_BUDGET_S,
            )
        )
        flat = queries[BIG_SCHOOL] == queries[SMALL_SCHOOL]
        measurements.append(
            Measurement(
                f"pupil_list {label} queries, {BIG_SCHOOL:,} vs {SMALL_SCHOOL} pupils",
                queries[BIG_SCHOOL],
                "queries",
                queries[SMALL_SCHOOL],
                "{big} vs {small} queries; queries flat: {flat}".format(
                    big=queries[BIG_SCHOOL], small=queries[SMALL_SCHOOL], flat="yes" if flat else "no"
                ),
            )
        )
    return measurements
