"""Parsing the assessment catalogue file (`load_catalogue`, docs/commands.md): JSON or YAML in, checked specs out.

Pure functions, no database. Every problem is collected, so a refused file names all of them at once.
"""

import datetime
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from procedures.models import Campaign
from vpr_portal.tables import InputRefused, Problem

LEVELS = {
    "базовый": "базовый",
    "базовый уровень": "базовый",
    "basic": "базовый",
    "углублённый": "углублённый",
    "углубленный": "углублённый",
    "advanced": "углублённый",
}
FORMS = {
    "paper": "paper",
    "бумажная": "paper",
    "бумажный": "paper",
    "computer": "computer",
    "компьютерная": "computer",
    "компьютерный": "computer",
    "кфв": "computer",
}
DIFFICULTIES = {"Б": "Б", "П": "П", "В": "В", "B": "В", "Б ": "Б"}
LABEL_RE = re.compile(r"^[0-9A-Za-zА-Яа-яЁё.\-]{1,12}$")
CODE_RE = re.compile(r"^[\w.\-]{1,40}$")


@dataclass(frozen=True)
class TaskSpec:
    label: str
    max_points: int
    difficulty: str
    skill: str


@dataclass(frozen=True)
class AssessmentSpec:
    code: str
    subject: str
    grade: int
    level: str
    form: str
    duration: int
    tasks: tuple[TaskSpec, ...]
    scale: dict[str, int]

    @property
    def max_score(self) -> int:
        return sum(task.max_points for task in self.tasks)


@dataclass(frozen=True)
class CampaignSpec:
    code: str
    title: str
    window_start: datetime.date
    window_end: datetime.date
    upload_deadline: datetime.datetime | None
    criteria_open_time: datetime.time | None = None
    kind: str = "vpr"
    retention_days: int | None = None
    assessments: tuple[AssessmentSpec, ...] = field(default_factory=tuple)


# A real catalogue (a campaign, dozens of assessments, their tasks) is tens of kilobytes and nests 4 levels deep.
CATALOGUE_MAX_BYTES = 2 * 1024 * 1024
CATALOGUE_MAX_DEPTH = 20


def read_catalogue_file(path: str | Path) -> dict:
    path = Path(path)
    try:
        if path.stat().st_size > CATALOGUE_MAX_BYTES:
            raise InputRefused([_too_big()])
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputRefused([Problem(_("файл {name} не найден").format(name=path))]) from None
    except UnicodeDecodeError:
        raise InputRefused([Problem(_("файл должен быть в кодировке UTF-8"))]) from None
    return parse_catalogue_text(text, suffix=path.suffix.lower())


def _too_big() -> Problem:
    return Problem(_("файл каталога больше {mb} МБ").format(mb=CATALOGUE_MAX_BYTES // (1024 * 1024)))


def _too_deep() -> Problem:
    return Problem(_("в файле каталога больше {n} уровней вложенности").format(n=CATALOGUE_MAX_DEPTH))


def _json_depth(text: str) -> int:
    """How deep the brackets of a JSON text nest (strings are skipped), counted without parsing it."""
    brackets = re.sub(r"[^\[\]{}]", "", re.sub(r'"(?:\\.|[^"\\])*"', "", text))
    depth = deepest = 0
    for bracket in brackets:
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _check_yaml(text: str) -> None:
    """Walks the YAML's events (a parser without recursion) before it is built into objects: refuses nesting
    past the limit and aliases (`*name`), which can make a small file stand for a huge tree."""
    import yaml

    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            raise InputRefused([Problem(_("ссылки (*имя) в файле каталога не поддерживаются"))])
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > CATALOGUE_MAX_DEPTH:
                raise InputRefused([_too_deep()])
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def parse_catalogue_text(text: str, *, suffix: str) -> dict:
    if len(text) > CATALOGUE_MAX_BYTES:
        raise InputRefused([_too_big()])
    if suffix == ".json":
        if _json_depth(text) > CATALOGUE_MAX_DEPTH:
            raise InputRefused([_too_deep()])
        try:
            data = json.loads(text)
        except RecursionError:
            raise InputRefused([_too_deep()]) from None
        except json.JSONDecodeError as error:
            raise InputRefused(
                [
                    Problem(
                        _("файл не является корректным JSON: строка {line}, позиция {col}").format(
                            line=error.lineno, col=error.colno
                        )
                    )
                ]
            ) from None
    elif suffix in (".yaml", ".yml"):
        import yaml

        try:
            _check_yaml(text)
            data = yaml.safe_load(text)
        except RecursionError:
            raise InputRefused([_too_deep()]) from None
        except (ValueError, OverflowError):  # a YAML timestamp or number Python cannot hold
            raise InputRefused([Problem(_("файл не является корректным YAML"))]) from None
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = _(": строка {line}").format(line=mark.line + 1) if mark else ""
            raise InputRefused([Problem(_("файл не является корректным YAML{where}").format(where=where))]) from None
    else:
        raise InputRefused([Problem(_("каталог загружается из файла .json, .yaml или .yml"))])
    if not isinstance(data, dict):
        raise InputRefused([Problem(_("в файле должен быть объект с ключами «campaign» и «assessments»"))])
    return data


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _deadline(value, default_tz) -> datetime.datetime | None:
    if isinstance(value, datetime.datetime):
        parsed = value
    elif isinstance(value, str):
        parsed = parse_datetime(value.strip())
    else:
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=default_tz)
    return parsed


def _date(value) -> datetime.date | None:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str):
        try:
            return parse_date(value.strip())
        except ValueError:
            return None
    return None


def _campaign_window(campaign: dict, problem) -> tuple[datetime.date | None, datetime.date | None]:
    window = campaign.get("window")
    window_start = window_end = None
    if isinstance(window, list | tuple) and len(window) == 2:
        window_start, window_end = _date(window[0]), _date(window[1])
    if window_start is None or window_end is None:
        problem(_('кампания: окно проведения «window» должно быть парой дат ["ГГГГ-ММ-ДД", "ГГГГ-ММ-ДД"]'))
    elif window_end < window_start:
        problem(_("кампания: окно заканчивается раньше, чем начинается"))
    return window_start, window_end


def _campaign_kind(campaign: dict, problem) -> str:
    kind = str(campaign.get("kind") or Campaign.Kind.VPR).strip()
    if kind in Campaign.Kind.values:
        return kind
    problem(
        _("кампания: вид «{kind}» неизвестен; допустимы: {kinds}").format(
            kind=kind, kinds=", ".join(Campaign.Kind.values)
        )
    )
    return Campaign.Kind.VPR


def _campaign_deadline(
    campaign: dict, problem, *, kind: str, window_end: datetime.date | None, default_tz
) -> datetime.datetime | None:
    deadline = _deadline(campaign.get("upload_deadline"), default_tz)
    if deadline is None and kind not in Campaign.FEDERAL_KINDS and campaign.get("upload_deadline") in (None, ""):
        pass  # not a federal procedure: no upload deadline needed
    elif deadline is None:
        problem(
            _(
                "кампания: срок загрузки «upload_deadline» должен быть датой и временем, например "
                "2026-05-25T23:59:00+05:00"
            )
        )
    elif window_end and deadline.date() < window_end:
        problem(_("кампания: срок загрузки результатов раньше конца окна проведения"))
    return deadline


def _campaign_criteria_open_time(campaign: dict, problem) -> datetime.time | None:
    if campaign.get("criteria_open_time") in (None, ""):
        return None
    try:
        return datetime.time.fromisoformat(str(campaign["criteria_open_time"]))
    except ValueError:
        problem(
            _("кампания: время открытия критериев «{value}» — нужно ЧЧ:ММ").format(value=campaign["criteria_open_time"])
        )
        return None


def _campaign_retention_days(campaign: dict, problem) -> int | None:
    if campaign.get("retention_days") in (None, ""):
        return None
    retention_days = _int(campaign["retention_days"])
    if retention_days is None or retention_days < 1:
        problem(_("кампания: срок хранения «retention_days» должен быть целым числом дней больше 0"))
    return retention_days


def parse_catalogue(data: dict, *, default_tz) -> CampaignSpec:
    """Checks a catalogue (as loaded from JSON or YAML) and returns its specs; refuses it naming every problem."""
    problems: list[Problem] = []

    def problem(message: str) -> None:
        problems.append(Problem(message))

    campaign = data.get("campaign")
    if not isinstance(campaign, dict):
        raise InputRefused([Problem(_("нет раздела «campaign» с описанием кампании"))])
    code = str(campaign.get("code") or "").strip()
    if not code or not CODE_RE.match(code):
        problem(_("кампания: код «{code}» не задан или содержит недопустимые символы").format(code=code))
    title = str(campaign.get("title") or "").strip() or code
    window_start, window_end = _campaign_window(campaign, problem)
    kind = _campaign_kind(campaign, problem)
    deadline = _campaign_deadline(campaign, problem, kind=kind, window_end=window_end, default_tz=default_tz)
    criteria_open_time = _campaign_criteria_open_time(campaign, problem)
    retention_days = _campaign_retention_days(campaign, problem)

    raw_assessments = data.get("assessments")
    if not isinstance(raw_assessments, list) or not raw_assessments:
        problem(_("нет ни одной работы в разделе «assessments»"))
        raw_assessments = []
    specs = []
    seen_codes: set[str] = set()
    for number, raw in enumerate(raw_assessments, start=1):
        spec = _parse_assessment(raw, number, problems, seen_codes)
        if spec is not None:
            specs.append(spec)
    if problems:
        raise InputRefused(problems)
    return CampaignSpec(
        code=code,
        title=title,
        window_start=window_start,
        window_end=window_end,
        upload_deadline=deadline,
        criteria_open_time=criteria_open_time,
        kind=kind,
        retention_days=retention_days,
        assessments=tuple(specs),
    )


RESULTS_FORM_LEADING = ("Код", "Класс", "Пол", "Вариант")
RESULTS_FORM_TRAILING = ("Отметка по журналу", "Первичный балл", "Отметка")


def task_column_header(label: str, max_points: int) -> str:
    """The results-form column of a task (docs/commands.md): `1 (2б)`, `3.1 (1б)`."""
    return f"{label} ({max_points}б)"


def results_form_columns(tasks) -> list[str]:
    """The header row of the results form for an assessment's tasks (objects with label and max_points)."""
    return [*RESULTS_FORM_LEADING, *(task_column_header(t.label, t.max_points) for t in tasks), *RESULTS_FORM_TRAILING]


def parse_assessment(raw: dict) -> AssessmentSpec:
    """Checks one assessment given as in the catalogue file (used by the browser editor)."""
    problems: list[Problem] = []
    spec = _parse_assessment(raw, 1, problems, set())
    if problems:
        raise InputRefused(problems)
    return spec


def _parse_tasks(raw_tasks, problem) -> list[TaskSpec]:
    if not isinstance(raw_tasks, list) or not raw_tasks:
        problem(_("нет заданий"))
        return []
    tasks = []
    labels: set[str] = set()
    for position, raw_task in enumerate(raw_tasks, start=1):
        if not isinstance(raw_task, dict):
            problem(_("задание №{n}: ожидался объект").format(n=position))
            continue
        task = _parse_task(raw_task, position, labels, problem)
        if task is not None:
            tasks.append(task)
    return tasks


def _parse_task(raw_task: dict, position: int, labels: set[str], problem) -> TaskSpec | None:
    label = str(raw_task.get("label") if raw_task.get("label") is not None else "").strip()
    task_where = _("задание «{label}»").format(label=label) if label else _("задание №{n}").format(n=position)
    if not label or not LABEL_RE.match(label):
        problem(_("{task}: номер не задан или недопустим").format(task=task_where))
    elif label in labels:
        problem(_("{task}: номер задания повторяется").format(task=task_where))
    labels.add(label)
    max_points = _int(raw_task.get("max"))
    if max_points is None or max_points < 1:
        problem(
            _("{task}: максимальный балл «{value}» должен быть целым числом не меньше 1").format(
                task=task_where, value=raw_task.get("max")
            )
        )
    difficulty = DIFFICULTIES.get(str(raw_task.get("level") or "Б").strip().upper())
    if difficulty is None:
        problem(
            _("{task}: уровень сложности «{value}»: нужно Б, П или В").format(
                task=task_where, value=raw_task.get("level")
            )
        )
    skill = str(raw_task.get("skill") or "").strip()[:300]
    if max_points is not None and max_points >= 1 and difficulty:
        return TaskSpec(label, max_points, difficulty, skill)
    return None


def _parse_scale(scale, tasks: list[TaskSpec], problem) -> dict[str, int]:
    """The lowest primary score of marks 3, 4 and 5: increasing, and reachable with the tasks' maxima."""
    parsed_scale: dict[str, int] = {}
    if not isinstance(scale, dict) or set(map(str, scale)) != {"3", "4", "5"}:
        problem(_("шкала «scale» должна задавать нижние границы отметок «3», «4» и «5»"))
        return parsed_scale
    for mark in ("3", "4", "5"):
        value = _int(scale.get(mark, scale.get(int(mark))))
        if value is None or value < 1:
            problem(_("шкала: граница отметки «{mark}» должна быть целым числом больше 0").format(mark=mark))
        else:
            parsed_scale[mark] = value
    if len(parsed_scale) < 3:
        return parsed_scale
    if not parsed_scale["3"] < parsed_scale["4"] < parsed_scale["5"]:
        problem(
            _("шкала должна возрастать: «3» = {a}, «4» = {b}, «5» = {c}").format(
                a=parsed_scale["3"], b=parsed_scale["4"], c=parsed_scale["5"]
            )
        )
    total = sum(task.max_points for task in tasks)
    if tasks and parsed_scale["5"] > total:
        problem(
            _("шкала: граница «5» = {value} больше максимального балла {total}").format(
                value=parsed_scale["5"], total=total
            )
        )
    return parsed_scale


def _parse_assessment(raw, number: int, problems: list[Problem], seen_codes: set[str]) -> AssessmentSpec | None:
    if not isinstance(raw, dict):
        problems.append(Problem(_("работа №{n}: ожидался объект").format(n=number)))
        return None
    code = str(raw.get("code") or "").strip()
    where = _("работа «{code}»").format(code=code) if code else _("работа №{n}").format(n=number)
    before = len(problems)

    def problem(message: str) -> None:
        problems.append(Problem(f"{where}: {message}"))

    if not code or not CODE_RE.match(code):
        problem(_("код не задан или содержит недопустимые символы"))
    elif code in seen_codes:
        problem(_("код повторяется"))
    seen_codes.add(code)
    subject = " ".join(str(raw.get("subject") or "").split())
    if not subject:
        problem(_("не указан предмет"))
    grade = _int(raw.get("grade"))
    if grade is None or not 1 <= grade <= 11:
        problem(_("класс «{value}» должен быть числом от 1 до 11").format(value=raw.get("grade")))
    level = LEVELS.get(str(raw.get("level") or "базовый").strip().lower())
    if level is None:
        problem(_("уровень «{value}»: нужно «базовый» или «углублённый»").format(value=raw.get("level")))
    form = FORMS.get(str(raw.get("form") or "paper").strip().lower())
    if form is None:
        problem(_("форма «{value}»: нужно paper или computer").format(value=raw.get("form")))
    duration = _int(raw.get("duration"))
    if duration is None or not 1 <= duration <= 600:
        problem(_("продолжительность «{value}» должна быть числом минут от 1 до 600").format(value=raw.get("duration")))

    tasks = _parse_tasks(raw.get("tasks"), problem)
    parsed_scale = _parse_scale(raw.get("scale"), tasks, problem)
    if len(problems) > before:
        return None
    return AssessmentSpec(code, subject, grade, level, form, duration, tuple(tasks), parsed_scale)
