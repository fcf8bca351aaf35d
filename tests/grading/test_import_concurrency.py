"""Imports of one school's results of one assessment at the same time, on PostgreSQL with real concurrency
(threads, each with its own connection): they run one after the other, so the stored results are always exactly
one file, never a mix, and copies of one file imported at once change things once.

SQLite runs one write transaction at a time (BEGIN IMMEDIATE), so there is nothing to race there: skipped."""

import io
import threading

import openpyxl
import pytest
from django.conf import settings
from django.db import connections

from grading.models import Score, ScoreChange, Work
from grading.services.results import results_form_read, results_import
from procedures.models import Participant
from schools.models import AuditEntry
from tests.factories import PupilFactory, make_participant
from tests.grading.test_import_results import HEADER
from vpr_portal.tables import read_table

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="concurrent imports race only on PostgreSQL; SQLite serialises writers (BEGIN IMMEDIATE)",
    ),
    pytest.mark.django_db(transaction=True),
]

PARTICIPANTS = 40
MAXIMA = [2, 1, 1, 2, 3, 2, 2, 3, 2, 2, 2, 2]  # RU-4


def form_bytes(codes, *, variant, points, journal) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADER)
    for index, code in enumerate(codes):
        cells = [points(index, task_max) for task_max in MAXIMA]
        workbook.active.append([code, "4А", "Ж", variant, *cells, journal, None, None])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


@pytest.fixture
def codes(assessment, school, class_4a):
    """The participants' codes; each has a work, as once the blank form was exported."""
    participants = [
        make_participant(assessment, PupilFactory(school_class=class_4a), code=f"{10001 + n}")
        for n in range(PARTICIPANTS)
    ]
    Work.objects.bulk_create(Work(participant=p, assessment=assessment, school=school) for p in participants)
    return [p.code for p in participants]


@pytest.fixture
def forms(assessment, school, codes):
    """Two different forms of the same school and assessment: variant 1, full marks, journal 5; variant 2, «X»
    or 0, journal 2."""
    first = form_bytes(codes, variant=1, points=lambda i, task_max: task_max, journal=5)
    second = form_bytes(codes, variant=2, points=lambda i, task_max: "X" if i % 2 else 0, journal=2)
    return [
        results_form_read(assessment=assessment, school=school, table=read_table(data, "form.xlsx"))
        for data in (first, second)
    ]


def form_state(form) -> dict:
    return {
        row.code: (row.variant, row.absent, tuple(cell.text for cell in row.cells), row.journal_mark)
        for row in form.rows
    }


def stored_state(assessment, school) -> dict:
    tasks = list(assessment.tasks.order_by("position").values_list("pk", flat=True))
    scores = {(s.work_id, s.task_id): str(s) for s in Score.objects.filter(work__assessment=assessment)}
    state = {}
    for work in Work.objects.filter(assessment=assessment, school=school).select_related("participant"):
        participant = work.participant
        cells = tuple(scores.get((work.pk, task), "") for task in tasks)
        state[participant.code] = (participant.variant, participant.absent, cells, work.journal_mark)
    return state


def run_at_once(jobs) -> list:
    """Runs each job in its own thread (its own database connection), all released together."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def worker(index, job):
        try:
            barrier.wait()
            results[index] = job()
        except Exception as error:  # reported below, with the thread's error
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    return results


def importing(assessment, school, form):
    return lambda: results_import(assessment=assessment, school=school, form=form, actor=None)


def test_two_forms_imported_at_once_leave_exactly_one_of_them(assessment, school, forms):
    expected = [form_state(form) for form in forms]
    for _round in range(8):
        run_at_once([importing(assessment, school, form) for form in (*forms, *forms)])
        stored = stored_state(assessment, school)
        assert stored in expected, "the stored results mix the two files"


def test_copies_of_one_form_imported_at_once_change_things_once(assessment, school, forms):
    form = forms[0]
    plans = run_at_once([importing(assessment, school, form) for _copy in range(4)])
    assert sorted(plan.changed for plan in plans) == [0, 0, 0, PARTICIPANTS]
    assert stored_state(assessment, school) == form_state(form)
    assert not ScoreChange.objects.filter(field="score").exists()  # first values into empty cells: no history rows
    assert AuditEntry.objects.get(action="results.imported").after["cells"] == PARTICIPANTS * len(MAXIMA)
    assert Participant.objects.filter(assessment=assessment, variant=1).count() == PARTICIPANTS
