"""`import_schools` and `import_pupils` (docs/commands.md): all or nothing, Russian row/column messages, exit codes."""

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

from schools.models import Pupil, School, SchoolClass, current_academic_year

ROOT = Path(__file__).resolve().parents[2]


def write_csv(path: Path, rows: list[list[str]], sep=";") -> Path:
    path.write_text("\n".join(sep.join(row) for row in rows) + "\n", encoding="utf-8")
    return path


def write_xlsx(path: Path, rows: list[list]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def run(*args) -> tuple[int, str, str]:
    """Runs a command as `manage.py` does: exit code, stdout, stderr."""
    import io

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


PUPIL_HEADER = ["Фамилия", "Имя", "Отчество", "Класс", "Пол", "ОВЗ"]


@pytest.fixture
def pupils_file(tmp_path):
    return write_xlsx(
        tmp_path / "pupils.xlsx",
        [
            PUPIL_HEADER,
            ["Воробьёв", "Тимофей", "Андреевич", "4А", "М", "нет"],
            ["Синицына", "Варвара", "", "4Б", "Ж", "да"],
            ["Клестов", "Глеб", "Ильич", "10А", "М", ""],
        ],
    )


@pytest.mark.django_db
def test_schools_are_added_then_updated_by_code(tmp_path, department):
    path = write_csv(
        tmp_path / "s.csv",
        [
            ["Код", "Наименование", "Краткое наименование", "Часовой пояс"],
            ["sch660001", "МАОУ «Школа №1»", "Школа №1", ""],
            ["sch660002", "МАОУ «Школа №2»", "Школа №2", "Europe/Moscow"],
        ],
    )
    code, out, err = run("import_schools", str(path))
    assert (code, err) == (0, "")
    assert "добавлено 2" in out
    assert School.objects.get(code="sch660001").time_zone == "Asia/Yekaterinburg"
    assert School.objects.get(code="sch660002").time_zone == "Europe/Moscow"

    write_csv(
        path,
        [
            ["Код", "Наименование", "Краткое наименование"],
            ["sch660001", "МАОУ «Школа №1 им. А»", "Школа №1"],
            ["sch660002", "МАОУ «Школа №2»", "Школа №2"],
        ],
        sep=",",
    )
    code, out, _ = run("import_schools", str(path))
    assert code == 0 and "обновлено 1" in out
    assert School.objects.count() == 2
    assert School.objects.get(code="sch660001").name == "МАОУ «Школа №1 им. А»"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "rows, expected",
    [
        ([["Код", "Наименование"], ["sch1", "Школа"]], "столбец «Краткое наименование»"),
        (
            [
                ["Код", "Наименование", "Краткое наименование"],
                ["sch660009", "Школа", "Ш"],
                ["sch660009", "Школа 2", "Ш2"],
            ],
            "строка 4, столбец «Код»: код «sch660009» повторяет строку 3",
        ),
        (
            [["Код", "Наименование", "Краткое наименование", "Часовой пояс"], ["sch660009", "Школа", "Ш", "Mars/Base"]],
            "строка 3, столбец «Часовой пояс»",
        ),
        (
            [["Код", "Наименование", "Краткое наименование"], ["", "Школа", "Ш"]],
            "строка 3, столбец «Код»: код не заполнен",
        ),
    ],
)
def test_bad_school_lists_are_refused_whole(tmp_path, department, rows, expected):
    School.objects.create(department=department, code="sch660001", name="Старое имя", short_name="Старое")
    # a valid change to an existing school comes first (row 2): it must not be written either
    rows = rows[:1] + [["sch660001", "Новое имя", "Новое"] + [""] * (len(rows[0]) - 3)] + rows[1:]
    code, out, err = run("import_schools", str(write_csv(tmp_path / "s.csv", rows)))
    assert code == 1 and out == ""
    assert expected in err
    assert School.objects.get(code="sch660001").name == "Старое имя"
    assert School.objects.count() == 1


@pytest.mark.django_db
def test_pupils_are_added_with_their_classes_and_reimport_changes_nothing(school, pupils_file):
    code, out, err = run("import_pupils", str(pupils_file), "--school", school.code)
    assert (code, err) == (0, "")
    assert "добавлено 3" in out
    year = current_academic_year()
    assert sorted(c.name for c in SchoolClass.objects.filter(school=school, academic_year=year)) == ["10А", "4А", "4Б"]
    assert Pupil.objects.get(last_name="Синицына").has_disability is True
    snapshot = list(Pupil.objects.order_by("pk").values())

    code, out, _ = run("import_pupils", str(pupils_file), "--school", school.code)
    assert code == 0 and "добавлено 0" in out and "без изменений 3" in out
    assert list(Pupil.objects.order_by("pk").values()) == snapshot


@pytest.mark.django_db
def test_a_changed_row_updates_the_pupil_keyed_by_name_and_class(tmp_path, school, pupils_file):
    run("import_pupils", str(pupils_file), "--school", school.code)
    path = write_csv(tmp_path / "p.csv", [PUPIL_HEADER, ["Воробьёв", "Тимофей", "Андреевич", "4А", "М", "да"]])
    code, out, _ = run("import_pupils", str(path), "--school", school.code)
    assert code == 0 and "обновлено 1" in out
    assert Pupil.objects.get(last_name="Воробьёв").has_disability is True
    assert Pupil.objects.count() == 3


BAD_PUPIL_ROWS = {
    "missing column": (
        [["Фамилия", "Имя", "Класс", "Пол"], ["Грачёв", "Лев", "4А", "М"]],
        "столбец «Отчество»: обязательный столбец отсутствует в файле",
    ),
    "unknown class format": (
        [PUPIL_HEADER, ["Грачёв", "Лев", "", "четвёртый", "М", ""]],
        "строка 2, столбец «Класс»: «четвёртый» — не класс",
    ),
    "grade out of range": ([PUPIL_HEADER, ["Грачёв", "Лев", "", "12А", "М", ""]], "строка 2, столбец «Класс»"),
    "bad sex value": (
        [PUPIL_HEADER, ["Грачёв", "Лев", "", "4А", "мальчик", ""]],
        "строка 2, столбец «Пол»: пол «мальчик»: нужно М или Ж",
    ),
    "duplicate": (
        [PUPIL_HEADER, ["Грачёв", "Лев", "", "4А", "М", ""], ["Грачёв", "Лев", "", "4 а", "М", ""]],
        "строка 3, столбец «Фамилия»: Грачёв Лев (4А) уже есть в строке 2",
    ),
    "empty surname": ([PUPIL_HEADER, ["", "Лев", "", "4А", "М", ""]], "строка 2, столбец «Фамилия»: не заполнено"),
    "bad ОВЗ": ([PUPIL_HEADER, ["Грачёв", "Лев", "", "4А", "М", "может быть"]], "строка 2, столбец «ОВЗ»"),
    "no rows": ([PUPIL_HEADER], "в файле нет ни одного обучающегося"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(BAD_PUPIL_ROWS))
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_bad_pupil_row_refuses_the_whole_file(tmp_path, school, pupils_file, kind, fmt):
    run("import_pupils", str(pupils_file), "--school", school.code)
    before = list(Pupil.objects.order_by("pk").values())
    classes_before = SchoolClass.objects.count()
    rows, expected = BAD_PUPIL_ROWS[kind]
    # a good row that would be new comes first: it must not be written either
    if len(rows[0]) == len(PUPIL_HEADER) and len(rows) > 1:
        rows = [rows[0], ["Новикова", "Ева", "", "7В", "Ж", ""], *[[*r] for r in rows[1:]]]
        expected = (
            expected.replace("строка 3", "строка 4").replace("строке 2", "строке 3").replace("строка 2", "строка 3")
        )
    path = (write_csv if fmt == "csv" else write_xlsx)(tmp_path / f"bad.{fmt}", rows)
    code, out, err = run("import_pupils", str(path), "--school", school.code)
    assert code == 1, err
    assert out == ""
    assert expected in err
    assert "Traceback" not in err
    assert list(Pupil.objects.order_by("pk").values()) == before
    assert SchoolClass.objects.count() == classes_before


@pytest.mark.django_db
def test_every_problem_is_listed_one_per_line(tmp_path, school):
    path = write_csv(
        tmp_path / "p.csv", [PUPIL_HEADER, ["Грачёв", "Лев", "", "4Я1", "М", ""], ["Сойкина", "", "", "4А", "X", ""]]
    )
    code, _, err = run("import_pupils", str(path), "--school", school.code)
    assert code == 1
    assert err.strip().splitlines() == [
        "строка 2, столбец «Класс»: «4Я1» — не класс: нужна параллель 1–11 и буква, например 4А",
        "строка 3, столбец «Имя»: не заполнено",
        "строка 3, столбец «Пол»: пол «X»: нужно М или Ж",
    ]


@pytest.mark.django_db
def test_unknown_school_is_refused(pupils_file, department):
    code, _, err = run("import_pupils", str(pupils_file), "--school", "sch000000")
    assert code == 1 and "школа с кодом «sch000000» не найдена" in err


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("pupils.xlsx", b"this is not a zip", "не является книгой Excel"),
        ("pupils.txt", b"a;b", "нужен .xlsx или .csv"),
        ("pupils.csv", "Фамилия;Имя".encode("cp1251"), "UTF-8"),
    ],
)
def test_files_that_are_not_what_they_say_are_refused(tmp_path, school, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    code, _, err = run("import_pupils", str(path), "--school", school.code)
    assert code == 1 and expected in err
    assert not Pupil.objects.exists()


@pytest.mark.django_db
def test_an_archive_bomb_is_refused_before_reading(tmp_path, school):
    import zipfile

    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (201 * 1024 * 1024))
    assert path.stat().st_size < 2 * 1024 * 1024
    code, _, err = run("import_pupils", str(path), "--school", school.code)
    assert code == 1 and "распаковывается" in err


@pytest.mark.django_db
def test_a_file_over_20_mb_is_refused(tmp_path, school):
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * (20 * 1024 * 1024 + 1))
    code, _, err = run("import_pupils", str(path), "--school", school.code)
    assert code == 1 and "больше 20 МБ" in err


def test_wrong_arguments_exit_with_2():
    result = subprocess.run(
        [sys.executable, "manage.py", "import_pupils", "x.csv"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "--school" in result.stderr


def test_refusal_from_the_real_process_has_exit_1_and_no_traceback(tmp_path):
    bad = write_csv(tmp_path / "s.csv", [["Код", "Наименование"], ["x", "y"]])
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)
    result = subprocess.run(
        [sys.executable, "manage.py", "import_schools", str(bad)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip() == "столбец «Краткое наименование»: обязательный столбец отсутствует в файле"


@pytest.mark.django_db
def test_unusual_but_real_names_are_accepted_and_names_without_letters_refused(tmp_path, school):
    rows = [
        PUPIL_HEADER,
        ["Д'Артаньян", "Шарль", "", "4А", "М", ""],
        ["Иванова-Петрова", "Анна-Мария", "", "4А", "Ж", ""],
        ["Ученик1", "Тест", "", "4А", "М", ""],
    ]
    code, out, err = run("import_pupils", str(write_csv(tmp_path / "p.csv", rows)), "--school", school.code)
    assert (code, err) == (0, "")
    code, _, err = run(
        "import_pupils",
        str(write_csv(tmp_path / "q.csv", [PUPIL_HEADER, ["123", "Лев", "", "4А", "М", ""]])),
        "--school",
        school.code,
    )
    assert code == 1 and "строка 2, столбец «Фамилия»: «123» — не имя" in err
