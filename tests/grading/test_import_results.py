"""`export_results_form` and `import_results` (docs/commands.md), and the same services in the browser: the form's rows,
all-or-nothing import with every problem placed, idempotent re-import, corrections with their history."""

import io
import json
import random
import subprocess
import sys
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from grading.models import Score, ScoreChange, Work
from procedures.models import Campaign, Participant
from procedures.services.participants import codes_issue
from schools.models import AuditEntry, Role
from tests.factories import PupilFactory, SchoolClassFactory, user_with_role

ROOT = Path(__file__).resolve().parents[2]
TASK_HEADERS = ["1 (2б)", "2 (1б)", "3.1 (1б)", "3.2 (2б)", "4 (3б)", "5 (2б)", "6 (2б)", "7 (3б)", "8 (2б)"]
TASK_HEADERS += ["9 (2б)", "10 (2б)", "1К1 (2б)"]
HEADER = ["Код", "Класс", "Пол", "Вариант", *TASK_HEADERS, "Отметка по журналу", "Первичный балл", "Отметка"]
FULL = [2, 1, 1, 2, 3, 2, 2, 3, 2, 2, 2, 2]  # 24 points


def run(*args) -> tuple[int, str, str]:
    """Runs a command as `manage.py` does: exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue().strip(), err.getvalue().strip()


def write_xlsx(path: Path, rows: list[list]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def read_xlsx(path: Path) -> list[list]:
    sheet = openpyxl.load_workbook(path).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def coded(school, class_4a, pupil, assessment):
    """Six pupils in 4А and 4Б with codes (Снегирёва is `pupil`); Дроздова of 4Б exempt from RU-4."""
    class_4b = SchoolClassFactory(school=school, grade=4, letter="Б")
    for name, school_class in (("Аистова", class_4a), ("Бекасов", class_4a), ("Воронова", class_4a)):
        PupilFactory(school_class=school_class, last_name=name)
    for name in ("Грачёв", "Дроздова"):
        PupilFactory(school_class=class_4b, last_name=name)
    codes_issue(campaign=assessment.campaign, school=school, actor=None)
    exempt = Participant.objects.get(assessment=assessment, pupil__last_name="Дроздова")
    exempt.status = Participant.Status.EXEMPT
    exempt.save()
    return {
        p.pupil.last_name: p.code for p in Participant.objects.filter(assessment=assessment).select_related("pupil")
    }


def command(*extra, assessment="RU-4"):
    return ["--campaign", "VPR-2026", "--assessment", assessment, "--school", "sch660001", *extra]


def export(tmp_path, *extra) -> Path:
    path = tmp_path / "form.xlsx"
    assert run("export_results_form", *command("--output", str(path), *extra))[0] == 0
    return path


def import_rows(tmp_path, rows, header=HEADER, name="filled.xlsx"):
    path = write_xlsx(tmp_path / name, [header, *rows])
    return run("import_results", str(path), *command())


def filled_rows(codes):
    """Аистова 24 (5), Бекасов absent, Воронова 9 with an X (2), Грачёв 16 (4)."""
    return [
        [codes["Аистова"], "4А", "Ж", 1, *FULL, 5, None, None],
        [codes["Бекасов"], "4А", "М", "Отсутствовал", *[None] * 12, 4, None, None],
        [codes["Воронова"], "4А", "Ж", 2, "X", 1, 1, 2, 3, 0, 0, 0, 0, 0, 0, 2, 3, None, None],
        [codes["Грачёв"], "4Б", "М", 1, 2, 1, 1, 2, 3, 2, 2, 3, 0, 0, 0, "Х", 4, 99, 5],
    ]


@pytest.mark.django_db
def test_the_blank_form_lists_who_writes_by_class_then_code(tmp_path, coded, assessment):
    path = export(tmp_path)
    rows = read_xlsx(path)
    assert rows[0] == HEADER
    expected = sorted(
        [(coded[n], "4А") for n in ("Аистова", "Бекасов", "Воронова", "Снегирёва")] + [(coded["Грачёв"], "4Б")],
        key=lambda r: (r[1], r[0]),
    )
    assert [(r[0], r[1]) for r in rows[1:]] == expected  # the exempt Дроздова is not on the form
    assert all(r[2] in ("М", "Ж") and all(v is None for v in r[3:]) for r in rows[1:])
    assert Work.objects.filter(assessment=assessment).count() == 5  # every writer has a Work now


@pytest.mark.django_db
def test_the_form_is_refused_while_some_participant_has_no_code(tmp_path, pupil, assessment):
    from procedures.services.participants import participants_refresh

    participants_refresh(campaign=assessment.campaign, school=pupil.school, actor=None)
    code, out, err = run("export_results_form", *command("--output", str(tmp_path / "f.xlsx")))
    assert code == 1 and err == "Участников работы RU-4 без кода участника: 1. Сначала выдайте коды."
    assert not (tmp_path / "f.xlsx").exists()


@pytest.mark.django_db
def test_a_filled_form_sets_scores_totals_marks_journal_and_absence(tmp_path, coded, assessment):
    code, out, err = import_rows(tmp_path, filled_rows(coded))
    assert (code, err) == (0, "")
    assert out == (
        "sch660001, RU-4: строк 4, изменено 4, без изменений 0. Нет в файле участников: 1, их результаты не изменены."
    )
    works = {w.participant.code: w for w in Work.objects.select_related("participant")}
    first, absent, third, fourth = (works[coded[n]] for n in ("Аистова", "Бекасов", "Воронова", "Грачёв"))
    assert (first.primary_score, first.mark, first.is_complete, first.journal_mark) == (24, 5, True, 5)
    assert (absent.primary_score, absent.mark, absent.participant.absent, absent.journal_mark) == (None, None, True, 4)
    assert (third.primary_score, third.mark, third.is_complete, third.participant.variant) == (9, 2, True, 2)
    assert (fourth.primary_score, fourth.mark) == (16, 4)  # «Первичный балл» 99 and «Отметка» 5 are recomputed
    x = Score.objects.get(work=third, task__label="1")
    assert (x.value, x.not_attempted, x.version) == (None, True, 1)
    assert Score.objects.filter(work=absent).count() == 0
    assert Score.objects.count() == 36 and set(Score.objects.values_list("version", flat=True)) == {1}
    # first values in empty cells: no history row per cell, the audit entry counts them
    assert not ScoreChange.objects.filter(field="score").exists()
    assert AuditEntry.objects.get(action="results.imported").after["cells"] == 36
    assert set(ScoreChange.objects.filter(field="journal_mark").values_list("new", flat=True)) == {"5", "4", "3"}
    assert ScoreChange.objects.filter(field="journal_mark").count() == 4


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing(tmp_path, coded, assessment):
    assert import_rows(tmp_path, filled_rows(coded))[0] == 0
    before = (
        list(Score.objects.order_by("pk").values_list("pk", "value", "not_attempted", "version", "updated_at")),
        list(Work.objects.order_by("pk").values_list("pk", "primary_score", "mark", "journal_mark", "updated_at")),
        ScoreChange.objects.count(),
    )
    code, out, err = import_rows(tmp_path, filled_rows(coded))
    assert code == 0
    assert out.startswith("sch660001, RU-4: строк 4, изменено 0, без изменений 4.")
    after = (
        list(Score.objects.order_by("pk").values_list("pk", "value", "not_attempted", "version", "updated_at")),
        list(Work.objects.order_by("pk").values_list("pk", "primary_score", "mark", "journal_mark", "updated_at")),
        ScoreChange.objects.count(),
    )
    assert after == before


@pytest.mark.django_db
def test_a_corrected_file_replaces_what_changed_with_its_history(tmp_path, coded, assessment):
    import_rows(tmp_path, filled_rows(coded))
    rows = filled_rows(coded)
    rows[0][4] = 0  # Аистова: task 1 2 → 0, total 22, still «5»
    rows[0][16] = 4  # journal 5 → 4
    rows[1] = [coded["Бекасов"], "4А", "М", 2, *FULL, 4, None, None]  # was absent, has written after all
    rows[2] = [coded["Воронова"], "4А", "Ж", "отсутствовал", *[None] * 12, 3, None, None]  # was present
    code, out, err = import_rows(tmp_path, rows)
    assert (code, err) == (0, "")
    assert out.startswith("sch660001, RU-4: строк 4, изменено 3, без изменений 1.")
    works = {w.participant.code: w for w in Work.objects.select_related("participant")}
    first = works[coded["Аистова"]]
    assert (first.primary_score, first.mark, first.journal_mark) == (22, 5, 4)
    changed = Score.objects.get(work=first, task__label="1")
    assert (changed.value, changed.version) == (0, 2)
    assert Score.objects.get(work=first, task__label="2").version == 1
    history = ScoreChange.objects.filter(work=first).order_by("-id")[:2]
    assert {(h.field, h.old, h.new) for h in history} == {("score", "2", "0"), ("journal_mark", "5", "4")}
    came = works[coded["Бекасов"]]
    assert (came.participant.absent, came.participant.variant, came.primary_score, came.mark) == (False, 2, 24, 5)
    left = works[coded["Воронова"]]
    assert (left.participant.absent, left.primary_score, left.mark, left.is_complete) == (True, None, None, False)
    assert (
        not Score.objects.filter(work=left).exclude(value=None, not_attempted=False).exists()
    )  # cleared, with history
    assert ScoreChange.objects.filter(work=left, new="", source="import").count() == 12


@pytest.mark.django_db
def test_the_filled_form_for_fisoko_reads_back_without_changes(tmp_path, coded, assessment):
    import_rows(tmp_path, filled_rows(coded))
    path = export(tmp_path, "--filled")
    rows = read_xlsx(path)
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code[coded["Аистова"]] == [coded["Аистова"], "4А", "М", 1, *FULL, 5, 24, 5]
    assert by_code[coded["Бекасов"]] == [coded["Бекасов"], "4А", "М", "отсутствовал", *[None] * 12, 4, None, None]
    assert by_code[coded["Воронова"]][4] == "X"
    assert by_code[coded["Снегирёва"]][3:] == [None] * 16  # not graded yet
    # the ФИС ОКО form without the ungraded pupil is exactly what was imported
    write_xlsx(tmp_path / "again.xlsx", [rows[0], *[r for r in rows[1:] if r[0] != coded["Снегирёва"]]])
    changes = ScoreChange.objects.count()
    code, out, _err = run("import_results", str(tmp_path / "again.xlsx"), *command())
    assert code == 0 and "изменено 0, без изменений 4" in out
    assert ScoreChange.objects.count() == changes


def nothing_written(assessment) -> bool:
    return (
        not Score.objects.exists()
        and not ScoreChange.objects.exists()
        and not Participant.objects.filter(assessment=assessment).exclude(variant=None).exists()
        and not Participant.objects.filter(assessment=assessment, absent=True).exists()
        and not Work.objects.exclude(journal_mark=None).exists()
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda rows, codes: rows[0].__setitem__(8, 4), "строка 2, столбец «4 (3б)»: балл 4 больше максимума 3"),
        (lambda rows, codes: rows[0].__setitem__(8, -1), "строка 2, столбец «4 (3б)»: балл -1 меньше нуля"),
        (lambda rows, codes: rows[0].__setitem__(8, 1.5), "строка 2, столбец «4 (3б)»: балл 1.5 не целый"),
        (lambda rows, codes: rows[0].__setitem__(8, "три"), "строка 2, столбец «4 (3б)»: «три» — не балл"),
        (lambda rows, codes: rows[0].__setitem__(8, None), "строка 2, столбец «4 (3б)»: не заполнено"),
        (lambda rows, codes: rows[3].__setitem__(0, "77777"), "строка 5, столбец «Код»: участника с кодом 77777 нет"),
        (
            lambda rows, codes: rows[3].__setitem__(0, codes["Дроздова"]),
            "строка 5, столбец «Код»: участник с кодом {Дроздова} освобождён от этой работы",
        ),
        (
            lambda rows, codes: rows[3].__setitem__(0, codes["Аистова"]),
            "строка 5, столбец «Код»: код {Аистова} повторяется: он уже есть в строке 2",
        ),
        (
            lambda rows, codes: rows[0].__setitem__(16, 1),
            "строка 2, столбец «Отметка по журналу»: отметка по журналу «1»",
        ),
        (
            lambda rows, codes: rows[0].__setitem__(16, 6),
            "строка 2, столбец «Отметка по журналу»: отметка по журналу «6»",
        ),
        (
            lambda rows, codes: rows[1].__setitem__(5, 1),
            "строка 3, столбец «2 (1б)»: участник отсутствовал: ячейка задания должна быть пустой",
        ),
        (
            lambda rows, codes: rows.__setitem__(3, [codes["Грачёв"], "4Б", "М", None, *[None] * 12, 4]),
            "строка 5: строка не заполнена: нет ни варианта, ни баллов",
        ),
    ],
)
def test_a_file_with_any_error_is_refused_whole(tmp_path, coded, assessment, change, expected):
    rows = filled_rows(coded)
    change(rows, coded)
    code, out, err = import_rows(tmp_path, rows)
    assert code == 1 and out == ""
    assert expected.format(**coded) in err
    assert "Traceback" not in err
    assert nothing_written(assessment)


@pytest.mark.django_db
def test_a_form_of_another_assessment_is_refused(tmp_path, math_assessment, coded, assessment):
    path = tmp_path / "ma.xlsx"
    run("export_results_form", *command("--output", str(path), assessment="MA-4"))
    rows = read_xlsx(path)
    code, out, err = run("import_results", str(path), *command())
    assert code == 1
    assert "столбец «1 (1б)»: максимальный балл задания «1» в этой работе 2, а в заголовке 1" in err
    assert "столбец «4 (3б)»: нет столбца задания «4»" in err
    assert rows[1][0] in {c for c in coded.values()}
    assert nothing_written(assessment)


@pytest.mark.django_db
def test_a_missing_task_column_and_an_empty_form_are_refused(tmp_path, coded, assessment):
    header = [h for h in HEADER if h != "3.2 (2б)"]
    row = [coded["Аистова"], "4А", "Ж", 1, *FULL[:3], *FULL[4:], 5, None, None]
    code, _out, err = import_rows(tmp_path, [row], header=header)
    assert code == 1 and "столбец «3.2 (2б)»: нет столбца задания «3.2»" in err
    code, _out, err = import_rows(tmp_path, [], name="empty.xlsx")
    assert code == 1 and "в форме нет ни одной строки с участниками" in err
    assert nothing_written(assessment)


@pytest.mark.django_db
def test_files_that_are_not_a_workbook_or_inflate_too_far_are_refused(tmp_path, coded, assessment, settings):
    fake = tmp_path / "fake.xlsx"
    fake.write_text("Код;Вариант\n", encoding="utf-8")
    code, _out, err = run("import_results", str(fake), *command())
    assert code == 1 and "не является книгой Excel" in err
    other = tmp_path / "form.pdf"
    other.write_bytes(b"%PDF-1.4")
    assert run("import_results", str(other), *command())[0] == 1
    missing = run("import_results", str(tmp_path / "nope.xlsx"), *command())
    assert missing[0] == 1 and "не найден" in missing[2]

    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (3 * 1024 * 1024))
    settings.UPLOAD_MAX_INFLATED_BYTES = 2 * 1024 * 1024
    code, _out, err = run("import_results", str(bomb), *command())
    assert code == 1 and "архив распаковывается" in err
    assert nothing_written(assessment)


@pytest.mark.django_db
def test_a_form_without_the_journal_column_keeps_the_journal_marks(tmp_path, coded, assessment):
    import_rows(tmp_path, filled_rows(coded))
    marks = dict(Work.objects.values_list("participant__code", "journal_mark"))
    rows = [[*row[:16]] for row in filled_rows(coded)]
    rows[0][4] = 1
    code, out, _err = import_rows(tmp_path, rows, header=HEADER[:16], name="nojournal.xlsx")
    assert code == 0 and "изменено 1, без изменений 3" in out
    assert dict(Work.objects.values_list("participant__code", "journal_mark")) == marks


@pytest.mark.django_db
def test_a_csv_form_is_read_as_well(tmp_path, coded, assessment):
    rows = [[("" if v is None else str(v)) for v in row] for row in filled_rows(coded)]
    path = tmp_path / "form.csv"
    path.write_text("\n".join(";".join(r) for r in [HEADER, *rows]) + "\n", encoding="utf-8")
    code, out, err = run("import_results", str(path), *command())
    assert (code, err) == (0, "") and "изменено 4" in out


@pytest.mark.django_db
def test_results_are_refused_once_the_campaign_is_closed(tmp_path, coded, assessment):
    Campaign.objects.filter(pk=assessment.campaign_id).update(status=Campaign.Status.CLOSED)
    code, out, err = import_rows(tmp_path, filled_rows(coded))
    assert code == 1 and err == "Кампания VPR-2026 завершена: результаты работы RU-4 больше не принимаются."
    assert nothing_written(assessment)


@pytest.mark.django_db
def test_unknown_campaign_assessment_or_school_is_a_russian_refusal(tmp_path, coded):
    path = write_xlsx(tmp_path / "f.xlsx", [HEADER])
    code, _out, err = run("import_results", str(path), "--campaign", "NOPE", "--assessment", "RU-4", "--school", "x")
    assert code == 1
    assert err.splitlines() == ["кампания с кодом «NOPE» не найдена", "школа с кодом «x» не найдена"]
    code, _out, err = run("export_results_form", *command("--output", str(path), assessment="XX-9"))
    assert code == 1 and err == "в кампании VPR-2026 нет работы с кодом «XX-9»"


def test_wrong_arguments_exit_with_2():
    result = subprocess.run(
        [sys.executable, "manage.py", "import_results", "--campaign", "VPR-2026"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


@pytest.mark.django_db
def test_the_acceptance_path_from_registry_to_figures(tmp_path):
    """import_schools → import_pupils → load_catalogue → issue_codes → export → fill → import → results_figures."""
    write_xlsx(tmp_path / "schools.xlsx", [["Код", "Наименование", "Краткое наименование"], ["sch1", "Школа 1", "Ш1"]])
    rng = random.Random(7)
    pupils = [["Фамилия", "Имя", "Отчество", "Класс", "Пол"]]
    names = [f"{a}{b}ина" for a in "АБВГД" for b in "абвгдежз"]  # 40 fictitious first names
    pupils += [["Ученикова", name, "", rng.choice(["4А", "4Б"]), rng.choice("МЖ")] for name in names]
    write_xlsx(tmp_path / "pupils.xlsx", pupils)
    catalogue = {
        "campaign": {
            "code": "VPR-T",
            "title": "ВПР-Т",
            "window": ["2026-04-20", "2026-05-20"],
            "upload_deadline": "2026-05-25T23:59:00+05:00",
        },
        "assessments": [
            {
                "code": "RU-4",
                "subject": "Русский язык",
                "grade": 4,
                "level": "базовый",
                "form": "paper",
                "duration": 45,
                "tasks": [
                    {"label": "1", "max": 2, "level": "Б", "skill": "1.1"},
                    {"label": "2", "max": 1, "level": "Б", "skill": "1.2"},
                    {"label": "3", "max": 3, "level": "П", "skill": "1.3"},
                ],
                "scale": {"3": 2, "4": 4, "5": 6},
            }
        ],
    }
    (tmp_path / "catalogue.json").write_text(json.dumps(catalogue, ensure_ascii=False), encoding="utf-8")
    assert run("import_schools", str(tmp_path / "schools.xlsx"))[0] == 0
    assert run("import_pupils", str(tmp_path / "pupils.xlsx"), "--school", "sch1")[0] == 0
    assert run("load_catalogue", str(tmp_path / "catalogue.json"))[0] == 0
    assert run("issue_codes", "--campaign", "VPR-T", "--school", "sch1")[0] == 0
    targets = ["--campaign", "VPR-T", "--assessment", "RU-4", "--school", "sch1"]
    assert run("export_results_form", *targets, "--output", str(tmp_path / "blank.xlsx"))[0] == 0
    blank = read_xlsx(tmp_path / "blank.xlsx")
    assert blank[0] == ["Код", "Класс", "Пол", "Вариант", "1 (2б)", "2 (1б)", "3 (3б)", "Отметка по журналу"] + [
        "Первичный балл",
        "Отметка",
    ]
    filled, results = [blank[0]], []
    for index, row in enumerate(blank[1:]):
        if index % 9 == 4:
            filled.append([*row[:3], "отсутствовал", None, None, None, None, None, None])
            continue
        cells = [rng.choice([0, 1, 2, "X"]), rng.choice([0, 1, "X"]), rng.randint(0, 3)]
        journal = rng.choice([None, 2, 3, 4, 5])
        filled.append([*row[:3], rng.randint(1, 2), *cells, journal, None, None])
        points = [0 if c == "X" else c for c in cells]
        total = sum(points)
        mark = 5 if total >= 6 else 4 if total >= 4 else 3 if total >= 2 else 2
        results.append((points, total, mark, journal))
    write_xlsx(tmp_path / "filled.xlsx", filled)
    code, out, err = run("import_results", str(tmp_path / "filled.xlsx"), *targets)
    assert (code, err) == (0, "")
    assert out == "sch1, RU-4: строк 40, изменено 40, без изменений 0."

    code, out, err = run("results_figures", "--campaign", "VPR-T", "--assessment", "RU-4", "--school", "sch1", "--json")
    assert code == 0
    figures = json.loads(out)
    n = len(results)

    def one_decimal(value: Decimal) -> float:
        return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

    def pct(part, whole):
        return one_decimal(Decimal(100 * part) / Decimal(whole))

    with_journal = [r for r in results if r[3] is not None]
    # the one school is the whole municipality: of the signals only the journal gap can be planted by the data
    gap = sum(1 for r in with_journal if abs(r[2] - r[3]) >= 2)
    journal_gap = {"kind": "journal_gap", "school": "sch1", "evidence": {"n": len(with_journal), "gap": gap}}
    journal_gap["evidence"]["share"] = pct(gap, len(with_journal))
    flagged = len(with_journal) >= 10 and Decimal(100 * gap) / len(with_journal) >= 10
    assert figures == {
        "campaign": "VPR-T",
        "assessment": "RU-4",
        "school": "sch1",
        "participants": n,
        "absent": 40 - n,
        "mark_counts": {m: sum(1 for r in results if r[2] == int(m)) for m in "2345"},
        "marks": {m: pct(sum(1 for r in results if r[2] == int(m)), n) for m in "2345"},
        "mean_score": one_decimal(Decimal(sum(r[1] for r in results)) / n),
        "tasks": {
            label: pct(sum(r[0][i] for r in results), most * n)
            for i, (label, most) in enumerate([("1", 2), ("2", 1), ("3", 3)])
        },
        "journal": {
            "n": len(with_journal),
            "lower": pct(sum(1 for r in with_journal if r[2] < r[3]), len(with_journal)),
            "confirmed": pct(sum(1 for r in with_journal if r[2] == r[3]), len(with_journal)),
            "higher": pct(sum(1 for r in with_journal if r[2] > r[3]), len(with_journal)),
        },
        "histogram": {str(s): sum(1 for r in results if r[1] == s) for s in range(7)},
        "signals": [journal_gap] if flagged else [],
    }
    assert flagged, "the seeded data has a journal gap: the command must list it"
    again = run("import_results", str(tmp_path / "filled.xlsx"), *targets)
    assert again[1] == "sch1, RU-4: строк 40, изменено 0, без изменений 40."


# The browser ----------------------------------------------------------------------------------------------


def form_url(name, assessment, school):
    return reverse(
        f"grading:{name}",
        kwargs={"campaign_code": "VPR-2026", "school_code": school.code, "assessment_code": assessment.code},
    )


def upload(client, url, tmp_path, rows, name="filled.xlsx"):
    path = write_xlsx(tmp_path / name, [HEADER, *rows])
    with path.open("rb") as handle:
        return client.post(url, {"file": handle})


@pytest.mark.django_db
def test_the_coordinator_previews_then_confirms_an_import(client, coordinator, tmp_path, coded, assessment, school):
    client.force_login(coordinator)
    url = form_url("results_import", assessment, school)
    assert client.get(url).status_code == 200
    response = upload(client, url, tmp_path, filled_rows(coded))
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="preview"' in page
    assert response.context["summary"].new == 4 and response.context["summary"].unchanged == 0
    assert not Score.objects.exists()  # nothing before the confirmation
    confirmed = client.post(url, {"token": response.context["token"]})
    assert confirmed.status_code == 302
    assert Work.objects.filter(is_complete=True).count() == 3
    assert ScoreChange.objects.filter(changed_by=coordinator).exists()

    rows = filled_rows(coded)
    rows[0][4] = 1
    response = upload(client, url, tmp_path, rows, name="fixed.xlsx")
    summary = response.context["summary"]
    assert (summary.new, summary.updated, summary.unchanged) == (0, 1, 3)
    assert "1: 2 → 1" in response.content.decode()


@pytest.mark.django_db
def test_a_refused_upload_lists_every_problem_and_writes_nothing(
    client, coordinator, tmp_path, coded, assessment, school
):
    client.force_login(coordinator)
    rows = filled_rows(coded)
    rows[0][8] = 7
    rows[2][0] = "00000"
    response = upload(client, form_url("results_import", assessment, school), tmp_path, rows)
    problems = [str(p) for p in response.context["problems"]]
    assert problems == [
        "строка 2, столбец «4 (3б)»: балл 7 больше максимума 3",
        "строка 4, столбец «Код»: участника с кодом 00000 нет среди участников этой работы в школе",
    ]
    assert nothing_written(assessment)


@pytest.mark.django_db
def test_the_forms_download_as_xlsx(client, role_users, coded, assessment, school):
    client.force_login(role_users[Role.DIRECTOR])
    response = client.get(form_url("results_form_filled", assessment, school))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "RU-4_sch660001.xlsx" in response["Content-Disposition"]
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert list(rows[0]) == HEADER and len(rows) == 6


@pytest.mark.django_db
def test_the_department_sees_figures_by_codes_with_small_groups_hidden(
    client, role_users, tmp_path, coded, assessment, school
):
    import_rows(tmp_path, filled_rows(coded))
    url = form_url("results_figures", assessment, school)
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["whole"].marks == {"2": 33.3, "3": 0.0, "4": 33.3, "5": 33.3}
    assert "Аистова" in page.content.decode()
    for heading in (
        "Статистика по отметкам",
        "Выполнение заданий",
        "Сравнение отметок с отметками по журналу",
        "Распределение первичных баллов",
    ):
        assert heading in page.content.decode()

    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    page = client.get(url)
    assert page.status_code == 200
    whole = page.context["whole"]
    assert whole.percentages_hidden and whole.marks == {"2": None, "3": None, "4": None, "5": None}
    assert whole.mark_counts == {"2": 1, "3": 0, "4": 1, "5": 1}
    text = page.content.decode()
    assert "Аистова" not in text and coded["Аистова"] not in text  # no participant list for the department
    assert 'data-testid="small-sample"' in text


@pytest.mark.django_db
def test_the_results_page_queries_stay_flat_as_the_school_grows(client, coordinator, school, class_4a, assessment):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(coordinator)
    url = form_url("results_figures", assessment, school)
    counts = []
    for size in (3, 30):
        PupilFactory.create_batch(size, school_class=class_4a)
        codes_issue(campaign=assessment.campaign, school=school, actor=None)
        from grading.services.scores import works_ensure

        works_ensure(assessment=assessment, school=school)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_only_the_coordinator_imports(client, role_users, coded, assessment, school):
    client.force_login(role_users[Role.DIRECTOR])
    assert client.get(form_url("results_import", assessment, school)).status_code == 403
    other = user_with_role(Role.SCHOOL_COORDINATOR, school=SchoolClassFactory().school, username="c2")
    client.force_login(other)
    assert client.get(form_url("results_import", assessment, school)).status_code == 404


@pytest.mark.django_db
def test_the_index_shows_how_far_each_assessments_results_are(client, role_users, tmp_path, coded, assessment, school):
    import_rows(tmp_path, filled_rows(coded))
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    response = client.get(reverse("grading:results", kwargs={"campaign_code": "VPR-2026", "school_code": school.code}))
    (row,) = response.context["rows"]
    assert (row.assessment.code, row.writes, row.absent, row.graded, row.pending) == ("RU-4", 5, 1, 3, 1)
    assert form_url("results_import", assessment, school) in response.content.decode()
    client.force_login(role_users[Role.MUNICIPAL_COORDINATOR])
    response = client.get(reverse("grading:results", kwargs={"campaign_code": "VPR-2026", "school_code": school.code}))
    assert response.status_code == 200
    assert form_url("results_form", assessment, school) not in response.content.decode()


@pytest.mark.django_db
def test_the_participants_table_shows_one_class_at_a_time(client, coordinator, tmp_path, coded, assessment, school):
    import_rows(tmp_path, filled_rows(coded))
    client.force_login(coordinator)
    url = form_url("results_figures", assessment, school)
    first = client.get(url)
    assert first.context["shown_class"] == "4А" and first.context["class_names"] == ["4А", "4Б"]
    assert [line.code for line in first.context["classes"][0].lines] == sorted(
        coded[n] for n in ("Аистова", "Бекасов", "Воронова", "Снегирёва")
    )
    second = client.get(url, {"class": "4Б"})
    (group,) = second.context["classes"]
    assert group.class_name == "4Б" and [line.code for line in group.lines] == [coded["Грачёв"]]
    line = group.lines[0]
    assert (line.primary_score, line.mark, line.journal_mark, line.cells[-1]) == (16, 4, 4, "X")
    assert "Грачёв" in second.content.decode()
