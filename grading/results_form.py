"""The results form (DESIGN §5): the rows written on export and the reading of a filled form on import.

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
CLASS_NAME_RE = re.compile(r"^(\d+)\s*(.*)$")


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


def class_sort_key(class_name: str) -> tuple:
    """«4А» < «4Б» < «10А»: the grade as a number, then the letter."""
    match = CLASS_NAME_RE.match(class_name.strip())
    if match:
        return (int(match.group(1)), match.group(2).casefold())
    return (10_000, class_name.casefold())


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
            name = fixed[normalised]
            if name in found_fixed:
                problems.append(Problem(_("столбец повторяется"), column=header))
            else:
                found_fixed[name] = position
            continue
        parsed = _task_header(normalised)
        if parsed is None:
            problems.append(
                Problem(_("неизвестный столбец: в форме сбора результатов этой работы его нет"), column=header)
            )
            continue
        label, max_points = parsed
        index = task_index.get(label.casefold())
        if index is None:
            problems.append(
                Problem(
                    _("задания «{label}» в этой работе нет: форма от другой работы?").format(label=label),
                    column=header,
                )
            )
        elif tasks[index].max_points != max_points:
            message = _(
                "максимальный балл задания «{label}» в этой работе {max}, а в заголовке {given}: "
                "форма от другой работы?"
            ).format(label=tasks[index].label, max=tasks[index].max_points, given=max_points)
            problems.append(Problem(message, column=header))
        elif index in found_tasks:
            problems.append(Problem(_("столбец повторяется"), column=header))
        else:
            found_tasks[index] = position
    for name in REQUIRED:
        if name not in found_fixed:
            problems.append(Problem(_("обязательный столбец отсутствует в файле"), column=name))
    for index, task in enumerate(tasks):
        if index not in found_tasks:
            problems.append(
                Problem(_("нет столбца задания «{label}»").format(label=task.label), column=task_header_of(task))
            )
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
    problems: list[Problem] = []
    parsed = ParsedForm()
    first_row_of: dict[str, int] = {}
    task_names = [columns.names[position] for position in columns.tasks]
    code_name, variant_name = columns.names[columns.code], columns.names[columns.variant]
    journal_name = columns.names[columns.journal] if columns.journal is not None else JOURNAL
    parsed.has_journal = columns.journal is not None
    column_position = {name: position for position, name in columns.names.items()}
    for number, cells in table.rows:
        before = len(problems)
        for position in range(len(table.headers), len(cells)):
            if cells[position]:
                problems.append(
                    Problem(_("значение «{value}» вне столбцов формы").format(value=cells[position]), row=number)
                )
                break
        for position, value in enumerate(cells[: len(table.headers)]):
            if value and position not in columns.names:
                problems.append(
                    Problem(_("значение «{value}» в столбце без заголовка").format(value=value), row=number)
                )
                break

        code = cells[columns.code].strip()
        if not code:
            problems.append(Problem(_("не указан код участника"), row=number, column=code_name))
        elif code in first_row_of:
            problems.append(
                Problem(
                    _("код {code} повторяется: он уже есть в строке {row}").format(code=code, row=first_row_of[code]),
                    row=number,
                    column=code_name,
                )
            )
        else:
            first_row_of[code] = number
            if writing_codes is not None and code not in writing_codes:
                if code in exempt_codes:
                    message = _("участник с кодом {code} освобождён от этой работы").format(code=code)
                else:
                    message = _("участника с кодом {code} нет среди участников этой работы в школе").format(code=code)
                problems.append(Problem(message, row=number, column=code_name))

        variant_text = cells[columns.variant].strip()
        variant_read = _variant(variant_text)
        if variant_read is None:
            problems.append(
                Problem(
                    _("«{value}» — не вариант: нужен номер варианта или «отсутствовал»").format(value=variant_text),
                    row=number,
                    column=variant_name,
                )
            )
            variant, absent = None, False
        else:
            variant, absent = variant_read

        journal_text = cells[columns.journal].strip() if columns.journal is not None else ""
        journal = _journal(journal_text)
        if journal is False:
            problems.append(
                Problem(
                    _("отметка по журналу «{value}»: нужна отметка от 2 до 5 или пустая ячейка").format(
                        value=journal_text
                    ),
                    row=number,
                    column=journal_name,
                )
            )
            journal = None

        raw_cells = [cells[position].strip() for position in columns.tasks]
        parsed_cells: list[Cell] = []
        if absent:
            for task_name, raw in zip(task_names, raw_cells, strict=True):
                if raw:
                    problems.append(
                        Problem(
                            _("участник отсутствовал: ячейка задания должна быть пустой, а в ней «{value}»").format(
                                value=raw
                            ),
                            row=number,
                            column=task_name,
                        )
                    )
            parsed_cells = [Cell(None)] * len(tasks)
        elif not any(raw_cells):
            if not variant_text:
                message = _(
                    "строка не заполнена: нет ни варианта, ни баллов (если участник отсутствовал, напишите "
                    "«отсутствовал» в столбце «{column}»)"
                ).format(column=variant_name)
            else:
                message = _("баллы не заполнены: в каждом задании нужен балл или X")
            problems.append(Problem(message, row=number))
        else:
            for task, task_name, raw in zip(tasks, task_names, raw_cells, strict=True):
                try:
                    cell = cell_parse(raw, max_points=task.max_points)
                except ValidationError as error:
                    problems.extend(Problem(message, row=number, column=task_name) for message in error.messages)
                    continue
                if cell.is_empty:
                    message = _("не заполнено: нужен балл от 0 до {max} или X").format(max=task.max_points)
                    problems.append(Problem(message, row=number, column=task_name))
                parsed_cells.append(cell)
        if len(problems) > before:  # in the order of the file's columns
            problems[before:] = sorted(problems[before:], key=lambda p: column_position.get(p.column, -1))
        else:
            parsed.rows.append(
                FormRow(
                    row=number,
                    code=code,
                    variant=variant,
                    absent=absent,
                    cells=tuple(parsed_cells),
                    journal_mark=journal,
                )
            )
    if not table.rows:
        problems.append(Problem(_("в форме нет ни одной строки с участниками")))
    if problems:
        raise InputRefused(problems)
    return parsed
