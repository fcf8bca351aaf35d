"""Score entry around `score_set` (Регламент 7.1, 7.6, 7.7): one grid cell with the R10 opening and the
expert's lock, the expert's submission, and the coordinator's journal marks.

- R10: nothing is entered before grading of the class opens (`grading_open_check`, the one check that the grid's
  cell, the browser import and `import_results` call: the criteria hour of the day the class writes, the
  school's local time).
- Submission: the expert submits their works of an assessment at a school once every present participant's
  work is graded; the works are then locked (`Work.submitted_at`). The expert can no longer change them; the
  school coordinator can, giving a reason (`score_set` refuses a change of a submitted work without one).
- Journal marks (2–5 or empty) are the coordinator's; each change is in the score history
  (ScoreChange field="journal_mark").
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grading.models import Score, ScoreChange, Work
from grading.selectors.entry import grading_opening, is_open
from grading.services.scores import score_set
from grading.summaries import RESULTS, summaries_refresh
from procedures.models import Assessment, Participant, Task
from schools.models import School, User
from schools.services import audit_record

JOURNAL_MARKS = (2, 3, 4, 5)


def opening_refusal(opens_at: datetime.datetime | None, *, school: School, class_name: str = "") -> str:
    """Why nothing may be entered yet (R10), in the school's local time."""
    if opens_at is None:
        return _("Дата проведения работы в школе не назначена: проверка ещё не открыта.")
    local = timezone.localtime(opens_at, school.tzinfo)
    date, time = local.strftime("%d.%m.%Y"), local.strftime("%H:%M")
    if class_name:
        return _("Класс {class_name}: проверка откроется {date} в {time} по местному времени школы.").format(
            class_name=class_name, date=date, time=time
        )
    return _("Проверка откроется {date} в {time} по местному времени школы.").format(date=date, time=time)


def grading_open_check(
    *,
    assessment: Assessment,
    school: School,
    class_names: Iterable[str],
    now: datetime.datetime | None = None,
    name_classes: bool = True,
) -> None:
    """R10 on every write of scores (the grid's cell, the results form in the browser and from the command
    line): refuses, with the opening time of each class not open yet, when grading of one of `class_names` has
    not opened (`GradingOpening`: the criteria hour of the day the class writes, the school's local time)."""
    opening = grading_opening(assessment=assessment, school=school)
    now = now or timezone.now()
    closed = sorted({name for name in class_names if not is_open(opening.opens_at(name), now=now)})
    if closed:
        raise ValidationError(
            [
                opening_refusal(opening.opens_at(name), school=school, class_name=name if name_classes else "")
                for name in closed
            ]
        )


@dataclass(frozen=True)
class CellSaved:
    score: Score
    primary_score: int | None
    mark: int | None
    is_complete: bool


def grid_cell_save(
    *,
    work: Work,
    task: Task,
    raw,
    actor: User,
    base_version: int | None,
    as_manager: bool,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> CellSaved:
    """Saves one grid cell through `score_set` once grading is open (R10). An expert (`as_manager` False)
    may not change a submitted work; the school coordinator may, with a reason. Raises ValidationError with
    the reason, or ScoreConflict when the cell changed since `base_version`. `base_version` is required: a
    save that does not say which value it replaces could overwrite another person's value unseen."""
    if base_version is None:
        raise ValidationError(
            _("Не указана версия ячейки (base_version): обновите страницу и введите балл ещё раз."),
            code="base_version",
        )
    grading_open_check(
        assessment=work.assessment,
        school=work.school,
        class_names=[work.participant.class_name],
        now=now,
        name_classes=False,
    )
    if not as_manager:
        if work.is_locked:
            raise ValidationError(_("Работы сданы: изменить балл может только школьный координатор, указав причину."))
        reason = ""
    score = score_set(work=work, task=task, raw=raw, actor=actor, base_version=base_version, reason=reason)
    # score_set leaves the stored total, mark and completeness on `work`
    return CellSaved(score, work.primary_score, work.mark, work.is_complete)


@transaction.atomic
def works_submit(*, assessment: Assessment, school: School, actor: User) -> int:
    """The expert (`actor`) submits their works of the assessment at the school: every present participant's
    work must be fully graded. Locks them (submitted_at); returns how many."""
    works = list(
        Work.objects.select_for_update(of=("self",))
        .filter(expert__user=actor, assessment=assessment, school=school, submitted_at__isnull=True)
        .select_related("participant")
        .order_by("participant__class_name", "participant__code")
    )
    if not works:
        raise ValidationError(_("Нет несданных работ."))
    incomplete = [w.participant.code for w in works if not w.participant.absent and not w.is_complete]
    if incomplete:
        codes = ", ".join(incomplete[:20]) + ("…" if len(incomplete) > 20 else "")
        raise ValidationError(
            _("Проверены не все работы (осталось: {n}): {codes}. Сдать можно, когда оценены все задания.").format(
                n=len(incomplete), codes=codes
            )
        )
    now = timezone.now()
    for work in works:
        work.submitted_at = work.updated_at = now
    Work.objects.bulk_update(works, ["submitted_at", "updated_at"])
    audit_record(
        actor=actor,
        action="grading.submitted",
        target=assessment,
        school=school,
        target_label=f"{assessment.code} — {assessment}",
        after={"works": len(works), "codes": [w.participant.code for w in works]},
    )
    return len(works)


def journal_mark_parse(raw) -> int | None:
    """A journal mark as typed: 2…5 or empty."""
    text = "" if raw is None else str(raw).strip()
    if text == "":
        return None
    if text.isdigit() and int(text) in JOURNAL_MARKS:
        return int(text)
    raise ValidationError(_("Отметка по журналу — 2, 3, 4 или 5 (или пусто), а не «{value}».").format(value=text))


@transaction.atomic
def journal_mark_set(*, participant: Participant, mark: int | None, actor: User) -> Work:
    """Records a participant's journal mark (2–5 or None) on their work, creating the work if it does not
    exist yet; a change is kept in the score history."""
    if mark is not None and mark not in JOURNAL_MARKS:
        raise ValidationError(_("Отметка по журналу — 2, 3, 4 или 5 (или пусто)."))
    if participant.status != Participant.Status.WRITES:
        raise ValidationError(_("Участник {code} освобождён от работы.").format(code=participant.code))
    work, _created = Work.objects.select_for_update().get_or_create(
        participant=participant,
        defaults={"assessment_id": participant.assessment_id, "school_id": participant.school_id},
    )
    if work.journal_mark == mark:
        return work
    old = work.journal_mark
    work.journal_mark = mark
    work.results_changed_at = timezone.now()
    work.save(update_fields=["journal_mark", "results_changed_at", "updated_at"])
    ScoreChange.objects.create(
        work=work,
        field="journal_mark",
        old="" if old is None else str(old),
        new="" if mark is None else str(mark),
        source=ScoreChange.Source.GRID,
        changed_by=actor,
    )
    if work.is_complete and not participant.absent:
        # a counted work's journal mark is in the journal comparison: its class's summary rows follow
        summaries_refresh(
            school_id=work.school_id,
            assessment_ids=[work.assessment_id],
            class_name=participant.class_name,
            parts=(RESULTS,),
        )
    return work
