"""`import_recheck` (docs/commands.md; monitoring/recheck_import.py): the commission's final scores in the results
form's layout, rows only for the re-checked works; every refusal (exit 1, one problem a line, row and column named,
nothing written); the works selected with reason «файл комиссии»; re-importing changes nothing; the originals
untouched; the history of the re-check's scores."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

from grading.models import Score, Work
from monitoring.models import RecheckScore, RecheckScoreChange, RecheckSelection, RecheckWork
from procedures.models import Participant
from tests.factories import DepartmentFactory, SchoolFactory, make_assessment, make_campaign
from tests.monitoring.recheck_plant import commission_expert, recheck_of

pytestmark = pytest.mark.django_db

TASKS = [("1", 2), ("2", 3)]
SCALE = {"3": 2, "4": 4, "5": 5}
HEADER = ["Код", "Класс", "Пол", "Вариант", "1 (2б)", "2 (3б)", "Отметка по журналу", "Первичный балл", "Отметка"]


def run(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue().strip(), err.getvalue().strip()


def write_xlsx(path: Path, rows: list[list]) -> Path:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


@pytest.fixture
def ru4():
    campaign = make_campaign(DepartmentFactory())
    return make_assessment(campaign, tasks=TASKS, scale=SCALE)


@pytest.fixture
def school(ru4):
    return SchoolFactory(department=ru4.campaign.department, code="sch660001")


@pytest.fixture
def originals(ru4, school):
    """Participants 10001…10004 (variant 1, 2, 1, 1) with results; 10005 absent; 10006 present without a result."""
    tasks = list(ru4.tasks.order_by("position"))
    works = {}
    for code, variant, points in (
        ("10001", 1, (1, 1)),
        ("10002", 2, (2, 2)),
        ("10003", 1, (2, 3)),
        ("10004", 1, (0, 1)),
    ):
        participant = Participant.objects.create(
            campaign=ru4.campaign, assessment=ru4, school=school, code=code, class_name="4А", sex="Ж", variant=variant
        )
        work = Work.objects.create(
            participant=participant,
            assessment=ru4,
            school=school,
            primary_score=sum(points),
            mark=ru4.mark_for(sum(points)),
            is_complete=True,
        )
        Score.objects.bulk_create(Score(work=work, task=t, value=v) for t, v in zip(tasks, points, strict=True))
        works[code] = work
    absent = Participant.objects.create(
        campaign=ru4.campaign, assessment=ru4, school=school, code="10005", class_name="4А", sex="М", absent=True
    )
    Work.objects.create(participant=absent, assessment=ru4, school=school)
    pending = Participant.objects.create(
        campaign=ru4.campaign, assessment=ru4, school=school, code="10006", class_name="4А", sex="М", variant=1
    )
    Work.objects.create(participant=pending, assessment=ru4, school=school)
    return works


def command(path) -> list:
    return ["import_recheck", str(path), "--campaign", "VPR-2026", "--assessment", "RU-4", "--school", "sch660001"]


def state() -> tuple:
    """Everything the import may write, to compare before and after a refusal."""
    return (
        list(RecheckSelection.objects.values_list("pk", "reason")),
        list(RecheckWork.objects.values_list("pk", "status", "final_primary_score")),
        list(RecheckScore.objects.values_list("pk", "value", "version")),
        RecheckScoreChange.objects.count(),
        list(Score.objects.order_by("pk").values_list("pk", "value", "version")),
        list(Work.objects.order_by("pk").values_list("pk", "primary_score", "mark")),
    )


GOOD = [
    HEADER,
    ["10001", "4А", "Ж", 1, 2, 1, None, None, None],  # 2 → 3: «3» stays «3»
    ["10002", "4А", "Ж", 2, 1, "X", None, None, None],  # 4 → 1: «4» → «2»
]


def test_import_stores_the_commissions_final_scores(ru4, school, originals, tmp_path):
    before = list(Score.objects.order_by("pk").values_list("pk", "value", "version"))
    code, out, err = run(*command(write_xlsx(tmp_path / "r.xlsx", GOOD)))
    assert (code, err) == (0, "")
    assert "работ в файле 2, изменено 2" in out
    selection = RecheckSelection.objects.get()
    assert (selection.school, selection.assessment, selection.reason) == (school, ru4, "file")
    first = RecheckWork.objects.get(work=originals["10001"])
    assert (first.status, first.original_primary_score, first.original_mark) == ("final", 2, 3)
    assert (first.final_primary_score, first.final_mark, first.recheck_primary_score) == (3, 3, 3)
    second = RecheckWork.objects.get(work=originals["10002"])
    assert (second.final_primary_score, second.final_mark, second.original_mark) == (1, 2, 4)
    scores = {
        (s.recheck_work.work.participant.code, s.task.label): (s.value, s.not_attempted, s.round, s.version)
        for s in RecheckScore.objects.select_related("recheck_work__work__participant", "task")
    }
    assert scores[("10001", "1")] == (2, False, "first", 1)
    assert scores[("10002", "2")] == (None, True, "first", 1)
    assert set(RecheckScoreChange.objects.values_list("source", flat=True)) == {"file"}
    assert RecheckScoreChange.objects.count() == 4
    # the originals are untouched
    assert list(Score.objects.order_by("pk").values_list("pk", "value", "version")) == before
    assert Work.objects.get(pk=originals["10002"].pk).mark == 4


def test_the_selection_completes_once_every_work_has_its_final_result(ru4, school, originals, tmp_path):
    assert run(*command(write_xlsx(tmp_path / "r.xlsx", GOOD)))[0] == 0
    assert RecheckSelection.objects.get().completed_at is None  # 10003 and 10004 not re-checked yet
    rest = [HEADER, ["10003", "4А", "Ж", 1, 2, 3, None, None, None], ["10004", "4А", "Ж", 1, 0, 1, None, None, None]]
    assert run(*command(write_xlsx(tmp_path / "rest.xlsx", rest)))[0] == 0
    assert RecheckSelection.objects.get().completed_at is not None


def test_reimporting_the_same_file_changes_nothing(ru4, school, originals, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", GOOD)
    assert run(*command(path))[0] == 0
    before = state()
    decided = list(RecheckWork.objects.values_list("decided_at", flat=True))
    code, out, _err = run(*command(path))
    assert code == 0 and "изменено 0" in out
    assert state() == before
    assert list(RecheckWork.objects.values_list("decided_at", flat=True)) == decided


def test_a_corrected_file_changes_the_cell_with_its_history(ru4, school, originals, tmp_path):
    assert run(*command(write_xlsx(tmp_path / "r.xlsx", GOOD)))[0] == 0
    corrected = [HEADER, GOOD[1], ["10002", "4А", "Ж", 2, 1, 2, None, None, None]]
    code, out, _err = run(*command(write_xlsx(tmp_path / "c.xlsx", corrected)))
    assert code == 0 and "изменено 1" in out
    score = RecheckScore.objects.get(recheck_work__work=originals["10002"], task__label="2")
    assert (score.value, score.not_attempted, score.version) == (2, False, 2)
    change = RecheckScoreChange.objects.filter(recheck_work__work=originals["10002"], task__label="2").last()
    assert (change.old, change.new) == ("X", "2")
    assert RecheckWork.objects.get(work=originals["10002"]).final_mark == 3


def test_an_already_selected_pair_keeps_its_reason_and_a_distributed_work_its_expert(ru4, school, originals, tmp_path):
    recheck = recheck_of(ru4.campaign)
    selection = RecheckSelection.objects.create(recheck=recheck, school=school, assessment=ru4, reason="signal")
    member = commission_expert(recheck)
    RecheckWork.objects.create(
        selection=selection, work=originals["10001"], expert=member, original_primary_score=2, original_mark=3
    )
    assert run(*command(write_xlsx(tmp_path / "r.xlsx", GOOD)))[0] == 0
    assert RecheckSelection.objects.get().reason == "signal"
    assert RecheckWork.objects.get(work=originals["10001"]).expert == member
    assert RecheckWork.objects.count() == 2


def test_journal_column_may_be_absent(ru4, school, originals, tmp_path):
    header = [name for name in HEADER if name != "Отметка по журналу"]
    rows = [header, ["10001", "4А", "Ж", 1, 2, 1, None, None]]
    assert run(*command(write_xlsx(tmp_path / "r.xlsx", rows)))[0] == 0
    assert RecheckWork.objects.get().final_primary_score == 3


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            [HEADER, ["10001", "4А", "Ж", 1, 3, 1, None, None, None]],
            ["строка 2, столбец «1 (2б)»"],
        ),  # over the maximum
        (
            [HEADER, GOOD[1], ["10001", "4А", "Ж", 1, 1, 1, None, None, None]],
            ["строка 3, столбец «Код»: код 10001 повторяется"],
        ),
        ([HEADER], ["в форме нет ни одной строки"]),  # empty
        (
            [HEADER, ["99999", "4А", "Ж", 1, 1, 1, None, None, None]],
            ["строка 2, столбец «Код»: участника с кодом 99999 нет"],
        ),
        (
            [HEADER, ["10005", "4А", "М", "отсутствовал", None, None, None, None, None]],
            ["строка 2, столбец «Код»: участник 10005 отсутствовал"],
        ),
        (
            [HEADER, ["10006", "4А", "М", 1, 1, 1, None, None, None]],
            ["строка 2, столбец «Код»: у участника 10006 нет результата"],
        ),
        (
            [HEADER, GOOD[1], ["10002", "4А", "Ж", 1, 1, 1, None, None, None]],
            ["строка 3, столбец «Вариант»: вариант 1, а в работе участника 10002 вариант 2"],
        ),
        (
            [HEADER, ["10001", "4А", "Ж", None, 1, 1, None, None, None]],
            ["строка 2, столбец «Вариант»: вариант пусто"],
        ),
        (
            [HEADER, ["10001", "4А", "Ж", 1, 1, None, None, None, None]],
            ["строка 2, столбец «2 (3б)»: не заполнено"],
        ),
        (
            [[n for n in HEADER if n != "2 (3б)"], ["10001", "4А", "Ж", 1, 1, None, None, None]],
            ["столбец «2 (3б)»: нет столбца задания «2»"],
        ),
        (
            # the file's own problems first (the form's reader), then those against the originals
            [HEADER, ["10001", "4А", "Ж", 2, 1, 1, None, None, None], ["10004", "4А", "Ж", 1, 9, 1, None, None, None]],
            ["строка 3, столбец «1 (2б)»: балл 9 больше максимума 2"],
        ),
        (
            # two problems against the originals at once: one line each
            [HEADER, ["10001", "4А", "Ж", 2, 1, 1, None, None, None], ["10006", "4А", "Ж", 1, 1, 1, None, None, None]],
            ["строка 2, столбец «Вариант»", "строка 3, столбец «Код»"],
        ),
    ],
)
def test_refusals(ru4, school, originals, tmp_path, rows, expected):
    before = state()
    code, out, err = run(*command(write_xlsx(tmp_path / "r.xlsx", rows)))
    assert code == 1, out
    lines = err.splitlines()
    assert len(lines) == len(expected)
    for line, start in zip(sorted(lines), sorted(expected), strict=True):
        assert line.startswith(start), (line, start)
    assert state() == before


def test_refuses_what_is_not_an_xlsx(ru4, school, originals, tmp_path):
    path = tmp_path / "r.xlsx"
    path.write_bytes(b"not a workbook at all")
    before = state()
    code, _out, err = run(*command(path))
    assert code == 1 and err and "Traceback" not in err
    assert state() == before


def test_refuses_unknown_school_and_campaign(ru4, school, originals, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", GOOD)
    code, _out, err = run("import_recheck", str(path), "--campaign", "NOPE", "--assessment", "RU-4", "--school", "x")
    assert code == 1
    assert "кампания с кодом «NOPE» не найдена" in err
