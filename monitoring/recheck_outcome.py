"""The outcome of a re-check (Регламент 8.9; docs/recheck.md): the commission's protocol (PDF) and the spreadsheet of
original vs re-check per work and per task, with the marker agreement (monitoring/agreement.py).

Participants by code only (R11): no pupil's name is read here. Selections by school code then assessment code,
works by participant code, experts by name (R15: never by a result or a figure).
"""

import io
from dataclasses import dataclass, field
from fractions import Fraction

from django.utils.translation import gettext as _

from grading.figures import round_half_up
from grading.models import Score
from monitoring.agreement import Agreement, marker_agreement
from monitoring.models import CommissionMember, Recheck, RecheckScore, RecheckSelection, RecheckWork
from procedures.models import Task

Status, Round = RecheckWork.Status, RecheckScore.Round


@dataclass
class WorkRow:
    code: str
    variant: int | None
    original_score: int | None
    original_mark: int | None
    recheck_score: int | None
    recheck_mark: int | None
    third_expert: str  # the third expert's name, "" when none
    final_score: int | None
    final_mark: int | None
    status: str

    @property
    def is_final(self) -> bool:
        return self.status == Status.FINAL and self.final_mark is not None

    @property
    def changed(self) -> bool | None:
        """Whether the final mark differs from the original one; None until the result is final."""
        return self.final_mark != self.original_mark if self.is_final else None

    @property
    def difference(self) -> int | None:
        if not self.is_final or self.original_score is None:
            return None
        return self.original_score - self.final_score


@dataclass
class SelectionRows:
    selection: RecheckSelection
    works: list[WorkRow] = field(default_factory=list)


@dataclass
class Outcome:
    recheck: Recheck
    members: list[CommissionMember]
    chair: CommissionMember | None
    selections: list[SelectionRows]
    works: int  # with a final result
    changed: int  # of them, with another mark
    share: float | None

    @property
    def all_works(self) -> int:
        return sum(len(s.works) for s in self.selections)


def recheck_works_of(recheck: Recheck):
    return RecheckWork.objects.filter(selection__recheck=recheck)


def recheck_outcome(recheck: Recheck) -> Outcome:
    """The protocol's data: the commission, each selection with its works, the summary. A fixed number of
    queries."""
    members = list(
        recheck.members.select_related("staff__school").order_by("-is_chair", "staff__last_name", "staff__first_name")
    )
    chair = next((m for m in members if m.is_chair), None)
    selections = {
        s.pk: SelectionRows(s)
        for s in recheck.selections.select_related("school", "assessment__subject").order_by(
            "school__code", "assessment__code", "pk"
        )
    }
    works = (
        recheck_works_of(recheck)
        .select_related("work__participant", "third_expert__staff")
        .order_by("work__participant__code", "pk")
    )
    for rw in works:
        selections[rw.selection_id].works.append(
            WorkRow(
                code=rw.work.participant.code,
                variant=rw.work.participant.variant,
                original_score=rw.original_primary_score,
                original_mark=rw.original_mark,
                recheck_score=rw.recheck_primary_score,
                recheck_mark=rw.recheck_mark,
                third_expert=rw.third_expert.staff.full_name if rw.third_expert_id else "",
                final_score=rw.final_primary_score,
                final_mark=rw.final_mark,
                status=rw.status,
            )
        )
    final = [w for s in selections.values() for w in s.works if w.is_final]
    changed = sum(1 for w in final if w.changed)
    return Outcome(
        recheck=recheck,
        members=members,
        chair=chair,
        selections=list(selections.values()),
        works=len(final),
        changed=changed,
        share=round_half_up(Fraction(100 * changed, len(final))) if final else None,
    )


def task_rows(recheck: Recheck) -> list[tuple]:
    """(school code, assessment code, participant code, task label, max, original points, final points) of every
    re-checked work's every task, by school, assessment, code and the task's position; the final points empty
    until the work's result is final (the third expert's where they scored, else the first round's; «X» 0)."""
    works = list(
        recheck_works_of(recheck)
        .select_related("work__participant", "work__school", "work__assessment")
        .order_by("work__school__code", "work__assessment__code", "work__participant__code", "pk")
    )
    originals: dict[tuple[int, int], int] = {}
    original_scores = Score.objects.filter(work__recheck__selection__recheck=recheck)
    for work_id, task_id, value, not_attempted in original_scores.values_list(
        "work_id", "task_id", "value", "not_attempted"
    ):
        if value is not None or not_attempted:
            originals[(work_id, task_id)] = 0 if not_attempted else value
    finals: dict[tuple[int, int], int] = {}
    thirds: set[tuple[int, int]] = set()
    for rw_id, task_id, round_, value, not_attempted in (
        RecheckScore.objects.filter(recheck_work__selection__recheck=recheck, recheck_work__status=Status.FINAL)
        .values_list("recheck_work_id", "task_id", "round", "value", "not_attempted")
        .order_by("round")  # «first» before «third»: the third round's points replace the first's
    ):
        if value is None and not not_attempted:
            continue
        key = (rw_id, task_id)
        if round_ == Round.THIRD or key not in thirds:
            finals[key] = 0 if not_attempted else value
        if round_ == Round.THIRD:
            thirds.add(key)
    tasks: dict[int, list[Task]] = {}
    for task in Task.objects.filter(assessment_id__in={rw.work.assessment_id for rw in works}).order_by("position"):
        tasks.setdefault(task.assessment_id, []).append(task)
    rows = []
    for rw in works:
        for task in tasks.get(rw.work.assessment_id, []):
            rows.append(
                (
                    rw.work.school.code,
                    rw.work.assessment.code,
                    rw.work.participant.code,
                    task.label,
                    task.max_points,
                    originals.get((rw.work_id, task.pk)),
                    finals.get((rw.pk, task.pk)),
                )
            )
    return rows


def _yes_no(value: bool | None) -> str:
    return "" if value is None else (_("да") if value else _("нет"))


def outcome_xlsx(recheck: Recheck, *, agreement: Agreement | None = None) -> bytes:
    """The spreadsheet: «Работы» (per work original, re-check and final), «Задания» (per work × task original vs
    final), «Согласованность» (each original expert's figures and per task). Codes only (R11)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from vpr_portal.excel import safe_row

    outcome = recheck_outcome(recheck)
    agreement = agreement if agreement is not None else marker_agreement(recheck_works_of(recheck))
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    def header(sheet, names: list[str]) -> None:
        cells = []
        for name in names:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)

    works = workbook.create_sheet(_("Работы"))
    header(
        works,
        [
            _("Школа"),
            _("Работа"),
            _("Код"),
            _("Вариант"),
            _("Исходный балл"),
            _("Исходная отметка"),
            _("Балл перепроверки"),
            _("Отметка перепроверки"),
            _("Третий эксперт"),
            _("Итоговый балл"),
            _("Итоговая отметка"),
            _("Отметка изменилась"),
            _("Разница баллов (исходный − итоговый)"),
        ],
    )
    for block in outcome.selections:
        for w in block.works:
            works.append(
                safe_row(
                    [
                        block.selection.school.code,
                        block.selection.assessment.code,
                        w.code,
                        w.variant,
                        w.original_score,
                        w.original_mark,
                        w.recheck_score,
                        w.recheck_mark,
                        _yes_no(bool(w.third_expert)),
                        w.final_score if w.is_final else None,
                        w.final_mark if w.is_final else None,
                        _yes_no(w.changed),
                        w.difference,
                    ]
                )
            )

    tasks = workbook.create_sheet(_("Задания"))
    header(
        tasks,
        [
            _("Школа"),
            _("Работа"),
            _("Код"),
            _("Задание"),
            _("Максимум"),
            _("Исходный балл"),
            _("Итоговый балл"),
            _("Разница"),
        ],
    )
    for school, assessment, code, label, maximum, original, final in task_rows(recheck):
        difference = original - final if original is not None and final is not None else None
        tasks.append(safe_row([school, assessment, code, label, maximum, original, final, difference]))

    figures = workbook.create_sheet(_("Согласованность"))
    header(
        figures,
        [
            _("Эксперт"),
            _("Школа эксперта"),
            _("Задание"),
            _("Работ"),
            _("Оценок заданий"),
            _("Точное совпадение, %"),
            _("Расхождение не более 1 балла, %"),
            _("Средняя разница (исходный − итоговый)"),
            _("κ по отметкам"),
        ],
    )
    for card in agreement.experts:
        name = card.name or _("эксперт не указан")
        figures.append(
            safe_row(
                [
                    name,
                    card.school_code,
                    _("все"),
                    card.works,
                    card.pairs,
                    card.exact,
                    card.adjacent,
                    card.mean_difference,
                    card.kappa,
                ]
            )
        )
        for task in card.tasks:
            figures.append(
                safe_row(
                    [
                        name,
                        card.school_code,
                        task.label,
                        None,
                        task.n,
                        task.exact,
                        task.adjacent,
                        task.mean_difference,
                        None,
                    ]
                )
            )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
