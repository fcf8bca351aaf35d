"""The core of grading: what a cell may hold, a work's total and mark, and saving one score.

Every other way of writing scores (the grid, the results form, the re-check) goes through `cell_parse` and
`work_recompute`, so a figure is the same wherever it is computed.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grading.models import Score, ScoreChange, Work
from grading.summaries import WORK_PARTS, summaries_refresh
from procedures.models import Assessment, Participant, Task
from schools.models import School, User

NOT_ATTEMPTED = {"X", "Х", "x", "х"}  # Latin and Cyrillic


@dataclass(frozen=True)
class Cell:
    """A parsed cell: points, or «X» (not attempted, counts 0), or empty (not graded yet)."""

    value: int | None
    not_attempted: bool = False

    @property
    def is_empty(self) -> bool:
        return self.value is None and not self.not_attempted

    @property
    def text(self) -> str:
        if self.not_attempted:
            return "X"
        return "" if self.value is None else str(self.value)

    @property
    def points(self) -> int:
        return self.value or 0


def _text_points(text: str, *, max_points: int) -> int:
    """The whole number a typed cell holds («3», «3,0», «3.0»); raises ValidationError otherwise."""
    normalised = text.replace(",", ".")
    if normalised.lstrip("-").isdigit():
        return int(normalised)
    try:
        number = float(normalised)
    except ValueError:
        raise ValidationError(
            _("«{value}» — не балл: нужно целое число от 0 до {max} или X").format(value=text, max=max_points)
        ) from None
    if not number.is_integer():
        raise ValidationError(_("балл {value} не целый").format(value=text))
    return int(number)


def cell_parse(raw, *, max_points: int) -> Cell:
    """Reads what an expert typed or a form cell holds; raises ValidationError with the reason in Russian."""
    if raw is None:
        return Cell(None)
    if isinstance(raw, bool):
        raise ValidationError(_("«{value}» — не балл").format(value=raw))
    if isinstance(raw, float):
        if not raw.is_integer():
            raise ValidationError(_("балл {value} не целый").format(value=str(raw).replace(".", ",")))
        value = int(raw)
    elif isinstance(raw, int):
        value = raw
    else:
        text = str(raw).strip()
        if text == "":
            return Cell(None)
        if text in NOT_ATTEMPTED:
            return Cell(None, not_attempted=True)
        value = _text_points(text, max_points=max_points)
    if value < 0:
        raise ValidationError(_("балл {value} меньше нуля").format(value=value))
    if value > max_points:
        raise ValidationError(_("балл {value} больше максимума {max}").format(value=value, max=max_points))
    return Cell(value)


def work_recompute(work: Work, *, tasks: list[Task], scores: dict[int, Score], assessment: Assessment) -> None:
    """Sets the work's primary score, mark and completeness from its scores («X» counts 0; docs/glossary.md).

    An absent participant has no result. Does not save.
    """
    if work.participant.absent:
        work.primary_score = work.mark = None
        work.is_complete = False
        return
    recorded = [scores.get(t.pk) for t in tasks]
    graded = [score for score in recorded if score is not None and (score.value is not None or score.not_attempted)]
    work.is_complete = len(graded) == len(tasks)
    if not graded:
        work.primary_score = work.mark = None
        return
    work.primary_score = sum(score.points for score in graded)
    work.mark = assessment.mark_for(work.primary_score) if work.is_complete else None


def works_ensure(*, assessment: Assessment, school: School) -> int:
    """Creates the Work of every participant who writes the assessment at the school; returns how many. One
    INSERT … SELECT, whatever the number of participants (a 10,000-row form's import creates them all)."""
    quote = connection.ops.quote_name
    work, participant = quote(Work._meta.db_table), quote(Participant._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {work} (participant_id, assessment_id, school_id, is_complete, updated_at)"
            f" SELECT p.id, p.assessment_id, p.school_id, %s, %s FROM {participant} p"
            f" WHERE p.assessment_id = %s AND p.school_id = %s AND p.status = %s"
            f" AND NOT EXISTS (SELECT 1 FROM {work} w WHERE w.participant_id = p.id)"
            f" ORDER BY p.class_name, p.code, p.id",
            [
                False,
                connection.ops.adapt_datetimefield_value(timezone.now()),
                assessment.pk,
                school.pk,
                Participant.Status.WRITES.value,
            ],
        )
        return cursor.rowcount


class ScoreConflict(Exception):
    """Someone else changed the cell since it was loaded: nothing is overwritten silently."""

    def __init__(self, score: Score):
        super().__init__(_("Балл уже изменён другим пользователем: сейчас «{value}».").format(value=str(score)))
        self.score = score


@transaction.atomic
def score_set(
    *,
    work: Work,
    task: Task,
    raw,
    actor: User | None,
    base_version: int | None = None,
    source: str = ScoreChange.Source.GRID,
    reason: str = "",
) -> Score:
    """Saves one cell. `base_version` is the version the editor loaded: if the cell changed since, the save
    is refused with ScoreConflict (two people on one cell never lose a value silently). A change to a
    submitted work needs a reason. Every change is recorded in the score history."""
    if task.assessment_id != work.assessment_id:
        raise ValidationError(_("Задание из другой работы."))
    locked_work = (
        Work.objects.select_for_update(of=("self",)).select_related("participant", "assessment").get(pk=work.pk)
    )
    # The maximum is read after the work's lock, never taken from the caller's (possibly stale) object: a
    # catalogue change locks the assessment's works before it checks recorded scores against a lowered maximum,
    # so the two serialise on the work row (no lock on the task row, which every expert of the region shares).
    # The assessment's tasks are read once, for the maximum and for the new total.
    tasks = list(locked_work.assessment.tasks.all())
    task = next((t for t in tasks if t.pk == task.pk), None)
    if task is None:
        raise ValidationError(_("Задание удалено из работы: обновите страницу."))
    cell = cell_parse(raw, max_points=task.max_points)
    if locked_work.participant.absent:
        raise ValidationError(_("Участник отсутствовал: баллы не ставятся."))
    if locked_work.is_locked and not reason.strip():
        raise ValidationError(_("Работа уже сдана экспертом: для изменения укажите причину."))
    score, _created = Score.objects.select_for_update().get_or_create(work=locked_work, task=task)
    if base_version is not None and score.version != base_version:
        raise ScoreConflict(score)
    old = str(score)
    if old == cell.text:
        _show_result(work, locked_work)
        return score
    score.value, score.not_attempted = cell.value, cell.not_attempted
    score.version += 1
    score.updated_at = timezone.now()
    score.updated_by = actor
    score.save()
    ScoreChange.objects.create(
        work=locked_work, task=task, old=old, new=cell.text, source=source, reason=reason.strip(), changed_by=actor
    )
    scores = {s.task_id: s for s in locked_work.scores.all()}
    was_counted = locked_work.is_complete
    work_recompute(locked_work, tasks=tasks, scores=scores, assessment=locked_work.assessment)
    locked_work.results_changed_at = score.updated_at
    locked_work.save(update_fields=["primary_score", "mark", "is_complete", "results_changed_at", "updated_at"])
    if (was_counted or locked_work.is_complete) and locked_work.participant.status == Participant.Status.WRITES:
        # the figures count this work (or did): its class's summary rows follow, in this transaction
        summaries_refresh(
            school_id=locked_work.school_id,
            assessment_ids=[locked_work.assessment_id],
            class_name=locked_work.participant.class_name,
            parts=WORK_PARTS,
        )
    _show_result(work, locked_work)
    return score


def _show_result(work: Work, locked_work: Work) -> None:
    """The caller's instance shows the total, mark and completeness as stored, without reading the work again."""
    work.primary_score, work.mark = locked_work.primary_score, locked_work.mark
    work.is_complete = locked_work.is_complete
