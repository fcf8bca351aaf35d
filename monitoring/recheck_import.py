"""The re-check commission's scores from a file (`import_recheck`, docs/commands.md, docs/recheck.md): the results-form
layout with rows only for the re-checked works, the commission's final scores (after any third expert).

The file is read with the results form's reader (grading.results_form, through `results_form_read`: the columns of
this assessment's form, each score 0…max or «X», a code given once, a participant of this school who writes it;
`Отметка по журналу` may be absent and is ignored), then checked against the originals: each code a present
participant with a result, its `Вариант` equal to the original's. Every problem refuses the whole file (exit 1),
naming the row and column; nothing is written.

Then, in one transaction: the school × assessment is selected for re-check (reason «файл комиссии») unless it was
already; each work gets its `RecheckWork` (the original total and mark frozen when first seen) with the file's
scores as the commission's final: round «first» (the third expert's round when the work went to one, so that the
final result is what the file says), each changed cell with its version + 1 and a history row (source «file»),
and the work's re-check and final totals and marks, status final. A work whose scores and result are already what
the file says is not touched: re-importing the same file changes nothing. The selection is completed once every
work of it has its final result (`selection_completed`). The original results (grading's scores,
ФИС ОКО's) are never changed.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grading.models import Work
from grading.results_form import CODE, VARIANT, ParsedForm
from grading.services.results import results_form_read
from monitoring.models import RecheckScore, RecheckScoreChange, RecheckSelection, RecheckWork
from procedures.models import Assessment
from schools.models import School, User
from schools.services import audit_record
from vpr_portal.tables import InputRefused, Problem, Table

Status, Round = RecheckWork.Status, RecheckScore.Round


@dataclass
class RecheckImport:
    works: int  # rows of the file
    created: int  # works re-checked for the first time
    changed: int  # works whose final result or scores changed (the new ones included)
    cells: int  # task scores written
    selected: bool  # the pair became selected by this file


def _problems(form: ParsedForm, works: dict[str, Work], column_of: dict[str, str]) -> list[Problem]:
    """What the originals refuse: a code absent or without a result, a variant other than the original's."""
    problems = []
    for row in form.rows:
        work = works.get(row.code)
        participant = work.participant if work is not None else None
        if row.absent or (participant is not None and participant.absent):
            message = _("участник {code} отсутствовал: его работы нет среди перепроверяемых").format(code=row.code)
            problems.append(Problem(message, row=row.row, column=column_of[CODE]))
            continue
        if work is None or work.primary_score is None or work.mark is None:
            message = _("у участника {code} нет результата работы: перепроверять нечего").format(code=row.code)
            problems.append(Problem(message, row=row.row, column=column_of[CODE]))
            continue
        if row.variant != participant.variant:
            original = participant.variant if participant.variant is not None else "—"
            given = row.variant if row.variant is not None else _("пусто")
            message = _("вариант {given}, а в работе участника {code} вариант {original}").format(
                given=given, code=row.code, original=original
            )
            problems.append(Problem(message, row=row.row, column=column_of[VARIANT]))
    return problems


def _header_names(table: Table) -> dict[str, str]:
    """The file's own spelling of the code and variant columns (for the messages)."""
    from vpr_portal.tables import normalise_header

    names = {CODE: CODE, VARIANT: VARIANT}
    for header in table.headers:
        for name in (CODE, VARIANT):
            if normalise_header(header) == normalise_header(name):
                names[name] = header
    return names


def _text(value: int | None, not_attempted: bool) -> str:
    return "X" if not_attempted else ("" if value is None else str(value))


def _store_row(
    recheck_work: RecheckWork, row, *, assessment: Assessment, tasks, scores: dict, actor: User | None, now
) -> int | None:
    """The file's row as the work's final result: the changed cells (with history) and the totals. Returns the
    cells written, or None when the work already has exactly this result (nothing written)."""
    has_third = any(key[0] == recheck_work.pk and key[1] == Round.THIRD for key in scores)
    round_ = Round.THIRD if has_third else Round.FIRST
    total = sum(cell.points for cell in row.cells)
    mark = assessment.mark_for(total)
    written = 0
    for task, cell in zip(tasks, row.cells, strict=True):
        score = scores.get((recheck_work.pk, round_, task.pk))
        old = _text(score.value, score.not_attempted) if score is not None else ""
        if score is not None and old == cell.text:
            continue
        if score is None:
            score = RecheckScore(recheck_work=recheck_work, round=round_, task=task)
        score.value = None if cell.not_attempted else cell.value
        score.not_attempted = cell.not_attempted
        score.version += 1
        score.updated_at, score.updated_by = now, actor
        score.save()
        RecheckScoreChange.objects.create(
            recheck_work=recheck_work,
            round=round_,
            task=task,
            old=old,
            new=cell.text,
            source=RecheckScoreChange.Source.FILE,
            changed_at=now,
            changed_by=actor,
        )
        written += 1
    result = {"status": Status.FINAL, "final_primary_score": total, "final_mark": mark}
    if round_ == Round.FIRST:
        result |= {"recheck_primary_score": total, "recheck_mark": mark}
    stale = any(getattr(recheck_work, name) != value for name, value in result.items())
    if not written and not stale and recheck_work.decided_at is not None:
        return None
    for name, value in result.items():
        setattr(recheck_work, name, value)
    recheck_work.scored_at = recheck_work.scored_at or now
    recheck_work.decided_at = now
    recheck_work.save()
    return written


def recheck_import(*, assessment: Assessment, school: School, table: Table, actor: User | None) -> RecheckImport:
    """Reads and stores the commission's final scores of the school's works of the assessment (see the module);
    raises InputRefused with every problem of the file, writing nothing."""
    from monitoring.commission import selection_completed
    from monitoring.recheck import recheck_for, selection_add

    form = results_form_read(assessment=assessment, school=school, table=table)
    codes = [row.code for row in form.rows]
    works = {
        work.participant.code: work
        for work in Work.objects.filter(assessment=assessment, school=school, participant__code__in=codes)
        .select_related("participant")
        .order_by("pk")
    }
    problems = _problems(form, works, _header_names(table))
    if problems:
        raise InputRefused(problems)
    tasks = list(assessment.tasks.order_by("position"))
    with transaction.atomic():
        recheck = recheck_for(assessment.campaign, by=actor)
        selection = RecheckSelection.objects.filter(recheck=recheck, school=school, assessment=assessment).first()
        selected = selection is None
        if selected:
            selection = selection_add(
                recheck,
                school,
                assessment,
                RecheckSelection.Reason.FILE,
                by=actor,
                reason_text=_("Баллы комиссии загружены из файла"),
            )
        existing = {
            rw.work_id: rw
            for rw in RecheckWork.objects.select_for_update().filter(work__in=[works[code] for code in codes])
        }
        scores: dict[tuple[int, str, int], RecheckScore] = {
            (score.recheck_work_id, score.round, score.task_id): score
            for score in RecheckScore.objects.filter(recheck_work__in=existing.values())
        }
        now = timezone.now()
        created = changed = cells = 0
        for row in form.rows:
            work = works[row.code]
            recheck_work = existing.get(work.pk)
            if recheck_work is None:
                recheck_work = RecheckWork.objects.create(
                    selection=selection,
                    work=work,
                    original_primary_score=work.primary_score,
                    original_mark=work.mark,
                )
                created += 1
            written = _store_row(
                recheck_work, row, assessment=assessment, tasks=tasks, scores=scores, actor=actor, now=now
            )
            if written is not None:
                changed += 1
                cells += written
        if changed:
            selection_completed(selection)
            audit_record(
                actor=actor,
                action="recheck.imported",
                target=selection,
                school=school,
                department=recheck.department,
                after={"works": len(form.rows), "changed": changed, "cells": cells},
                source="file",
            )
    return RecheckImport(works=len(form.rows), created=created, changed=changed, cells=cells, selected=selected)


def recheck_import_summary(*, assessment: Assessment, school: School, result: RecheckImport) -> str:
    return _(
        "Перепроверка {assessment} {school}: работ в файле {works}, изменено {changed} (впервые {created}), "
        "баллов записано {cells}."
    ).format(
        assessment=assessment.code,
        school=school.code,
        works=result.works,
        changed=result.changed,
        created=result.created,
        cells=result.cells,
    )
