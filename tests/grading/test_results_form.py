"""The results form as pure functions (grading/results_form.py): rows written, rows read, every refusal placed
by row and column. No database."""

import io
from dataclasses import dataclass

import pytest

from grading.results_form import FormParticipant, class_sort_key, form_parse, form_rows, form_write
from vpr_portal.tables import InputRefused, Table, read_table


@dataclass(frozen=True)
class T:
    label: str
    max_points: int


TASKS = [T("1", 2), T("2", 1), T("3.1", 3), T("1К1", 2)]
HEADERS = ["Код", "Класс", "Пол", "Вариант", "1 (2б)", "2 (1б)", "3.1 (3б)", "1К1 (2б)", "Отметка по журналу"]
HEADERS += ["Первичный балл", "Отметка"]
CODES = {"10001", "10002", "10003", "10004"}


def table(*rows, headers=HEADERS) -> Table:
    result = Table(headers=list(headers))
    for number, row in enumerate(rows, start=2):
        cells = [str(c) for c in row]
        result.rows.append((number, cells + [""] * (len(headers) - len(cells))))
    return result


def problems_of(tbl: Table, **kwargs) -> list[str]:
    with pytest.raises(InputRefused) as refused:
        form_parse(tbl, tasks=TASKS, writing_codes=kwargs.pop("codes", CODES), **kwargs)
    return [str(problem) for problem in refused.value.problems]


def test_a_filled_form_is_read_into_typed_rows():
    parsed = form_parse(
        table(
            ["10001", "4А", "Ж", "1", "2", "1", "3", "X", "5", "8", "4"],
            ["10002", "4А", "М", "ОТСУТСТВОВАЛ", "", "", "", "", "4", "", ""],
            ["10003", "4Б", "М", "2", "0", "Х", "1", "x", "", "999", "5"],
        ),
        tasks=TASKS,
        writing_codes=CODES,
    )
    first, absent, third = parsed.rows
    assert (first.row, first.code, first.variant, first.absent, first.journal_mark) == (2, "10001", 1, False, 5)
    assert [c.text for c in first.cells] == ["2", "1", "3", "X"]
    assert first.cells[3].not_attempted and first.cells[3].value is None
    assert (absent.absent, absent.variant, absent.journal_mark) == (True, None, 4)
    assert all(c.is_empty for c in absent.cells) and len(absent.cells) == len(TASKS)
    # Первичный балл and Отметка are ignored (recomputed), whatever they hold
    assert [c.text for c in third.cells] == ["0", "X", "1", "X"] and third.journal_mark is None


def test_headers_are_matched_whatever_the_case_spaces_and_column_order():
    headers = ["код ", "Вариант", "1к1 (2б)", "3.1  (3б)", "2 (1б)", "1 (2б)", "ОТМЕТКА ПО ЖУРНАЛУ"]
    parsed = form_parse(
        table(["10001", "1", "2", "3", "1", "0", "3"], headers=headers), tasks=TASKS, writing_codes=CODES
    )
    assert [c.text for c in parsed.rows[0].cells] == ["0", "1", "3", "2"]  # back in the assessment's order


def test_a_score_above_the_maximum_is_placed_by_row_and_column():
    assert problems_of(table(["10001", "4А", "Ж", "1", "2", "1", "4", "0", ""])) == [
        "строка 2, столбец «3.1 (3б)»: балл 4 больше максимума 3"
    ]


@pytest.mark.parametrize(
    "value, message",
    [
        ("-1", "балл -1 меньше нуля"),
        ("1.5", "балл 1.5 не целый"),
        ("1,5", "балл 1,5 не целый"),
        ("два", "«два» — не балл"),
        ("", "не заполнено"),
    ],
)
def test_every_cell_that_is_not_a_score_is_refused(value, message):
    problems = problems_of(table(["10001", "4А", "Ж", "1", value, "1", "1", "1", ""]))
    assert len(problems) == 1
    assert problems[0].startswith("строка 2, столбец «1 (2б)»: ") and message in problems[0]


def test_every_problem_of_the_file_is_listed_at_once():
    problems = problems_of(
        table(
            ["10001", "4А", "Ж", "1", "3", "1", "1", "1", "6"],
            ["99999", "4А", "Ж", "1", "1", "1", "1", "1", ""],
            ["10001", "4А", "Ж", "1", "1", "1", "1", "1", ""],
            ["10003", "4А", "Ж", "отсутствовал", "1", "", "", "", ""],
            ["10004", "4А", "Ж", "", "", "", "", "", ""],
            ["", "4А", "Ж", "1", "1", "1", "1", "1", ""],
        )
    )
    assert problems == [
        "строка 2, столбец «1 (2б)»: балл 3 больше максимума 2",
        "строка 2, столбец «Отметка по журналу»: отметка по журналу «6»: нужна отметка от 2 до 5 или пустая ячейка",
        "строка 3, столбец «Код»: участника с кодом 99999 нет среди участников этой работы в школе",
        "строка 4, столбец «Код»: код 10001 повторяется: он уже есть в строке 2",
        "строка 5, столбец «1 (2б)»: участник отсутствовал: ячейка задания должна быть пустой, а в ней «1»",
        "строка 6: строка не заполнена: нет ни варианта, ни баллов (если участник отсутствовал, напишите "
        "«отсутствовал» в столбце «Вариант»)",
        "строка 7, столбец «Код»: не указан код участника",
    ]


def test_an_exempt_participants_code_is_refused_as_such():
    problems = problems_of(table(["10009", "4А", "Ж", "1", "1", "1", "1", "1", ""]), exempt_codes={"10009"})
    assert problems == ["строка 2, столбец «Код»: участник с кодом 10009 освобождён от этой работы"]


def test_a_row_with_a_variant_and_no_scores_is_refused():
    assert problems_of(table(["10001", "4А", "Ж", "2", "", "", "", "", "5"])) == [
        "строка 2: баллы не заполнены: в каждом задании нужен балл или X"
    ]


def test_a_row_with_scores_and_no_variant_keeps_the_variant_unknown():
    row = form_parse(table(["10001", "4А", "Ж", "", "1", "1", "1", "1", ""]), tasks=TASKS, writing_codes=CODES).rows[0]
    assert row.variant is None and not row.absent


@pytest.mark.parametrize("variant", ["0", "первый", "1.5"])
def test_a_variant_must_be_a_number_or_absent(variant):
    problems = problems_of(table(["10001", "4А", "Ж", variant, "1", "1", "1", "1", ""]))
    assert problems == [
        f"строка 2, столбец «Вариант»: «{variant}» — не вариант: нужен номер варианта или «отсутствовал»"
    ]


def test_a_missing_task_column_refuses_the_file():
    headers = [h for h in HEADERS if h != "2 (1б)"]
    problems = problems_of(table(["10001", "4А", "Ж", "1", "1", "1", "1", ""], headers=headers))
    assert problems == ["столбец «2 (1б)»: нет столбца задания «2»"]


def test_missing_required_columns_are_named():
    headers = ["Класс", "1 (2б)", "2 (1б)", "3.1 (3б)", "1К1 (2б)"]
    assert problems_of(table(["4А", "1", "1", "1", "1"], headers=headers)) == [
        "столбец «Код»: обязательный столбец отсутствует в файле",
        "столбец «Вариант»: обязательный столбец отсутствует в файле",
    ]


def test_a_form_without_the_journal_column_reads_no_journal_marks():
    headers = ["Код", "Вариант", "1 (2б)", "2 (1б)", "3.1 (3б)", "1К1 (2б)"]
    parsed = form_parse(table(["10001", "1", "2", "1", "0", "X"], headers=headers), tasks=TASKS, writing_codes=CODES)
    assert not parsed.has_journal and parsed.rows[0].journal_mark is None
    assert form_parse(
        table(["10001", "4А", "Ж", "1", "2", "1", "0", "X", "5"]), tasks=TASKS, writing_codes=CODES
    ).has_journal


def test_a_form_of_another_assessment_is_refused_by_its_headers():
    headers = [*HEADERS[:4], "1 (2б)", "2 (2б)", "3.1 (3б)", "1К1 (2б)", "4 (1б)", *HEADERS[-3:]]
    problems = problems_of(table(["10001", "4А", "Ж", "1", "1", "1", "1", "1", "1", ""], headers=headers))
    assert problems == [
        "столбец «2 (2б)»: максимальный балл задания «2» в этой работе 1, а в заголовке 2: форма от другой работы?",
        "столбец «4 (1б)»: задания «4» в этой работе нет: форма от другой работы?",
        "столбец «2 (1б)»: нет столбца задания «2»",
    ]


def test_unknown_and_repeated_columns_are_refused():
    headers = [*HEADERS, "Примечание", "Код"]
    problems = problems_of(
        table(["10001", "4А", "Ж", "1", "1", "1", "1", "1", "", "", "", "", "10001"], headers=headers)
    )
    assert problems == [
        "столбец «Примечание»: неизвестный столбец: в форме сбора результатов этой работы его нет",
        "столбец «Код»: столбец повторяется",
    ]


def test_a_form_without_rows_is_refused():
    assert problems_of(table()) == ["в форме нет ни одной строки с участниками"]


def test_without_the_school_codes_any_code_is_read():
    parsed = form_parse(table(["55555", "4А", "Ж", "1", "1", "1", "1", "1", ""]), tasks=TASKS)
    assert parsed.rows[0].code == "55555"


def test_classes_sort_by_grade_then_letter():
    assert sorted(["10Б", "4Б", "4А", "10А", "9В"], key=class_sort_key) == ["4А", "4Б", "9В", "10А", "10Б"]


PEOPLE = [
    FormParticipant("10102", "4Б", "Ж", variant=2, cells=(2, "X", 3, 0), journal_mark=4, primary_score=5, mark=3),
    FormParticipant("10002", "4А", "М", absent=True, journal_mark=3),
    FormParticipant("10001", "4А", "Ж", variant=1, cells=(1, 1, 1, 1), primary_score=4, mark=2),
]


def test_the_blank_form_has_codes_classes_and_sex_in_class_then_code_order():
    rows = list(form_rows(PEOPLE, task_count=4, filled=False))
    assert rows == [
        ["10001", "4А", "Ж", None, None, None, None, None, None, None, None],
        ["10002", "4А", "М", None, None, None, None, None, None, None, None],
        ["10102", "4Б", "Ж", None, None, None, None, None, None, None, None],
    ]


def test_the_filled_form_has_results_and_absent_participants():
    rows = list(form_rows(PEOPLE, task_count=4, filled=True))
    assert rows == [
        ["10001", "4А", "Ж", 1, 1, 1, 1, 1, None, 4, 2],
        ["10002", "4А", "М", "отсутствовал", None, None, None, None, 3, None, None],
        ["10102", "4Б", "Ж", 2, 2, "X", 3, 0, 4, 5, 3],
    ]


def test_a_written_filled_form_reads_back_the_same():
    output = io.BytesIO()
    count = form_write(output, tasks=TASKS, rows=form_rows(PEOPLE, task_count=4, filled=True), title="RU-4 sch1")
    assert count == 3
    read = read_table(output.getvalue(), "form.xlsx")
    assert read.headers == HEADERS
    parsed = form_parse(read, tasks=TASKS, writing_codes={"10001", "10002", "10102"})
    assert [(r.code, r.variant, r.absent, [c.text for c in r.cells], r.journal_mark) for r in parsed.rows] == [
        ("10001", 1, False, ["1", "1", "1", "1"], None),
        ("10002", None, True, ["", "", "", ""], 3),
        ("10102", 2, False, ["2", "X", "3", "0"], 4),
    ]


def test_the_written_blank_form_keeps_codes_as_text():
    from openpyxl import load_workbook

    output = io.BytesIO()
    form_write(output, tasks=TASKS, rows=form_rows(PEOPLE, task_count=4, filled=False), title="RU-4: [sch1]")
    sheet = load_workbook(io.BytesIO(output.getvalue())).worksheets[0]
    assert sheet.title == "RU-4_ _sch1_"
    assert [c.value for c in sheet[2]][:3] == ["10001", "4А", "Ж"]
    assert sheet.max_row == 4
