"""The department's municipal report: one xlsx for a campaign (`export_municipal_report`, docs/commands.md, and the
same download on the department's overview page).

One sheet per assessment of the campaign, named by the assessment's code. A header row, then one row per school
that has results (at least one present participant with a complete result), ordered by the school's code and
never by a result (R15, `grading.rules.unranked`), then the municipality's row: `Код` «муниципалитет», `Школа`
the department's short name. Each row's figures are `grading.figures`' — the very functions `results_figures`
prints — so every number equals the command's: participants, absent, the share of each mark 2…5, the mean
primary score, each task's completion, the journal comparison (lower, confirmed, higher), numbers rounded to one
decimal. A figure without a value is an empty cell: the journal comparison when nobody has a journal mark, every
share and the mean when nobody has a result. `Признаки` lists the kinds of the school's objectivity signals
(monitoring.signals), comma-separated, in the order the signals come; the municipality's row has none of its own.

Codes and the schools' short names only: no pupil's name (R11). Every text is written through `safe_cell`
(a school named `=…` stays text). The queries are bounded per assessment, whatever the number of schools.

With `hide_small` (the browser download, a department view; docs/glossary.md, «Показатели») a group under 5
participants gets no percentages and no mean, as on the department's results pages; when that hides exactly one
school, the smallest other school is hidden too, so that the municipality's row does not give the hidden
figures away by subtraction (complementary suppression).
"""

from dataclasses import dataclass, field
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from grading.figures import MARKS, Figures, assessment_figures, assessment_tasks, figures_by_school
from grading.results_form import sheet_title
from grading.rules import unranked
from procedures.models import Assessment, Campaign
from schools.models import School
from vpr_portal.excel import safe_cell

from .selectors import signal_kinds
from .suppression import hidden_schools, too_small

PERCENT_FORMAT = "0.0"


def municipal_report_columns(task_labels: list[str]) -> list[str]:
    """The header row of an assessment's sheet."""
    return [
        _("Код"),
        _("Школа"),
        _("Участников"),
        _("Отсутствовали"),
        *(_("«{mark}», %").format(mark=mark) for mark in MARKS),
        _("Средний балл"),
        *task_labels,
        _("Понизили, %"),
        _("Подтвердили, %"),
        _("Повысили, %"),
        _("Признаки"),
    ]


@dataclass
class MunicipalReport:
    workbook: object  # openpyxl Workbook (write-only)
    sheets: int = 0
    school_ids: set = field(default_factory=set)


def municipal_report_workbook(campaign: Campaign, *, hide_small: bool = False):
    """The campaign's municipal report as an openpyxl Workbook (write-only: save it once)."""
    return municipal_report(campaign, hide_small=hide_small).workbook


def municipal_report(campaign: Campaign, *, hide_small: bool = False) -> MunicipalReport:
    """The workbook and what it holds (sheets, schools). Refused for a campaign without assessments."""
    from openpyxl import Workbook

    assessments = list(Assessment.objects.filter(campaign=campaign).select_related("campaign__department"))
    if not assessments:
        raise ValidationError(_("В кампании {campaign} нет проверочных работ.").format(campaign=campaign.code))
    report = MunicipalReport(Workbook(write_only=True))
    for assessment in assessments:
        _write_sheet(report, assessment, hide_small=hide_small)
    return report


def municipal_report_write(campaign: Campaign, output: BinaryIO, *, hide_small: bool = False) -> MunicipalReport:
    """Writes the report into `output`; returns what it holds."""
    report = municipal_report(campaign, hide_small=hide_small)
    report.workbook.save(output)
    return report


def municipal_report_filename(campaign: Campaign) -> str:
    return _("Муниципальный_отчёт_{campaign}.xlsx").format(campaign=campaign.code)


def _write_sheet(report: MunicipalReport, assessment: Assessment, *, hide_small: bool) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    tasks = assessment_tasks(assessment)
    by_school = {pk: f for pk, f in figures_by_school(assessment=assessment, tasks=tasks).items() if f.participants}
    municipality = assessment_figures(assessment=assessment, tasks=tasks)
    schools = unranked(School.objects.filter(pk__in=by_school).only("pk", "code", "short_name"), by=lambda s: s)
    hidden = hidden_schools(by_school, schools) if hide_small else set()
    kinds = _signal_kinds(assessment)
    labels = [task.label for task in tasks]

    sheet = report.workbook.create_sheet(sheet_title(assessment.code))
    sheet.freeze_panes = "C2"
    bold = Font(bold=True)
    header = []
    for title in municipal_report_columns(labels):
        cell = WriteOnlyCell(sheet, value=safe_cell(title))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for school in schools:
        figures = by_school[school.pk]
        cells = _figure_cells(figures, labels, hidden=school.pk in hidden)
        sheet.append(_row(sheet, [school.code, school.short_name], cells, kinds.get(school.code, "")))
    department = assessment.campaign.department
    hide_municipality = hide_small and too_small(municipality)
    cells = _figure_cells(municipality, labels, hidden=hide_municipality)
    sheet.append(_row(sheet, [_("муниципалитет"), department.short_name], cells, ""))
    report.sheets += 1
    report.school_ids.update(by_school)


def _row(sheet, who: list, cells: list, kinds: str) -> list:
    """One row: who (code, name) as text, the figures (one decimal shown), the signals' kinds."""
    from openpyxl.cell import WriteOnlyCell

    row = [safe_cell(value) for value in who]
    for value in cells:
        if isinstance(value, float):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = PERCENT_FORMAT
            row.append(cell)
        else:
            row.append(value)
    row.append(safe_cell(kinds) or None)
    return row


def _figure_cells(figures: Figures, labels: list[str], *, hidden: bool) -> list:
    """Участников, Отсутствовали, the marks' shares, the mean, the tasks' completion, the journal comparison;
    None (an empty cell) where a figure has no value or is hidden."""
    shown = figures.participants > 0 and not hidden and not figures.percentages_hidden
    journal = figures.journal
    compared = shown and journal.n > 0
    return [
        figures.participants,
        figures.absent,
        *(figures.marks[mark] if shown else None for mark in MARKS),
        figures.mean_score if shown else None,
        *(figures.tasks[label] if shown else None for label in labels),
        *(value if compared else None for value in (journal.lower, journal.confirmed, journal.higher)),
    ]


def _signal_kinds(assessment: Assessment) -> dict[str, str]:
    """school code → the kinds of its signals of the assessment, comma-separated, in the order computed."""
    return {code: ", ".join(names) for code, names in signal_kinds(assessment).items()}
