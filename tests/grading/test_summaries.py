"""The summary rows the figures read (grading/summaries.py) stay equal to the raw counts after every write that
changes what is counted — the results import, a grid correction, a journal mark, a protocol's absence, an
exemption, a class change by the participants' refresh, a catalogue change, the retention purge — for the
municipality, each school and each class; the item analysis from the sums equals a direct computation;
`rebuild_summaries` rebuilds and its `--check` finds a tampered row; reads take the same queries for any number of
schools, and a cell save adds a bounded number only when the work is counted."""

import datetime
import io
import json
import random
import statistics

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grading.figures import assessment_tasks, figures_compute, tallies, tallies_raw
from grading.item_analysis import item_analysis
from grading.models import ParticipationSummary, ResultSummary, Score, ScoreChange, TaskSummary, Work
from grading.results_form import FormRow, ParsedForm
from grading.services.entry import journal_mark_set
from grading.services.results import results_import
from grading.services.retention import personal_data_purge
from grading.services.scores import Cell, score_set
from grading.summaries import summaries_check, summaries_rebuild
from procedures.models import Participant, Seat
from procedures.services.participants import (
    codes_issue,
    participant_exempt,
    participant_unexempt,
    participants_refresh,
)
from procedures.services.protocols import ProtocolInput, protocol_save
from schools.models import Role
from tests.factories import (
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    make_room,
    make_sitting,
    make_sitting_room,
    user_with_role,
)
from tests.procedures.test_catalogue_integrity import catalogue_of, load

GROUPS = (None, "school", "class")


def run(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue().strip(), err.getvalue().strip()


def assert_summaries_match_the_scores(assessment, schools) -> None:
    """Tallies from the summary rows == tallies counted from the raw rows, for the municipality and each school,
    whole and by school and by class; hence every figure is the same; and the check finds nothing."""
    tasks = assessment_tasks(assessment)
    compared = 0
    for school in (None, *schools):
        for group in GROUPS:
            summary = tallies(assessment=assessment, school=school, group=group)
            raw = tallies_raw(assessment=assessment, school=school, group=group)
            assert summary == raw, (school, group)
            for key, tally in raw.items():
                assert figures_compute(summary[key], tasks=tasks) == figures_compute(tally, tasks=tasks)
                compared += 1
    assert compared > 0
    assert summaries_check() == []


def recorded() -> list:
    """Every row an import writes, with the summary rows' ids (a refresh would give new ones)."""
    models = (Participant, Work, Score, ScoreChange, ParticipationSummary, ResultSummary, TaskSummary)
    return [list(model.objects.order_by("pk").values()) for model in models]


def writers(assessment, school) -> list[Participant]:
    return list(
        Participant.objects.filter(assessment=assessment, school=school, status=Participant.Status.WRITES).order_by(
            "class_name", "code"
        )
    )


def random_form(assessment, participants, rng: random.Random) -> ParsedForm:
    """Every participant's row: about a tenth absent, the others with points, some «X», most with a journal mark."""
    tasks = list(assessment.tasks.order_by("position"))
    rows = []
    for number, participant in enumerate(participants, start=2):
        if rng.random() < 0.1:
            cells = tuple(Cell(None) for _task in tasks)
            rows.append(FormRow(number, participant.code, None, True, cells, rng.choice([None, 4])))
            continue
        cells = tuple(
            Cell(None, not_attempted=True) if rng.random() < 0.1 else Cell(rng.randint(0, task.max_points))
            for task in tasks
        )
        rows.append(FormRow(number, participant.code, rng.randint(1, 2), False, cells, rng.choice([None, 2, 3, 4, 5])))
    return ParsedForm(rows=rows)


@pytest.fixture
def classes(school, other_school, class_4a):
    class_4b = SchoolClassFactory(school=school, grade=4, letter="Б")
    other_4a = SchoolClassFactory(school=other_school, grade=4, letter="А")
    return class_4a, class_4b, other_4a


@pytest.fixture
def imported(assessment, school, other_school, classes):
    """Pupils of 4А (16) and 4Б (12) of sch660001 and 4А (14) of sch660002 with codes, every one's result imported
    from a random-ish form, except the first two of sch660001's 4А, who are left for the grid."""
    for school_class, n in zip(classes, (16, 12, 14), strict=True):
        PupilFactory.create_batch(n, school_class=school_class)
    rng = random.Random(20260421)
    for each in (school, other_school):
        codes_issue(campaign=assessment.campaign, school=each, actor=None)
        participants = writers(assessment, each)
        if each == school:
            participants = participants[2:]
        results_import(assessment=assessment, school=each, form=random_form(assessment, participants, rng), actor=None)
    return assessment


@pytest.mark.django_db
def test_after_the_import_the_summaries_are_the_raw_counts(imported, school, other_school):
    assert ResultSummary.objects.filter(school=school).exists()
    assert TaskSummary.objects.filter(school=other_school).exists()
    assert_summaries_match_the_scores(imported, [school, other_school])
    figures = figures_compute(tallies(assessment=imported, school=school).get(None), tasks=assessment_tasks(imported))
    assert figures.not_graded == 2  # the two left for the grid are present, without a result yet


@pytest.mark.django_db
def test_a_corrected_file_and_the_same_file_again_keep_them_equal(imported, school, other_school):
    rng = random.Random(7)
    participants = writers(imported, other_school)
    results_import(assessment=imported, school=other_school, form=random_form(imported, participants, rng), actor=None)
    assert_summaries_match_the_scores(imported, [school, other_school])
    same = random_form(imported, participants, random.Random(7))
    before = recorded()
    plan = results_import(assessment=imported, school=other_school, form=same, actor=None)
    assert not plan.has_changes and recorded() == before
    assert_summaries_match_the_scores(imported, [school, other_school])


@pytest.mark.django_db
def test_grid_cells_and_journal_marks_keep_them_equal(imported, school, other_school, coordinator):
    tasks = list(imported.tasks.order_by("position"))
    first, second = writers(imported, school)[:2]
    for participant in (first, second):  # graded in the grid, cell by cell, until counted
        work = Work.objects.get(participant=participant)
        for index, task in enumerate(tasks):
            score_set(work=work, task=task, raw=str(index % (task.max_points + 1)), actor=coordinator)
        assert Work.objects.get(pk=work.pk).is_complete
    assert_summaries_match_the_scores(imported, [school, other_school])

    counted = Work.objects.filter(school=school, is_complete=True, participant__absent=False).order_by("pk").last()
    score = Score.objects.filter(work=counted).order_by("task__position").first()
    score_set(work=counted, task=score.task, raw="X" if score.value else "1", actor=coordinator, reason="исправление")
    journal_mark_set(participant=counted.participant, mark=2 if counted.journal_mark != 2 else 5, actor=coordinator)
    assert_summaries_match_the_scores(imported, [school, other_school])


@pytest.mark.django_db
def test_absence_exemption_and_a_class_change_keep_them_equal(imported, school, other_school, classes, coordinator):
    # the first participant is graded in the grid (no variant recorded), then moves to 4Б with the pupil
    tasks = list(imported.tasks.order_by("position"))
    first, second = writers(imported, school)[:2]
    work = Work.objects.get(participant=first)
    for task in tasks:
        score_set(work=work, task=task, raw="1", actor=coordinator)
    first.pupil.school_class = classes[1]
    first.pupil.save()
    participants_refresh(campaign=imported.campaign, school=school, actor=None)
    assert Participant.objects.get(pk=first.pk).class_name == "4Б"
    assert_summaries_match_the_scores(imported, [school, other_school])

    participant_exempt(participant=second, reason="болезнь", document="справка №1", actor=coordinator)
    assert_summaries_match_the_scores(imported, [school, other_school])
    participant_unexempt(participant=second, actor=coordinator)
    assert_summaries_match_the_scores(imported, [school, other_school])

    # the room protocol marks a counted participant absent, then present again
    sitting = make_sitting(imported, other_school, date=imported.campaign.window_start)
    room = make_sitting_room(sitting, make_room(other_school), released_at=timezone.now())
    seated = [p for p in writers(imported, other_school) if not p.absent][:3]
    for column, participant in enumerate(seated, start=1):
        Seat.objects.create(sitting_room=room, participant=participant, row=1, column=column)
    organizer = user_with_role(Role.ORGANIZER, school=other_school)
    protocol_save(sitting_room=room, data=ProtocolInput(absent_ids=frozenset({seated[0].pk})), actor=organizer)
    assert Participant.objects.get(pk=seated[0].pk).absent
    assert_summaries_match_the_scores(imported, [school, other_school])
    protocol_save(sitting_room=room, data=ProtocolInput(), actor=organizer)
    assert_summaries_match_the_scores(imported, [school, other_school])


@pytest.mark.django_db
def test_a_scale_change_and_the_purge_keep_them_equal(tmp_path, imported, school, other_school):
    data = catalogue_of(imported)
    data["assessments"][0]["scale"] = {"3": 6, "4": 12, "5": 18}
    assert load(tmp_path, data)[0] == 0
    assert_summaries_match_the_scores(imported, [school, other_school])

    assert personal_data_purge(campaign=imported.campaign, now=timezone.now() + datetime.timedelta(days=4000))
    assert not Participant.objects.filter(pupil__isnull=False).exists()
    assert_summaries_match_the_scores(imported, [school, other_school])


@pytest.mark.django_db
def test_the_item_analysis_from_the_sums_is_the_direct_computation(imported, school, other_school):
    tasks = list(imported.tasks.order_by("position"))
    counted = Work.objects.filter(assessment=imported, is_complete=True, participant__absent=False)
    matrix = []
    for work in counted.prefetch_related("scores"):
        points = {score.task_id: score.value or 0 for score in work.scores.all()}
        matrix.append([points[task.pk] for task in tasks])
    assert len(matrix) >= 30

    analysis = item_analysis(imported)

    assert analysis.participants == len(matrix)
    totals = [sum(row) for row in matrix]
    for index, (task, item) in enumerate(zip(tasks, analysis.items, strict=True)):
        column = [row[index] for row in matrix]
        assert item.difficulty == pytest.approx(statistics.mean(column) / task.max_points)
        rest = [total - points for total, points in zip(totals, column, strict=True)]
        assert item.item_rest == pytest.approx(statistics.correlation(column, rest))
    variances = sum(statistics.variance([row[i] for row in matrix]) for i in range(len(tasks)))
    expected_alpha = len(tasks) / (len(tasks) - 1) * (1 - variances / statistics.variance(totals))
    assert analysis.alpha == pytest.approx(expected_alpha)


@pytest.mark.django_db
def test_the_check_finds_a_tampered_row_and_the_rebuild_mends_it(imported, school, other_school):
    assert run("rebuild_summaries", "--check") == (0, "Сводные строки совпадают с баллами.", "")
    row = ResultSummary.objects.filter(school=other_school).order_by("pk").first()
    ResultSummary.objects.filter(pk=row.pk).update(n=row.n + 1)
    task_row = TaskSummary.objects.filter(school=school).order_by("pk").first()
    task_row.pk = None
    task_row.save()  # a duplicated row doubles its points

    code, out, err = run("rebuild_summaries", "--check", "--campaign", "VPR-2026")

    assert code == 1 and out == ""
    assert err.splitlines() == [
        "sch660001, RU-4 (VPR-2026): сводные строки расходятся с баллами — задания",
        "sch660002, RU-4 (VPR-2026): сводные строки расходятся с баллами — результаты",
        "Расхождений (школа и работа): 2. Пересчитайте: rebuild_summaries --campaign VPR-2026.",
    ]
    code, out, _err = run("rebuild_summaries", "--campaign", "VPR-2026")
    assert code == 0 and out.startswith("Сводные строки кампании VPR-2026 пересчитаны: участие — 3,")
    assert_summaries_match_the_scores(imported, [school, other_school])
    assert run("rebuild_summaries", "--check", "--campaign", "NOPE")[:2] == (1, "")


@pytest.mark.django_db
def test_results_figures_prints_the_same_json_from_the_summaries_and_after_a_rebuild(imported, school):
    args = ("results_figures", "--campaign", "VPR-2026", "--assessment", "RU-4", "--json")
    before = json.loads(run(*args)[1])
    summaries_rebuild()
    assert json.loads(run(*args)[1]) == before
    assert before["participants"] == sum(
        1 for w in Work.objects.filter(is_complete=True, participant__absent=False) if w.mark
    )


@pytest.mark.django_db
def test_reading_takes_the_same_queries_for_any_number_of_schools(imported, school, other_school, department):
    rng = random.Random(3)
    with CaptureQueriesContext(connection) as two:
        by_school = tallies(assessment=imported, group="school")
        item_analysis(imported)
    for n in range(3):
        more = SchoolFactory(department=department, code=f"sch66010{n}")
        PupilFactory.create_batch(6, school_class=SchoolClassFactory(school=more, grade=4, letter="А"))
        codes_issue(campaign=imported.campaign, school=more, actor=None)
        form = random_form(imported, writers(imported, more), rng)
        results_import(assessment=imported, school=more, form=form, actor=None)
    with CaptureQueriesContext(connection) as five:
        assert len(tallies(assessment=imported, group="school")) == len(by_school) + 3
        item_analysis(imported)
    assert len(two) == len(five) == 8  # with each one's read of the results stamp (grading/cache.py)


@pytest.mark.django_db
def test_a_cell_save_refreshes_only_a_counted_works_class(imported, school, coordinator):
    tasks = list(imported.tasks.order_by("position"))
    work = Work.objects.get(participant=writers(imported, school)[0])

    def rows() -> dict[str, set[tuple]]:
        """class → its result and task rows (with their ids: a refreshed row is a new one)."""
        result: dict[str, set[tuple]] = {}
        for model in (ResultSummary, TaskSummary):
            for row in model.objects.filter(school=school).values():
                result.setdefault(row["class_name"], set()).add((model.__name__, *row.items()))
        return result

    before = rows()
    with CaptureQueriesContext(connection) as uncounted:
        score_set(work=work, task=tasks[0], raw="1", actor=coordinator)
    assert rows() == before  # the work is not counted yet: no summary row is touched
    counted = Work.objects.filter(school=school, is_complete=True, participant__absent=False).first()
    own, other = counted.participant.class_name, ({"4А", "4Б"} - {counted.participant.class_name}).pop()
    score = Score.objects.get(work=counted, task=tasks[0])
    with CaptureQueriesContext(connection) as corrected:
        score_set(work=counted, task=tasks[0], raw="0" if score.value else "1", actor=coordinator, reason="ошибка")
    after = rows()
    assert after[other] == before[other]  # another class's rows stay as they were
    assert after[own] != before[own]  # the class's own rows were counted again
    assert_summaries_match_the_scores(imported, [school])
    # two statements for each of the two summaries and the results stamp's bump (and on PostgreSQL the lock of
    # the school and assessment)
    assert len(corrected) - len(uncounted) <= 5 + (connection.vendor == "postgresql")
