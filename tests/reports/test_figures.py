"""The figures (docs/glossary.md, «Показатели»; grading/figures.py), checked against numbers computed by hand, and
`results_figures --json` exactly as docs/commands.md prints it."""

import io
import json
from fractions import Fraction

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grading.figures import (
    Tally,
    TaskInfo,
    assessment_figures,
    figures_by_class,
    figures_by_school,
    figures_compute,
    percent,
    round_half_up,
)
from grading.services.scores import cell_parse, work_recompute
from grading.summaries import summaries_refresh
from procedures.models import Participant
from tests.factories import SchoolFactory, make_assessment, make_participant, make_score, make_work

# Three tasks, max 2 + 1 + 3 = 6; «3» from 2, «4» from 4, «5» from 6.
TASKS = [("A", 2, "Б"), ("B", 1, "Б"), ("C", 3, "П")]
SCALE = {"3": 2, "4": 4, "5": 6}

# code, class, scores (None: not graded), journal mark, absent, exempt
PEOPLE = [
    ("10001", "4А", (2, 1, 3), 5, False, False),  # 6 → «5», journal 5: confirmed
    ("10002", "4А", (2, 1, 1), 5, False, False),  # 4 → «4», journal 5: lower
    ("10003", "4А", ("X", 1, 2), 3, False, False),  # 3 → «3», journal 3: confirmed
    ("10004", "4А", (1, 0, 0), 3, False, False),  # 1 → «2», journal 3: lower
    ("10101", "4Б", (2, "Х", 2), None, False, False),  # 4 → «4», no journal mark
    ("10102", "4Б", (0, 0, "X"), 2, False, False),  # 0 → «2», journal 2: confirmed
    ("10103", "4Б", (2, 1, 2), 3, False, False),  # 5 → «4», journal 3: higher
    ("10005", "4А", (None, None, None), None, True, False),  # absent
    ("10006", "4А", (None, None, None), 4, True, False),  # absent, with a journal mark: still excluded
    ("10104", "4Б", (2, 1, 3), 5, False, True),  # exempt: in no figure at all
    ("10105", "4Б", (2, None, None), None, False, False),  # present, not fully graded: not counted
]

EXPECTED = {
    "participants": 7,
    "absent": 2,
    "mark_counts": {"2": 2, "3": 1, "4": 3, "5": 1},
    # 2/7 = 28.571…, 1/7 = 14.285…, 3/7 = 42.857…
    "marks": {"2": 28.6, "3": 14.3, "4": 42.9, "5": 14.3},
    "mean_score": 3.3,  # 23 / 7 = 3.2857…
    # A: 9 / (2 × 7) = 64.29; B: 4 / 7 = 57.14; C: 10 / (3 × 7) = 47.62
    "tasks": {"A": 64.3, "B": 57.1, "C": 47.6},
    # 6 with a journal mark: 2 lower, 3 confirmed, 1 higher
    "journal": {"n": 6, "lower": 33.3, "confirmed": 50.0, "higher": 16.7},
    "histogram": {"0": 1, "1": 1, "2": 0, "3": 1, "4": 2, "5": 1, "6": 1},
}


def record(assessment, school, people=PEOPLE):
    """Participants with their works and scores, totals through work_recompute as every writer does."""
    tasks = list(assessment.tasks.order_by("position"))
    for code, class_name, scores, journal, absent, exempt in people:
        participant = make_participant(
            assessment,
            school=school,
            class_name=class_name,
            sex="Ж",
            code=code,
            absent=absent,
            status=Participant.Status.EXEMPT if exempt else Participant.Status.WRITES,
        )
        work = make_work(participant, journal_mark=journal)
        by_task = {}
        for task, raw in zip(tasks, scores, strict=True):
            if raw is None:
                continue
            cell = cell_parse(raw, max_points=task.max_points)
            by_task[task.pk] = make_score(work, task, value=cell.value, not_attempted=cell.not_attempted)
        work_recompute(work, tasks=tasks, scores=by_task, assessment=assessment)
        work.save()
    # rows written past the services: their summary rows, as the services would keep them
    summaries_refresh(school_id=school.pk, assessment_ids=[assessment.pk])


@pytest.fixture
def small(campaign):
    return make_assessment(campaign, code="T-4", tasks=TASKS, scale=SCALE)


def as_dict(figures) -> dict:
    return {
        "participants": figures.participants,
        "absent": figures.absent,
        "mark_counts": figures.mark_counts,
        "marks": figures.marks,
        "mean_score": figures.mean_score,
        "tasks": figures.tasks,
        "journal": {
            "n": figures.journal.n,
            "lower": figures.journal.lower,
            "confirmed": figures.journal.confirmed,
            "higher": figures.journal.higher,
        },
        "histogram": figures.histogram,
    }


def test_rounding_is_half_up_on_exact_values():
    assert round(12.25, 1) == 12.2  # what the binary float would give
    assert round_half_up(Fraction(1225, 100)) == 12.3
    assert percent(1, 16) == 6.3  # 6.25
    assert percent(1, 8) == 12.5
    assert percent(2, 3) == 66.7 and percent(1, 3) == 33.3
    assert percent(0, 0) == 0.0


def test_figures_from_a_tally_without_a_database():
    tasks = [TaskInfo(1, "1", 2), TaskInfo(2, "2", 1)]
    tally = Tally(absent=1, present=3)
    tally.results[(3, 5, 4)] += 1  # higher
    tally.results[(1, 3, 3)] += 1  # confirmed
    tally.results[(0, 2, None)] += 1
    tally.task_points.update({1: 3, 2: 1})
    figures = figures_compute(tally, tasks=tasks)
    assert as_dict(figures) == {
        "participants": 3,
        "absent": 1,
        "mark_counts": {"2": 1, "3": 1, "4": 0, "5": 1},
        "marks": {"2": 33.3, "3": 33.3, "4": 0.0, "5": 33.3},
        "mean_score": 1.3,
        "tasks": {"1": 50.0, "2": 33.3},
        "journal": {"n": 2, "lower": 0.0, "confirmed": 50.0, "higher": 50.0},
        "histogram": {"0": 1, "1": 1, "2": 0, "3": 1},
    }
    assert figures.small_sample and not figures.percentages_hidden and figures.not_graded == 0


def test_an_empty_group_has_zero_shares_and_every_histogram_key():
    figures = figures_compute(Tally(), tasks=[TaskInfo(1, "1", 3)])
    assert figures.participants == 0 and figures.mean_score == 0.0
    assert figures.marks == {"2": 0.0, "3": 0.0, "4": 0.0, "5": 0.0}
    assert figures.histogram == {"0": 0, "1": 0, "2": 0, "3": 0}


@pytest.mark.django_db
def test_every_figure_of_a_school_matches_the_hand_computation(small, school):
    record(small, school)
    figures = assessment_figures(assessment=small, school=school)
    assert as_dict(figures) == EXPECTED
    assert figures.not_graded == 1  # 10105
    assert figures.small_sample  # 7 < 10
    assert not figures.percentages_hidden


@pytest.mark.django_db
def test_absent_participants_are_excluded_and_x_counts_zero(small, school):
    record(
        small,
        school,
        [
            ("10001", "4А", ("X", "X", "X"), None, False, False),
            ("10002", "4А", (2, 1, 3), None, False, False),
            ("10003", "4А", (None, None, None), None, True, False),
        ],
    )
    figures = assessment_figures(assessment=small, school=school)
    assert (figures.participants, figures.absent) == (2, 1)
    assert figures.histogram["0"] == 1 and figures.histogram["6"] == 1
    assert figures.tasks == {"A": 50.0, "B": 50.0, "C": 50.0}
    assert figures.mean_score == 3.0


@pytest.mark.django_db
def test_each_class_has_its_own_figures(small, school):
    record(small, school)
    by_class = figures_by_class(assessment=small, school=school)
    a, b = by_class["4А"], by_class["4Б"]
    # 4А: 6, 4, 3, 1 → «5», «4», «3», «2»; absent 2
    assert (a.participants, a.absent, a.mark_counts) == (4, 2, {"2": 1, "3": 1, "4": 1, "5": 1})
    assert a.marks == {"2": 25.0, "3": 25.0, "4": 25.0, "5": 25.0} and a.mean_score == 3.5
    assert a.tasks == {"A": 62.5, "B": 75.0, "C": 50.0}  # 5/8, 3/4, 6/12
    assert (a.journal.n, a.journal.lower, a.journal.confirmed, a.journal.higher) == (4, 50.0, 50.0, 0.0)
    # 4Б: 4, 0, 5 → «4», «2», «4»; 10105 not graded, 10104 exempt
    assert (b.participants, b.absent, b.not_graded, b.mark_counts) == (3, 0, 1, {"2": 1, "3": 0, "4": 2, "5": 0})
    assert b.mean_score == 3.0 and b.tasks == {"A": 66.7, "B": 33.3, "C": 44.4}  # 4/6, 1/3, 4/9
    assert (b.journal.n, b.journal.lower, b.journal.confirmed, b.journal.higher) == (2, 0.0, 50.0, 50.0)


@pytest.mark.django_db
def test_department_views_hide_percentages_under_five(small, school):
    record(small, school)
    by_class = figures_by_class(assessment=small, school=school, hide_small=True)
    hidden = by_class["4Б"]  # 3 participants
    assert hidden.percentages_hidden
    assert hidden.marks == {"2": None, "3": None, "4": None, "5": None}
    assert hidden.mean_score is None and set(hidden.tasks.values()) == {None}
    assert (hidden.journal.lower, hidden.journal.confirmed, hidden.journal.higher) == (None, None, None)
    assert hidden.participants == 3  # the counts of who took part stay
    shown = assessment_figures(assessment=small, school=school, hide_small=True)  # 7 participants
    assert not shown.percentages_hidden and shown.marks == EXPECTED["marks"] and shown.small_sample


@pytest.mark.django_db
def test_the_municipality_is_every_school_together(small, school):
    record(small, school)
    other = SchoolFactory(department=school.department, code="sch660009")
    record(
        small,
        other,
        [
            ("10001", "4А", (2, 1, 3), 4, False, False),  # 6 → «5», higher
            ("10002", "4А", (0, 1, 1), 2, False, False),  # 2 → «3», higher
            ("10003", "4А", (None, None, None), None, True, False),
        ],
    )
    municipality = assessment_figures(assessment=small)
    assert (municipality.participants, municipality.absent) == (9, 3)
    assert municipality.mark_counts == {"2": 2, "3": 2, "4": 3, "5": 2}
    assert municipality.marks == {"2": 22.2, "3": 22.2, "4": 33.3, "5": 22.2}
    assert municipality.mean_score == 3.4  # 31 / 9 = 3.44
    assert municipality.tasks == {"A": 61.1, "B": 66.7, "C": 51.9}  # 11/18, 6/9, 14/27
    assert municipality.journal.n == 8 and municipality.journal.higher == 37.5  # 3 of 8
    per_school = figures_by_school(assessment=small)
    assert as_dict(per_school[school.pk]) == EXPECTED
    assert per_school[other.pk].participants == 2


@pytest.mark.django_db
def test_figures_take_a_fixed_number_of_queries(small, school):
    record(small, school)
    with CaptureQueriesContext(connection) as few:
        assessment_figures(assessment=small, school=school)
    record(small, SchoolFactory(department=school.department), PEOPLE * 1)
    with CaptureQueriesContext(connection) as more:
        assessment_figures(assessment=small)
    assert len(few) == len(more) == 4  # tasks, participants, results, task points


def run_figures(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("results_figures", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_results_figures_prints_the_json_of_cli_md(small, school):
    record(small, school)
    code, out, err = run_figures("--campaign", "VPR-2026", "--assessment", "T-4", "--school", "sch660001", "--json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data == {"campaign": "VPR-2026", "assessment": "T-4", "school": "sch660001", **EXPECTED, "signals": []}
    assert list(data) == [
        "campaign",
        "assessment",
        "school",
        "participants",
        "absent",
        "mark_counts",
        "marks",
        "mean_score",
        "tasks",
        "journal",
        "histogram",
        "signals",
    ]


@pytest.mark.django_db
def test_results_figures_without_a_school_is_the_municipality(small, school):
    record(small, school)
    code, out, _err = run_figures("--campaign", "VPR-2026", "--assessment", "T-4", "--json")
    data = json.loads(out)
    assert code == 0 and data["school"] is None and data["participants"] == 7 and data["signals"] == []


@pytest.mark.django_db
def test_results_figures_refuses_unknown_codes_in_russian(small, school):
    code, out, err = run_figures("--campaign", "VPR-2026", "--assessment", "NOPE", "--school", "sch000", "--json")
    assert code == 1 and out == ""
    assert err.splitlines() == ["в кампании VPR-2026 нет работы с кодом «NOPE»", "школа с кодом «sch000» не найдена"]
    code, _out, err = run_figures("--campaign", "X", "--assessment", "T-4")
    assert code == 1 and err.strip() == "кампания с кодом «X» не найдена"


@pytest.mark.django_db
def test_results_figures_without_json_prints_one_russian_line(small, school):
    record(small, school)
    code, out, _err = run_figures("--campaign", "VPR-2026", "--assessment", "T-4", "--school", "sch660001")
    assert code == 0
    assert out.strip() == (
        "sch660001, T-4: участников 7, отсутствовало 2; «2» 2 (28.6%), «3» 1 (14.3%), «4» 3 (42.9%), «5» 1 (14.3%); "
        "средний первичный балл 3.3."
    )
