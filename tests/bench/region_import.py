"""`import_results` of a 10,000-row × 24-task form on PostgreSQL (the real command, end to end, committed) beside
the raw pipeline measured in the same run on the same file: python-calamine read, the cells checked, COPY into a
staging table, `INSERT … ON CONFLICT` of the same scores into grading_score, and the foreign-key checks a commit
would run (then rolled back). Budget: the import within 2× the raw pipeline.

The school, campaign and form are made for the run in the bench's own department (uo-bench) and removed after it,
so the region's database is left as it was."""

import datetime
import io
import os
import tempfile
import time

from django.core.management import call_command
from django.db import connection, transaction
from python_calamine import CalamineWorkbook

from grading.models import Score, ScoreChange, Work
from grading.services.scores import works_ensure
from procedures.models import Campaign, Participant
from schools.models import Pupil, School, SchoolClass, User
from tests.factories import make_assessment

from . import Measurement, region_benchmark
from .pupils import bench_department, school_with_pupils
from .results import write_filled_form

ROWS = 10_000
LETTERS = 20  # twenty fourth-grade classes of 500
CAMPAIGN = "VPR-BENCH-REGION-IMPORT"
SCHOOL = "bench-region-import"
ASSESSMENT = "RU-4"
TASKS = [(str(n), 1 + n % 3, "Б" if n <= 14 else "П") for n in range(1, 25)]  # 24 tasks, max 48


def cleanup() -> None:
    """Removes what the run made (a classes' pupils first: a class is protected while it has pupils)."""
    Campaign.objects.filter(code=CAMPAIGN).delete()
    Pupil.objects.filter(school__code=SCHOOL).delete()
    SchoolClass.objects.filter(school__code=SCHOOL).delete()
    School.objects.filter(code=SCHOOL).delete()
    User.objects.filter(username=f"coord-{SCHOOL}").delete()


def import_setup():
    """The campaign with a 24-task assessment and a school of 10,000 fourth-graders with their codes."""
    cleanup()
    campaign = Campaign.objects.create(
        department=bench_department(),
        code=CAMPAIGN,
        title="ВПР (замеры импорта на уровне региона)",
        window_start=datetime.date(2026, 4, 20),
        window_end=datetime.date(2026, 5, 20),
        upload_deadline=datetime.datetime(2026, 5, 25, 18, 59, tzinfo=datetime.UTC),
        status=Campaign.Status.ACTIVE,
    )
    assessment = make_assessment(
        campaign, code=ASSESSMENT, subject="Русский язык", grade=4, tasks=TASKS, scale={"3": 15, "4": 26, "5": 37}
    )
    school, _coordinator = school_with_pupils(SCHOOL, ROWS, range(4, 5), LETTERS)
    call_command("issue_codes", campaign=campaign.code, school=school.code, stdout=io.StringIO())
    Participant.objects.filter(school=school, has_disability=True).update(parents_decision="заявление родителей")
    call_command("issue_codes", campaign=campaign.code, school=school.code, stdout=io.StringIO())
    return campaign, assessment, school


def raw_pipeline(path: str, assessment, school) -> tuple[float, int]:
    """calamine + checks + COPY + INSERT … ON CONFLICT + the deferred checks, timed, then rolled back."""
    tasks = list(assessment.tasks.order_by("position"))
    with transaction.atomic():
        works_ensure(assessment=assessment, school=school)
        started = time.perf_counter()
        rows = CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
        work_ids = dict(
            Work.objects.filter(assessment=assessment, school=school).values_list("participant__code", "id")
        )
        first_task = 4  # Код, Класс, Пол, Вариант
        lines = []
        for row in rows[1:]:
            code = str(row[0]).strip()
            work_id = work_ids[code]
            if str(row[3]).strip() == "отсутствовал":
                continue
            for task, cell in zip(tasks, row[first_task : first_task + len(tasks)], strict=True):
                if cell == "X":
                    lines.append(f"{work_id}\t{task.pk}\t\\N\tt\n")
                    continue
                value = int(cell)
                if not 0 <= value <= task.max_points:
                    raise ValueError(f"{code}: {value} > {task.max_points}")
                lines.append(f"{work_id}\t{task.pk}\t{value}\tf\n")
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE bench_staging (work_id integer, task_id integer, value smallint, "
                "not_attempted boolean) ON COMMIT DROP"
            )
            cursor.cursor.copy_expert("COPY bench_staging FROM STDIN", io.StringIO("".join(lines)))
            cursor.execute(
                "INSERT INTO grading_score (work_id, task_id, value, not_attempted, version, updated_at) "
                "SELECT work_id, task_id, value, not_attempted, 1, now() FROM bench_staging "
                "ON CONFLICT (work_id, task_id) DO UPDATE SET value = EXCLUDED.value, "
                "not_attempted = EXCLUDED.not_attempted, version = grading_score.version + 1, "
                "updated_at = EXCLUDED.updated_at "
                "WHERE (grading_score.value, grading_score.not_attempted) "
                "IS DISTINCT FROM (EXCLUDED.value, EXCLUDED.not_attempted)"
            )
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the foreign-key checks a commit would run
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed, len(lines)


def import_results(path: str, campaign, assessment, school) -> float:
    started = time.perf_counter()
    call_command(
        "import_results",
        path,
        campaign=campaign.code,
        assessment=assessment.code,
        school=school.code,
        stdout=io.StringIO(),
    )
    return time.perf_counter() - started


@region_benchmark
def region_import() -> list[Measurement]:
    """import_results of a 10,000 × 24 form (committed), the same file again, and the raw pipeline."""
    if connection.vendor != "postgresql":
        raise RuntimeError("the import's raw pipeline needs PostgreSQL (COPY)")
    campaign, assessment, school = import_setup()
    try:
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "form.xlsx")
            write_filled_form(path, school, assessment, seed="region-import")
            raw, scores = raw_pipeline(path, assessment, school)
            if Score.objects.filter(work__school=school).exists():
                raise AssertionError("the raw pipeline's scores were not rolled back")
            first = import_results(path, campaign, assessment, school)
            imported = Score.objects.filter(work__school=school).count()
            history = ScoreChange.objects.filter(work__school=school).count()
            again = import_results(path, campaign, assessment, school)
            if ScoreChange.objects.filter(work__school=school).count() != history:
                raise AssertionError("importing the same file again wrote history")
    finally:
        cleanup()
    if imported != scores:
        raise AssertionError(f"import_results wrote {imported:,} scores, the raw pipeline {scores:,}")
    return [
        Measurement(
            "reference: raw pipeline (calamine + COPY + INSERT … ON CONFLICT + FK checks)",
            raw,
            "s",
            raw,
            f"{scores:,} scores, {ROWS:,} rows × {len(TASKS)} tasks",
        ),
        Measurement(
            f"import_results {ROWS:,} × {len(TASKS)}, new results (within 2× the raw pipeline)",
            first,
            "s",
            2 * raw,
            f"{first / raw:.1f}× the raw pipeline; {history:,} history rows",
        ),
        Measurement("import_results, the same file again: nothing written", again, "s", 2 * raw),
    ]
