"""The school's results of one assessment through the results form (docs/commands.md): export, and the import that
replaces them.

Import is all or nothing. The file is read and checked first (`results_form_read`: every problem of the file,
`grading.results_form`), then `results_import` writes in one transaction, in bulk: scores (a changed cell gets
version + 1, a new one version 1), one ScoreChange (source «import») for every cell whose recorded value changes
and for every journal mark that changes, the participants' variant and absence, each work's journal mark, primary
score, mark and completeness through `work_recompute`, and the school's summary rows (grading/summaries.py).
A first value in an empty cell has no history row of its own — the import's audit entry counts the cells — so
that the first form of a school does not write a history row per cell (240,000 for a 10,000-row form); a journal
mark's history is kept even from empty, since it is the mark's version (grading/services/journal.py).
Re-importing the same file writes nothing at all (no history, no audit entry). The rows go in by COPY on
PostgreSQL and by one prepared statement over every row on SQLite (`_insert_rows`, `_update_rows`), not the
ORM's bulk_create and bulk_update, whose per-batch SQL compilation alone took seconds for a 2,000-row form.

«While it is still open»: a form is accepted from the moment grading of each class it changes has opened (R10)
until the campaign is closed (Campaign.Status.CLOSED); a corrected file replaces the previous results cell by
cell, with its history. A participant missing from the file keeps what was recorded. Works already submitted by
an expert are replaced only with a reason (as in the grid), which the score history keeps: the school's form is
the result that goes to ФИС ОКО.

Two imports of the same school and assessment at once run one after the other (`_results_lock`), each comparing
its file with what the other wrote.
"""

import datetime
import io
from collections import defaultdict
from dataclasses import dataclass, field
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grading.models import Score, ScoreChange, Work
from grading.results_form import FormRow, ParsedForm, form_parse, form_rows, form_write
from grading.selectors import results as selectors
from grading.services.entry import grading_open_check
from grading.services.scores import work_recompute, works_ensure
from grading.summaries import summaries_refresh
from procedures.models import Assessment, Campaign, Participant, Task
from schools.models import School, User
from schools.services import audit_record
from vpr_portal.tables import InputRefused, Problem, Table

NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"
REASON_MAX_LENGTH = ScoreChange._meta.get_field("reason").max_length


def results_check_school(*, assessment: Assessment, school: School) -> None:
    """The school belongs to the department that runs the assessment's campaign."""
    if school.department_id != assessment.campaign.department_id:
        raise ValidationError(
            _("Школа {school} не относится к управлению, которое проводит кампанию {campaign}.").format(
                school=school.code, campaign=assessment.campaign.code
            )
        )


def results_check_open(*, assessment: Assessment, school: School) -> None:
    """Results are accepted while the campaign is not closed."""
    results_check_school(assessment=assessment, school=school)
    if assessment.campaign.status == Campaign.Status.CLOSED:
        raise ValidationError(
            _("Кампания {campaign} завершена: результаты работы {assessment} больше не принимаются.").format(
                campaign=assessment.campaign.code, assessment=assessment.code
            )
        )


# Export ----------------------------------------------------------------------------------------------------


def results_form_export(*, assessment: Assessment, school: School, output: BinaryIO, filled: bool) -> int:
    """Writes the school's results form of the assessment into `output`; returns the number of rows.

    The blank form has codes, classes and sex; the filled one (for ФИС ОКО) also the variant or «отсутствовал»,
    the scores («X» for a task not attempted), the journal mark, the primary score and the mark. Makes sure every
    participant who writes has a Work, so that the grid and the import find one. Refused while some participant
    has no code yet, and when the school has no participant of the assessment."""
    results_check_school(assessment=assessment, school=school)
    participants = selectors.writing_participants(assessment=assessment, school=school)
    total = participants.count()
    if not total:
        raise ValidationError(
            _("В школе {school} нет участников работы {assessment}: проверьте назначение классов и участников.").format(
                school=school.code, assessment=assessment.code
            )
        )
    without_code = participants.filter(code="").count()
    if without_code:
        raise ValidationError(
            _("Участников работы {assessment} без кода участника: {n}. Сначала выдайте коды.").format(
                n=without_code, assessment=assessment.code
            )
        )
    works_ensure(assessment=assessment, school=school)
    tasks = selectors.form_tasks(assessment)
    rows = selectors.form_participants(assessment=assessment, school=school, tasks=tasks)
    return form_write(
        output,
        tasks=tasks,
        rows=form_rows(rows, task_count=len(tasks), filled=filled),
        title=f"{assessment.code} {school.code}",
    )


def results_form_filename(*, assessment: Assessment, school: School, filled: bool) -> str:
    prefix = _("ФИС_ОКО") if filled else _("Форма")
    return f"{prefix}_{assessment.code}_{school.code}.xlsx"


# Import ----------------------------------------------------------------------------------------------------


def results_form_read(*, assessment: Assessment, school: School, table: Table) -> ParsedForm:
    """Checks a read table against the assessment's tasks and the school's participants (three queries); raises
    InputRefused with every problem of the file."""
    results_check_school(assessment=assessment, school=school)
    writing, exempt = selectors.form_codes(assessment=assessment, school=school)
    return form_parse(table, tasks=selectors.form_tasks(assessment), writing_codes=writing, exempt_codes=exempt)


@dataclass(frozen=True)
class RowOutcome:
    """What the import does to one row: new (no result recorded yet), changed or unchanged."""

    row: int
    code: str
    class_name: str
    status: str
    changes: tuple[str, ...] = ()


class _ScoreState:
    """A recorded score as the plan needs it: light, because a school's form has tens of thousands of cells.
    Quacks like Score for `work_recompute` (value, not_attempted, points)."""

    __slots__ = ("pk", "value", "not_attempted", "version")

    def __init__(self, pk: int | None, value: int | None, not_attempted: bool, version: int):
        self.pk, self.value, self.not_attempted, self.version = pk, value, not_attempted, version

    @property
    def points(self) -> int:
        return self.value or 0

    @property
    def text(self) -> str:
        if self.not_attempted:
            return "X"
        return "" if self.value is None else str(self.value)


class _ParticipantState:
    """A participant as the plan reads and changes it (tens of thousands of rows: no model instances)."""

    __slots__ = ("pk", "code", "class_name", "variant", "absent")

    def __init__(self, pk: int, code: str, class_name: str, variant: int | None, absent: bool):
        self.pk, self.code, self.class_name, self.variant, self.absent = pk, code, class_name, variant, absent


class _WorkState:
    """A work as the plan reads and changes it; quacks like Work for `work_recompute` (its participant's
    absence, primary score, mark, completeness). `pk` is None for a work not created yet (a preview)."""

    __slots__ = ("pk", "participant", "journal_mark", "primary_score", "mark", "is_complete", "submitted_at")

    def __init__(
        self, pk, participant, journal_mark=None, primary_score=None, mark=None, is_complete=False, submitted_at=None
    ):
        self.pk, self.participant, self.journal_mark = pk, participant, journal_mark
        self.primary_score, self.mark, self.is_complete = primary_score, mark, is_complete
        self.submitted_at = submitted_at


@dataclass
class ResultsPlan:
    """Every write an import would make, computed without writing, as rows of values:

    - scores_to_create: (work, task id, value, not attempted, version)
    - scores_to_update: (value, not attempted, version, score id)
    - history: (work, task id or None, field, old, new): changes of a recorded value and of the journal mark
    - works_to_update, participants_to_update: the changed works and participants (light states: pk and the
      fields the import writes). A work of a participant with no Work yet has pk None until the import
      creates it, with its result, in one statement; the rows above name the work's state for that.
    """

    rows: list[RowOutcome] = field(default_factory=list)
    scores_to_create: list[tuple] = field(default_factory=list)
    scores_to_update: list[tuple] = field(default_factory=list)
    history: list[tuple] = field(default_factory=list)
    works_to_update: list[_WorkState] = field(default_factory=list)
    participants_to_update: list[_ParticipantState] = field(default_factory=list)
    not_in_file: int = 0
    cells: int = 0  # task cells that change, a first value included
    # codes of works already submitted by their expert whose scores (or absence) the form would change
    submitted_changed: list[str] = field(default_factory=list)

    def _count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def new(self) -> int:
        return self._count(NEW)

    @property
    def changed(self) -> int:
        """Rows that change (new included): the summary's «изменено»."""
        return self.new + self._count(CHANGED)

    @property
    def unchanged(self) -> int:
        return self._count(UNCHANGED)

    # ImportView's wording: «добавлено», «обновлено», «без изменений».
    @property
    def created(self) -> int:
        return self.new

    @property
    def updated(self) -> int:
        return self._count(CHANGED)

    @property
    def has_changes(self) -> bool:
        return any(row.status != UNCHANGED for row in self.rows)

    @property
    def changed_classes(self) -> set[str]:
        """The classes of the rows that change: R10 must be open for each of them."""
        return {row.class_name for row in self.rows if row.status != UNCHANGED}

    @property
    def needs_reason(self) -> bool:
        return bool(self.submitted_changed)


def _yes_no(value: bool) -> str:
    return _("да") if value else _("нет")


def _recorded_scores(*, assessment: Assessment, school: School) -> dict[int, dict[int, _ScoreState]]:
    """work id → task id → the recorded score of the school's works of the assessment, in one query."""
    result: dict[int, dict[int, _ScoreState]] = defaultdict(dict)
    rows = Score.objects.filter(work__assessment=assessment, work__school=school).values_list(
        "pk", "work_id", "task_id", "value", "not_attempted", "version"
    )
    for pk, work_id, task_id, value, not_attempted, version in rows.iterator(chunk_size=10000):
        result[work_id][task_id] = _ScoreState(pk, value, not_attempted, version)
    return result


class _TaskState:
    """A task as the plan reads it for every cell: plain attributes (a model's `pk` is a property)."""

    __slots__ = ("pk", "label", "max_points")

    def __init__(self, task: Task):
        self.pk, self.label, self.max_points = task.pk, task.label, task.max_points


def _plan_scores(
    plan: ResultsPlan, *, work: _WorkState, work_scores: dict, tasks: list[_TaskState], form_row: FormRow
) -> list[str]:
    """Plans the writes of the row's task cells that differ from the recorded scores (updating `work_scores` to
    the new state); returns the changes as the row's summary shows them."""
    if not work_scores:  # nothing recorded yet (a school's first form): every filled cell is a first value
        filled = [(task, cell) for task, cell in zip(tasks, form_row.cells, strict=True) if not cell.is_empty]
        plan.cells += len(filled)
        plan.scores_to_create.extend((work, task.pk, cell.value, cell.not_attempted, 1) for task, cell in filled)
        work_scores.update((task.pk, cell) for task, cell in filled)  # a Cell quacks like a score
        return [f"{task.label}: — → {cell.text}" for task, cell in filled]
    changes: list[str] = []
    for task, cell in zip(tasks, form_row.cells, strict=True):
        score = work_scores.get(task.pk)
        old_text = score.text if score is not None else ""
        new_text = cell.text
        if old_text == new_text:
            continue
        changes.append(f"{task.label}: {old_text or '—'} → {new_text or '—'}")
        plan.cells += 1
        if score is None:
            # a first value is not a change: no history row, the import's audit entry counts it
            work_scores[task.pk] = cell  # a Cell quacks like a score for work_recompute
            plan.scores_to_create.append((work, task.pk, cell.value, cell.not_attempted, 1))
            continue
        if old_text:
            plan.history.append((work, task.pk, "score", old_text, new_text))
        score.value, score.not_attempted, score.version = cell.value, cell.not_attempted, score.version + 1
        plan.scores_to_update.append((cell.value, cell.not_attempted, score.version, score.pk))
    return changes


def results_plan(*, assessment: Assessment, school: School, form: ParsedForm, lock: bool = False) -> ResultsPlan:
    """Compares the form with what is recorded; four queries whatever the size of the form. With `lock` the
    works are read FOR UPDATE (inside `results_import`'s transaction)."""
    tasks = [_TaskState(task) for task in selectors.form_tasks(assessment)]
    absent_change, variant_change = _("отсутствовал: {old} → {new}"), _("вариант: {old} → {new}")
    journal_change = _("отметка по журналу: {old} → {new}")
    participants = {
        row[1]: _ParticipantState(*row)
        for row in selectors.writing_participants(assessment=assessment, school=school).values_list(
            "pk", "code", "class_name", "variant", "absent"
        )
    }
    works_query = Work.objects.filter(assessment=assessment, school=school)
    if lock:
        works_query = works_query.select_for_update(of=("self",))
    works = {
        participant_id: (pk, *result)
        for participant_id, pk, *result in works_query.values_list(
            "participant_id", "pk", "journal_mark", "primary_score", "mark", "is_complete", "submitted_at"
        )
    }
    scores = _recorded_scores(assessment=assessment, school=school)
    plan = ResultsPlan()
    seen: set[int] = set()
    for form_row in form.rows:
        participant = participants.get(form_row.code)
        if participant is None:  # checked by results_form_read; the list changed in between
            message = _("участника с кодом {code} нет среди участников этой работы в школе").format(code=form_row.code)
            raise InputRefused([Problem(message, row=form_row.row)])
        seen.add(participant.pk)
        recorded = works.get(participant.pk)
        # the participant's state itself: work_recompute reads the new absence from it
        work = _WorkState(recorded[0], participant, *recorded[1:]) if recorded else _WorkState(None, participant)
        work_scores = scores.get(work.pk, {}) if work.pk else {}
        had_result = (
            participant.absent
            or work.journal_mark is not None
            or any(s.value is not None or s.not_attempted for s in work_scores.values())
        )
        changes: list[str] = []
        participant_absent_before = participant.absent

        if form_row.absent != participant.absent:
            changes.append(absent_change.format(old=_yes_no(participant.absent), new=_yes_no(form_row.absent)))
            participant.absent = form_row.absent
        if form_row.variant is not None and form_row.variant != participant.variant:
            changes.append(variant_change.format(old=participant.variant or "—", new=form_row.variant))
            participant.variant = form_row.variant
        if changes:
            plan.participants_to_update.append(participant)

        journal_changed = form.has_journal and form_row.journal_mark != work.journal_mark
        if journal_changed:
            old, new = work.journal_mark, form_row.journal_mark
            changes.append(journal_change.format(old=old or "—", new=new or "—"))
            plan.history.append(
                (work, None, "journal_mark", "" if old is None else str(old), "" if new is None else str(new))
            )
            work.journal_mark = new

        scores_changed = _plan_scores(plan, work=work, work_scores=work_scores, tasks=tasks, form_row=form_row)
        changes.extend(scores_changed)
        changes_result = form_row.absent != participant_absent_before or bool(scores_changed)

        work_recompute(work, tasks=tasks, scores=work_scores, assessment=assessment)
        if changes:  # the work's result changed: totals, journal mark, variant or absence (results_changed_at)
            plan.works_to_update.append(work)
        if changes_result and work.submitted_at is not None:
            plan.submitted_changed.append(participant.code)

        status = UNCHANGED if not changes else (CHANGED if had_result else NEW)
        plan.rows.append(RowOutcome(form_row.row, participant.code, participant.class_name, status, tuple(changes)))
    plan.not_in_file = len({p.pk for p in participants.values()} - seen)
    return plan


# Writing many rows. Django's bulk_create and bulk_update compile SQL for every batch of SQLite's 999
# parameters (about 140 scores), which alone took seconds for one school's form. On SQLite a statement prepared once
# runs over every row (executemany). On PostgreSQL the rows go in by COPY, the fastest way in (a 10,000-row form
# has some 240,000 cells): new rows straight into the table, changed rows into a temporary table and then one
# UPDATE … FROM it.


def _copy_text(value) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy(cursor, table: str, columns: list[str], rows: list[tuple], constants: tuple = ()) -> None:
    """COPY `rows` (each followed by `constants`, the same for every row) into `table`."""
    tail = "".join("\t" + _copy_text(value) for value in constants) + "\n"
    # ids and points are most of the values: formatted inline, without a call each
    lines = ["\t".join([str(v) if type(v) is int else _copy_text(v) for v in row]) for row in rows]
    text = tail.join(lines) + tail
    cursor.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", io.StringIO(text))


def _columns(model, fields: list[str]) -> list[str]:
    quote = connection.ops.quote_name
    return [quote(model._meta.get_field(name).column) for name in fields]


def _insert_rows(model, fields: list[str], rows: list[tuple], constants: tuple = ()) -> None:
    """Inserts `rows`, each followed by `constants`, as values of `fields`."""
    if not rows:
        return
    table, columns = connection.ops.quote_name(model._meta.db_table), _columns(model, fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy(cursor, table, columns, rows, constants)
        else:
            values = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({values})"
            cursor.executemany(sql, [(*row, *constants) for row in rows])


def _update_rows(model, fields: list[str], rows: list[tuple], constants: tuple = ()) -> None:
    """`rows` are the new values of `fields` (the last ones given by `constants`, the same for every row) and then
    the primary key."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table, columns, pk = quote(model._meta.db_table), _columns(model, fields), quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            changing = columns[: len(columns) - len(constants)]
            staging = "pg_temp." + quote(f"import_{model._meta.db_table}")  # never a table of the schema
            cursor.execute(f"DROP TABLE IF EXISTS {staging}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS SELECT {pk}, {', '.join(changing)} FROM {table}"
                " WITH NO DATA"
            )
            _copy(cursor, staging, [*changing, pk], [(*row[: len(changing)], row[-1]) for row in rows])
            assignments = [f"{column} = s.{column}" for column in changing]
            assignments += [f"{column} = %s" for column in columns[len(changing) :]]
            cursor.execute(
                f"UPDATE {table} SET {', '.join(assignments)} FROM {staging} s WHERE {table}.{pk} = s.{pk}",
                list(constants),
            )
        else:
            assignments = ", ".join(f"{column} = %s" for column in columns)
            sql = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"
            cursor.executemany(sql, [(*row[:-1], *constants, row[-1]) for row in rows])


def _plan_write(plan: ResultsPlan, *, assessment: Assessment, school: School, actor: User | None, reason: str) -> None:
    at = connection.ops.adapt_datetimefield_value(timezone.now())
    by = actor.pk if actor is not None and actor.pk else None
    existing = [w for w in plan.works_to_update if w.pk is not None]
    created = [w for w in plan.works_to_update if w.pk is None]
    # new works go in with their result (an insert and then an update would write every row twice)
    _insert_rows(
        Work,
        ["participant", "journal_mark", "primary_score", "mark", "is_complete"]
        + ["assessment", "school", "results_changed_at", "updated_at"],
        [(w.participant.pk, w.journal_mark, w.primary_score, w.mark, w.is_complete) for w in created],
        constants=(assessment.pk, school.pk, at, at),
    )
    if created:
        ids = dict(Work.objects.filter(assessment=assessment, school=school).values_list("participant_id", "pk"))
        for work in created:
            work.pk = ids[work.participant.pk]
    _update_rows(
        Work,
        ["journal_mark", "primary_score", "mark", "is_complete", "results_changed_at", "updated_at"],
        [(w.journal_mark, w.primary_score, w.mark, w.is_complete, w.pk) for w in existing],
        constants=(at, at),
    )
    _insert_rows(
        Score,
        ["work", "task", "value", "not_attempted", "version", "updated_at", "updated_by"],
        [(work.pk, *rest) for work, *rest in plan.scores_to_create],
        constants=(at, by),
    )
    _update_rows(
        Score,
        ["value", "not_attempted", "version", "updated_at", "updated_by"],
        plan.scores_to_update,
        constants=(at, by),
    )
    _insert_rows(
        ScoreChange,
        ["work", "task", "field", "old", "new", "source", "reason", "changed_by", "changed_at"],
        [(work.pk, *rest) for work, *rest in plan.history],
        constants=(ScoreChange.Source.IMPORT.value, reason, by, at),
    )
    _update_rows(Participant, ["variant", "absent"], [(p.variant, p.absent, p.pk) for p in plan.participants_to_update])


class ReasonRequired(ValidationError):
    """The form would change works an expert has already submitted, and no reason was given."""

    def __init__(self, codes: list[str]):
        self.codes = codes
        super().__init__(
            _(
                "Форма меняет баллы работ, уже сданных экспертом ({n}): {codes}. Укажите причину изменения: она "
                "сохранится в истории баллов."
            ).format(n=len(codes), codes=", ".join(codes)),
            code="reason_required",
        )


def _results_lock(*, assessment: Assessment, school: School) -> None:
    """Serialises the writes of one school's results of one assessment, until the transaction ends: taken first,
    so that each import compares its file with what the one before it wrote. On PostgreSQL a transaction-level
    advisory lock keyed by the school and the assessment (other schools and assessments are not held up); SQLite
    runs every write transaction as BEGIN IMMEDIATE, one writer at a time, so it is serialised already."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"grading.results:{school.pk}:{assessment.pk}"]
            )
    elif connection.vendor != "sqlite":
        School.objects.select_for_update().filter(pk=school.pk).first()


@transaction.atomic
def results_import(
    *,
    assessment: Assessment,
    school: School,
    form: ParsedForm,
    actor: User | None,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> ResultsPlan:
    """Replaces the school's results of the assessment with a checked form, in bulk, in one transaction.

    Imports of the same school and assessment run one after another (`_results_lock`, taken first), and the
    comparison with what is recorded is made after the lock, so two files at once never mix and a file imported
    twice at once changes things once. Refused when the campaign is closed; before grading of a class whose rows
    change has opened (R10, `grading_open_check`); and, without a `reason`, when the form would change the
    scores of works an expert has submitted (`ReasonRequired`; the reason goes into the score history). Writes
    nothing when the form changes nothing."""
    results_check_open(assessment=assessment, school=school)
    _results_lock(assessment=assessment, school=school)
    plan = results_plan(assessment=assessment, school=school, form=form, lock=True)
    if not plan.has_changes:
        return plan
    grading_open_check(assessment=assessment, school=school, class_names=plan.changed_classes, now=now)
    reason = reason.strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(_("Причина изменения длиннее {n} символов: сократите её.").format(n=REASON_MAX_LENGTH))
    if plan.needs_reason and not reason:
        raise ReasonRequired(plan.submitted_changed)
    _plan_write(plan, assessment=assessment, school=school, actor=actor, reason=reason)
    works_ensure(assessment=assessment, school=school)  # the participants not in the file have their Work too
    summaries_refresh(school_id=school.pk, assessment_ids=[assessment.pk])
    audit_record(
        actor=actor,
        action="results.imported",
        target=assessment,
        target_label=assessment.code,
        school=school,
        after={
            "rows": len(plan.rows),
            "new": plan.new,
            "changed": plan.updated,
            "unchanged": plan.unchanged,
            "cells": plan.cells,
            # the reason itself is in the score history; the audit, read by the department, keeps the count
            **({"submitted_changed": len(plan.submitted_changed)} if plan.needs_reason else {}),
        },
        source="import",
    )
    return plan


def results_not_open(*, assessment: Assessment, school: School, plan: ResultsPlan) -> list[str]:
    """For a preview: why the import of this plan would be refused now under R10 (empty when it would not)."""
    if not plan.has_changes:
        return []
    try:
        grading_open_check(assessment=assessment, school=school, class_names=plan.changed_classes)
    except ValidationError as error:
        return list(error.messages)
    return []


def results_summary(*, assessment: Assessment, school: School, plan: ResultsPlan) -> str:
    """The command's one line: «sch660001, RU-4: строк 57, изменено 57, без изменений 0.»"""
    line = _("{school}, {assessment}: строк {rows}, изменено {changed}, без изменений {unchanged}.").format(
        school=school.code,
        assessment=assessment.code,
        rows=len(plan.rows),
        changed=plan.changed,
        unchanged=plan.unchanged,
    )
    if plan.not_in_file:
        line += " " + _("Нет в файле участников: {n}, их результаты не изменены.").format(n=plan.not_in_file)
    return line
