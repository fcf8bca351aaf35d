"""Parsing the registry's lists (`import_schools`, `import_pupils`, docs/commands.md): table rows in, records out.

Pure functions, no database: they check the shape of every row and collect every problem, so the caller
can refuse the whole file at once.
"""

import re
import zoneinfo
from dataclasses import dataclass

from django.utils.translation import gettext as _

from vpr_portal.tables import InputRefused, Problem, Table, require_columns

from .models import CLASS_NAME_RE
from .validators import person_name_problem

SCHOOL_COLUMNS = ["Код", "Наименование", "Краткое наименование"]
PUPIL_COLUMNS = ["Фамилия", "Имя", "Отчество", "Класс", "Пол"]
SCHOOL_CODE_RE = re.compile(r"^[A-Za-z0-9_-]{3,32}$")
YES = {"да", "д", "yes", "1", "true", "+"}
NO = {"нет", "н", "no", "0", "false", "-", ""}
SEX_VALUES = {"м": "М", "ж": "Ж", "m": "М"}
LATIN_TO_CYRILLIC = str.maketrans("ABCEHKMOPTXYabcehkmoptxy", "АВСЕНКМОРТХУавсенкмортху")


@dataclass(frozen=True)
class SchoolRecord:
    row: int
    code: str
    name: str
    short_name: str
    time_zone: str


@dataclass(frozen=True)
class PupilRecord:
    row: int
    last_name: str
    first_name: str
    middle_name: str
    grade: int
    letter: str
    sex: str
    has_disability: bool

    @property
    def class_name(self) -> str:
        return f"{self.grade}{self.letter}"

    @property
    def key(self) -> tuple[str, str, str, int, str]:
        return (
            self.last_name.casefold(),
            self.first_name.casefold(),
            self.middle_name.casefold(),
            self.grade,
            self.letter,
        )


def parse_class_name(value: str) -> tuple[int, str] | None:
    """`4А`, `4 а`, `10-Б` → (4, "А"); None when the text is not a class name of grades 1–11."""
    match = CLASS_NAME_RE.match(value.translate(LATIN_TO_CYRILLIC))
    if not match:
        return None
    grade = int(match.group(1))
    if not 1 <= grade <= 11:
        return None
    return grade, match.group(2).upper()


def _cell(row: list[str], index: dict[str, int], name: str) -> str:
    position = index.get(name.casefold())
    return row[position].strip() if position is not None and position < len(row) else ""


def _school_code_problem(code: str, row_number: int, seen: dict[str, int]) -> Problem | None:
    if not code:
        return Problem(_("код не заполнен"), row_number, "Код")
    if not SCHOOL_CODE_RE.match(code):
        return Problem(_("код «{code}» должен состоять из латинских букв и цифр").format(code=code), row_number, "Код")
    if code.casefold() in seen:
        message = _("код «{code}» повторяет строку {other}").format(code=code, other=seen[code.casefold()])
        return Problem(message, row_number, "Код")
    return None


def _text_problem(value: str, *, column: str, empty: str, too_long: str, limit: int, row_number: int):
    if not value:
        return Problem(empty, row_number, column)
    if len(value) > limit:
        return Problem(too_long, row_number, column)
    return None


def _school_row_problems(record: SchoolRecord, seen: dict[str, int], zones: set[str]) -> list[Problem]:
    row_number = record.row
    problems = [
        _school_code_problem(record.code, row_number, seen),
        _text_problem(
            record.name,
            column="Наименование",
            empty=_("наименование не заполнено"),
            too_long=_("наименование длиннее 400 символов"),
            limit=400,
            row_number=row_number,
        ),
        _text_problem(
            record.short_name,
            column="Краткое наименование",
            empty=_("краткое наименование не заполнено"),
            too_long=_("краткое наименование длиннее 150 символов"),
            limit=150,
            row_number=row_number,
        ),
    ]
    if record.time_zone and record.time_zone not in zones:
        message = _("неизвестный часовой пояс «{tz}» (нужно имя IANA, например Asia/Yekaterinburg)")
        problems.append(Problem(message.format(tz=record.time_zone), row_number, "Часовой пояс"))
    return [problem for problem in problems if problem is not None]


def parse_schools(table: Table) -> list[SchoolRecord]:
    """School rows; an empty time zone stays empty (a new school gets the default, an existing one keeps its own)."""
    index = require_columns(table, SCHOOL_COLUMNS)
    problems: list[Problem] = []
    records: list[SchoolRecord] = []
    seen: dict[str, int] = {}
    if not table.rows:
        raise InputRefused([Problem(_("в файле нет ни одной школы"))])
    zones = zoneinfo.available_timezones()
    for row_number, row in table.rows:
        record = SchoolRecord(
            row_number,
            _cell(row, index, "Код"),
            _cell(row, index, "Наименование"),
            _cell(row, index, "Краткое наименование"),
            _cell(row, index, "Часовой пояс"),
        )
        row_problems = _school_row_problems(record, seen, zones)
        if record.code:
            seen.setdefault(record.code.casefold(), row_number)
        if row_problems:
            problems.extend(row_problems)
        else:
            records.append(record)
    if problems:
        raise InputRefused(problems)
    return records


def _name_problem(value: str, *, required: bool, row: int, column: str) -> Problem | None:
    if not value:
        return Problem(_("не заполнено"), row, column) if required else None
    problem = person_name_problem(value)
    return Problem(problem, row, column) if problem else None


def parse_pupils(table: Table) -> list[PupilRecord]:
    index = require_columns(table, PUPIL_COLUMNS)
    problems: list[Problem] = []
    records: list[PupilRecord] = []
    seen: dict[tuple, int] = {}
    if not table.rows:
        raise InputRefused([Problem(_("в файле нет ни одного обучающегося"))])
    for row_number, row in table.rows:
        last_name = " ".join(_cell(row, index, "Фамилия").split())
        first_name = " ".join(_cell(row, index, "Имя").split())
        middle_name = " ".join(_cell(row, index, "Отчество").split())
        class_text = _cell(row, index, "Класс")
        sex_text = _cell(row, index, "Пол")
        disability_text = _cell(row, index, "ОВЗ").casefold()
        row_problems = [
            p
            for p in (
                _name_problem(last_name, required=True, row=row_number, column="Фамилия"),
                _name_problem(first_name, required=True, row=row_number, column="Имя"),
                _name_problem(middle_name, required=False, row=row_number, column="Отчество"),
            )
            if p
        ]
        parsed_class = parse_class_name(class_text)
        if parsed_class is None:
            row_problems.append(
                Problem(
                    _("«{value}» — не класс: нужна параллель 1–11 и буква, например 4А").format(value=class_text)
                    if class_text
                    else _("класс не заполнен"),
                    row_number,
                    "Класс",
                )
            )
        sex = SEX_VALUES.get(sex_text.casefold())
        if sex is None:
            row_problems.append(Problem(_("пол «{value}»: нужно М или Ж").format(value=sex_text), row_number, "Пол"))
        if disability_text in YES:
            has_disability = True
        elif disability_text in NO:
            has_disability = False
        else:
            has_disability = False
            row_problems.append(
                Problem(_("ОВЗ «{value}»: нужно «да» или «нет»").format(value=disability_text), row_number, "ОВЗ")
            )
        if row_problems:
            problems.extend(row_problems)
            continue
        record = PupilRecord(
            row_number, last_name, first_name, middle_name, parsed_class[0], parsed_class[1], sex, has_disability
        )
        if record.key in seen:
            problems.append(
                Problem(
                    _("{name} ({cls}) уже есть в строке {other}").format(
                        name=" ".join(filter(None, (last_name, first_name, middle_name))),
                        cls=record.class_name,
                        other=seen[record.key],
                    ),
                    row_number,
                    "Фамилия",
                )
            )
            continue
        seen[record.key] = row_number
        records.append(record)
    if problems:
        raise InputRefused(problems)
    return records
