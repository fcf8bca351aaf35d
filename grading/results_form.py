"""The results form (docs/commands.md): the rows written on export and the reading of a filled form on import.

Pure functions, no database: rows in, rows out. The header row is `procedures.catalogue.results_form_columns`:
`Код, Класс, Пол, Вариант, <one column per task: "1 (2б)">, Отметка по журналу, Первичный балл, Отметка`.

Reading is all or nothing: `form_parse` collects every problem of the file (placed by row and column, as the
spreadsheet numbers them) and raises `InputRefused` with all of them, or returns typed rows. What a row means:

- `Код` names a participant who writes this assessment at this school (an exempt one, an unknown code or a code
  given twice is refused);
- `Вариант` is the variant number, or `отсутствовал` (any case) for an absent participant, whose task cells must
  then be empty; an empty `Вариант` on a row with scores keeps the variant already recorded;
- every task cell of a present participant holds 0…max or `X`/`Х` (not attempted, counts 0): an empty cell is
  «не заполнено» and refused, because a form goes to ФИС ОКО only when every work is graded;
- `Отметка по журналу` is 2…5 or empty (a file without this column keeps the journal marks recorded);
- `Класс`, `Пол`, `Первичный балл` and `Отметка` are read by people, ignored here (the totals are recomputed).

A header the form of this assessment does not have (a task of another assessment, a different maximum, any
other unknown column) refuses the file: it was most likely made for another work.
"""

import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from grading.services.scores import Cell, cell_parse
from procedures.catalogue import (
    RESULTS_FORM_LEADING,
    RESULTS_FORM_TRAILING,
    results_form_columns,
    task_column_header,
)
from schools.classes import class_sort_key
from vpr_portal.excel import safe_row
from vpr_portal.tables import InputRefused, Problem, Table, normalise_header

CODE, CLASS, SEX, VARIANT = RESULTS_FORM_LEADING
JOURNAL, PRIMARY_SCORE, MARK = RESULTS_FORM_TRAILING
REQUIRED = (CODE, VARIANT)  # besides every task column
ABSENT_TEXT = "отсутствовал"
ABSENT_WORDS = frozenset({"отсутствовал", "отсутствовала", "отсутствовал(а)"})
NOT_ATTEMPTED_TEXT = "X"
MAX_VARIANT = 32767  # the field's limit on every database
TASK_HEADER_RE = re.compile(r"^(?P<label>.+?)\s*\(\s*(?P<max>\d+)\s*б\.?\s*\)$")


class FormTask(Protocol):
    """A task as the form needs it (procedures.models.Task satisfies it)."""

    label: str
    max_points: int


# Writing ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormParticipant:
    """One participant's row to write: `cells` holds one value per task (points, "X" or None)."""

    code: str
    class_name: str
    sex: str
    variant: int | None = None
    absent: bool = False
    cells: tuple = ()
    journal_mark: int | None = None
    primary_score: int | None = None
    mark: int | None = None


def form_order(participant: FormParticipant) -> tuple:
    return (class_sort_key(participant.class_name), participant.code)


def form_rows(participants: Iterable[FormParticipant], *, task_count: int, filled: bool) -> Iterator[list]:
    """The rows after the header, sorted by class then code. A blank form has code, class and sex only; the
    filled one (for ФИС ОКО) has the variant or «отсутствовал», the scores, the journal mark and the totals."""
    for participant in sorted(participants, key=form_order):
        leading = [participant.code, participant.class_name, participant.sex]
        if not filled:
            yield [*leading, None, *([None] * task_count), None, None, None]
        elif participant.absent:
            yield [*leading, ABSENT_TEXT, *([None] * task_count), participant.journal_mark, None, None]
        else:
            cells = list(participant.cells) + [None] * (task_count - len(participant.cells))
            yield [
                *leading,
                participant.variant,
                *cells,
                participant.journal_mark,
                participant.primary_score,
                participant.mark,
            ]


def sheet_title(text: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    cleaned = re.sub(r"[\[\]:*?/\\]", "_", text).strip("'") or "Форма"
    return cleaned[:31]


def form_write(output: BinaryIO, *, tasks: Sequence[FormTask], rows: Iterable[list], title: str) -> int:
    """Writes the header and `rows` into a one-sheet workbook (openpyxl write-only); returns the row count."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    headers = results_form_columns(tasks)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(title))
    widths = [8, 7, 5, 13, *([8] * len(tasks)), 11, 10, 9]
    for position, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width
    sheet.freeze_panes = "B2"
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font, cell.alignment = bold, wrap
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in rows:
        sheet.append(safe_row(row))
        count += 1
    workbook.save(output)
    return count


# Reading ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormRow:
    """One participant's row as read: `cells` has one Cell per task, in the assessment's order (all empty for
    an absent participant)."""

    row: int
    code: str
    variant: int | None
    absent: bool
    cells: tuple[Cell, ...]
    journal_mark: int | None


@dataclass
class ParsedForm:
    rows: list[FormRow] = field(default_factory=list)
    # False when the file has no «Отметка по журналу» column: the recorded journal marks are then kept.
    has_journal: bool = True

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class _Columns:
    code: int
    variant: int
    journal: int | None
    tasks: list[int]  # position of each task's column, in task order
    names: dict[int, str]  # position → the header as written in the file


def _task_header(normalised: str) -> tuple[str, int] | None:
    match = TASK_HEADER_RE.match(normalised)
    if not match:
        return None
    return match.group("label").strip(), int(match.group("max"))


def _task_column_problem(header: str, normalised: str, tasks: Sequence[FormTask], task_index: dict[str, int]):
    """(index of the task this header names, None) or (None, the problem with the header)."""
    parsed = _task_header(normalised)
    if parsed is None:
        return None, Problem(_("неизвестный столбец: в форме сбора результатов этой работы его нет"), column=header)
    label, max_points = parsed
    index = task_index.get(label.casefold())
    if index is None:
        message = _("задания «{label}» в этой работе нет: форма от другой работы?").format(label=label)
        return None, Problem(message, column=header)
    if tasks[index].max_points != max_points:
        message = _(
            "максимальный балл задания «{label}» в этой работе {max}, а в заголовке {given}: форма от другой работы?"
        ).format(label=tasks[index].label, max=tasks[index].max_points, given=max_points)
        return None, Problem(message, column=header)
    return index, None


def _missing_columns(found_fixed: dict[str, int], found_tasks: dict[int, int], tasks: Sequence[FormTask]):
    for name in REQUIRED:
        if name not in found_fixed:
            yield Problem(_("обязательный столбец отсутствует в файле"), column=name)
    for index, task in enumerate(tasks):
        if index not in found_tasks:
            yield Problem(_("нет столбца задания «{label}»").format(label=task.label), column=task_header_of(task))


def _columns(headers: list[str], tasks: Sequence[FormTask]) -> _Columns:
    """Where each column is; refuses missing, repeated and foreign headers, naming every one."""
    problems: list[Problem] = []
    fixed = {normalise_header(name): name for name in (*RESULTS_FORM_LEADING, *RESULTS_FORM_TRAILING)}
    task_index = {task.label.casefold(): i for i, task in enumerate(tasks)}
    found_fixed: dict[str, int] = {}
    found_tasks: dict[int, int] = {}
    names: dict[int, str] = {}
    for position, header in enumerate(headers):
        normalised = normalise_header(header)
        if not normalised:
            continue
        names[position] = header
        if normalised in fixed:
            found, key = found_fixed, fixed[normalised]
        else:
            key, problem = _task_column_problem(header, normalised, tasks, task_index)
            if problem is not None:
                problems.append(problem)
                continue
            found = found_tasks
        if key in found:
            problems.append(Problem(_("столбец повторяется"), column=header))
        else:
            found[key] = position
    problems.extend(_missing_columns(found_fixed, found_tasks, tasks))
    if problems:
        raise InputRefused(problems)
    return _Columns(
        code=found_fixed[CODE],
        variant=found_fixed[VARIANT],
        journal=found_fixed.get(JOURNAL),
        tasks=[found_tasks[i] for i in range(len(tasks))],
        names=names,
    )


def task_header_of(task: FormTask) -> str:
    return task_column_header(task.label, task.max_points)


def _variant(text: str) -> tuple[int | None, bool] | None:
    """(variant, absent) from the cell, or None when it is neither a number nor «отсутствовал»."""
    if not text:
        return None, False
    if text.casefold() in ABSENT_WORDS:
        return None, True
    if text.isdigit() and 1 <= int(text) <= MAX_VARIANT:
        return int(text), False
    return None


def _journal(text: str) -> int | None | bool:
    """The journal mark, None for an empty cell, False when the cell is not a mark."""
    if not text:
        return None
    if text in {"2", "3", "4", "5"}:
        return int(text)
    return False


@dataclass
class _RowReader:
    """Reads the rows of one form: what every row is checked against, and the codes already seen."""

    headers: list[str]
    columns: _Columns
    tasks: Sequence[FormTask]
    writing_codes: Collection[str] | None
    exempt_codes: Collection[str]
    first_row_of: dict[str, int] = field(default_factory=dict)
    # (max points, text) → the Cell it reads as: a form's hundreds of thousands of cells hold a handful of texts
    parsed: dict[tuple[int, str], Cell] = field(default_factory=dict)

    def name(self, position: int | None, default: str = "") -> str:
        return self.columns.names[position] if position is not None else default

    def stray_values(self, number: int, cells: list[str]) -> Iterator[Problem]:
        """The first value past the form's columns and the first under a column without a header."""
        width = len(self.headers)
        for value in cells[width:]:
            if value:
                yield Problem(_("значение «{value}» вне столбцов формы").format(value=value), row=number)
                break
        for position, value in enumerate(cells[:width]):
            if value and position not in self.columns.names:
                yield Problem(_("значение «{value}» в столбце без заголовка").format(value=value), row=number)
                break

    def code_problem(self, number: int, code: str) -> Problem | None:
        column = self.name(self.columns.code)
        if not code:
            return Problem(_("не указан код участника"), row=number, column=column)
        if code in self.first_row_of:
            message = _("код {code} повторяется: он уже есть в строке {row}").format(
                code=code, row=self.first_row_of[code]
            )
            return Problem(message, row=number, column=column)
        self.first_row_of[code] = number
        if self.writing_codes is None or code in self.writing_codes:
            return None
        if code in self.exempt_codes:
            message = _("участник с кодом {code} освобождён от этой работы").format(code=code)
        else:
            message = _("участника с кодом {code} нет среди участников этой работы в школе").format(code=code)
        return Problem(message, row=number, column=column)

    def variant(self, number: int, text: str, problems: list[Problem]) -> tuple[int | None, bool]:
        read = _variant(text)
        if read is not None:
            return read
        problems.append(
            Problem(
                _("«{value}» — не вариант: нужен номер варианта или «отсутствовал»").format(value=text),
                row=number,
                column=self.name(self.columns.variant),
            )
        )
        return None, False

    def journal(self, number: int, cells: list[str], problems: list[Problem]) -> int | None:
        text = cells[self.columns.journal].strip() if self.columns.journal is not None else ""
        journal = _journal(text)
        if journal is not False:
            return journal
        problems.append(
            Problem(
                _("отметка по журналу «{value}»: нужна отметка от 2 до 5 или пустая ячейка").format(value=text),
                row=number,
                column=self.name(self.columns.journal, JOURNAL),
            )
        )
        return None

    def cells(
        self, number: int, cells: list[str], *, absent: bool, variant_text: str, problems: list[Problem]
    ) -> list[Cell]:
        task_names = [self.columns.names[position] for position in self.columns.tasks]
        raw_cells = [cells[position].strip() for position in self.columns.tasks]
        if absent:
            for task_name, raw in zip(task_names, raw_cells, strict=True):
                if raw:
                    message = _("участник отсутствовал: ячейка задания должна быть пустой, а в ней «{value}»")
                    problems.append(Problem(message.format(value=raw), row=number, column=task_name))
            return [Cell(None)] * len(self.tasks)
        if not any(raw_cells):
            if not variant_text:
                message = _(
                    "строка не заполнена: нет ни варианта, ни баллов (если участник отсутствовал, напишите "
                    "«отсутствовал» в столбце «{column}»)"
                ).format(column=self.name(self.columns.variant))
            else:
                message = _("баллы не заполнены: в каждом задании нужен балл или X")
            problems.append(Problem(message, row=number))
            return []
        parsed_cells: list[Cell] = []
        for task, task_name, raw in zip(self.tasks, task_names, raw_cells, strict=True):
            cell = self.parsed.get((task.max_points, raw))
            if cell is None:
                try:
                    cell = cell_parse(raw, max_points=task.max_points)
                except ValidationError as error:
                    problems.extend(Problem(message, row=number, column=task_name) for message in error.messages)
                    continue
                self.parsed[(task.max_points, raw)] = cell
            if cell.is_empty:
                message = _("не заполнено: нужен балл от 0 до {max} или X").format(max=task.max_points)
                problems.append(Problem(message, row=number, column=task_name))
            parsed_cells.append(cell)
        return parsed_cells

    def row(self, number: int, cells: list[str]) -> tuple[FormRow | None, list[Problem]]:
        """The row read, or None and its problems in the order of the file's columns."""
        problems = list(self.stray_values(number, cells))
        code = cells[self.columns.code].strip()
        if (problem := self.code_problem(number, code)) is not None:
            problems.append(problem)
        variant_text = cells[self.columns.variant].strip()
        variant, absent = self.variant(number, variant_text, problems)
        journal = self.journal(number, cells, problems)
        parsed_cells = self.cells(number, cells, absent=absent, variant_text=variant_text, problems=problems)
        if problems:
            column_position = {name: position for position, name in self.columns.names.items()}
            return None, sorted(problems, key=lambda p: column_position.get(p.column, -1))
        row = FormRow(
            row=number, code=code, variant=variant, absent=absent, cells=tuple(parsed_cells), journal_mark=journal
        )
        return row, []


def form_parse(
    table: Table,
    *,
    tasks: Sequence[FormTask],
    writing_codes: Collection[str] | None = None,
    exempt_codes: Collection[str] = (),
) -> ParsedForm:
    """Reads a filled results form against the assessment's tasks (in their order) and, when given, the codes of
    the participants who write it at the school. Raises InputRefused with every problem found."""
    columns = _columns(table.headers, tasks)
    reader = _RowReader(table.headers, columns, tasks, writing_codes, exempt_codes)
    problems: list[Problem] = []
    parsed = ParsedForm(has_journal=columns.journal is not None)
    for number, cells in table.rows:
        row, row_problems = reader.row(number, cells)
        problems.extend(row_problems)
        if row is not None:
            parsed.rows.append(row)
    if not table.rows:
        problems.append(Problem(_("в форме нет ни одной строки с участниками")))
    if problems:
        raise InputRefused(problems)
    return parsed
