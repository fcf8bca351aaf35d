"""The school's analytical справка on a campaign's results (Регламент 3.1, 9.1), PDF and editable DOCX from one
content.

The school's header (the department above it, its full name, address and code), a summary of its assessments, then
for each assessment of the campaign with results for the school: participation, marks against the municipality, the
primary scores' histogram, task completion, levels Б/П/В, skills with the weak (below 50 %) and the strong ones, mark
groups, the journal comparison (reports.report_sections), the dynamics over the campaigns held, the school's signals
with their cases, and the school's own conclusions and measures for it; then the general conclusions and measures,
the management decisions on the campaign, and lines to sign.

The department reads the справка too: classes appear by their names (4А), never a pupil's name (R11); small groups
have no percentages; nothing is ordered by results and no teacher is ranked (R15).

Its sources: the campaign's results (and those of the earlier campaigns its dynamics shows), the school's cases, the
conclusions' revision, the management decisions, the signals' thresholds and re-checks — a change of any makes a
built справка outdated, and the built version keeps what it was built with.
"""

import hashlib
from pathlib import Path

from django.utils import timezone
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from grading.cache import Version, cached, stamped
from grading.models import ResultsStamp
from monitoring.decisions import decisions_key, decisions_of_campaign
from monitoring.signals import department_thresholds, recheck_version
from procedures.models import Assessment, Campaign, Task
from schools.access import Capability
from schools.models import School

from .. import report_charts, report_doc, report_sections
from ..generation import ReportKind, cases_source, register_report, results_source
from ..report_doc import Heading, PageBreak, Paragraph, ReportDocument, Table
from ..report_sections import (
    assessments_with_results,
    figures_blocks,
    held_campaigns,
    school_assessment,
    share_high,
    signals_blocks,
    text_blocks,
    trend_blocks,
)
from ..school_conclusions import GENERAL, conclusions_of, conclusions_revision
from ..trends import trend_assessments

NAME = "school_report"
SIGNATURES = (gettext_noop("Директор"), gettext_noop("Ответственный за проведение ВПР"))
# the sections after the figures of each assessment (their headings: «{n}.9. Динамика по кампаниям» …)
LATER_SECTIONS = (
    gettext_noop("Динамика по кампаниям"),
    gettext_noop("Признаки необъективности и разборы"),
    gettext_noop("Выводы и меры школы"),
)


def title(campaign: Campaign, school: School | None) -> str:
    return _("Аналитическая справка {school}: {campaign}").format(school=school.code, campaign=campaign.title)


def filename(campaign: Campaign, school: School | None) -> str:
    return f"spravka-{school.code}-{campaign.code}"


# Sources -------------------------------------------------------------------------------------------------------


def decisions(campaign: Campaign, school: School) -> list:
    return decisions_of_campaign(campaign, school=school)


def source(campaign: Campaign, school: School | None) -> dict:
    earlier = sorted(
        ResultsStamp.objects.filter(assessment__campaign__in=held_campaigns(campaign).exclude(pk=campaign.pk))
        .values_list("assessment_id", "version")
        .order_by()
    )
    assessments = assessments_with_results(campaign, school)
    return {
        "results": results_source(campaign),
        "earlier_results": earlier,
        "cases": cases_source(campaign, school),
        "conclusions": conclusions_revision(campaign, school),
        "decisions": list(decisions_key(decisions(campaign, school))),
        "thresholds": department_thresholds(campaign.department_id)[1],
        "recheck": [recheck_version(assessment) for assessment in assessments],
        "school": [school.name, school.address, school.code, school.department.name],
    }


# Content -------------------------------------------------------------------------------------------------------


def _header(campaign: Campaign, school: School) -> ReportDocument:
    details = []
    if school.address:
        details.append(_("Адрес: {address}").format(address=school.address))
    details.append(_("Код ОО: {code}").format(code=school.code))
    return ReportDocument(
        title=_("Аналитическая справка по результатам всероссийских проверочных работ"),
        organisation=school.name,
        parent_organisation=school.department.name,
        details=tuple(details),
        campaign=_("Всероссийские проверочные работы — {title}").format(title=campaign.title),
        date=timezone.localdate(),
        running_title=_("Аналитическая справка {school} · {campaign}").format(
            school=school.code, campaign=campaign.title
        ),
        signatures=tuple(_(words) for words in SIGNATURES),
    )


def _summary_row(data) -> tuple:
    return (
        f"{data.assessment} ({data.assessment.code})",
        data.figures.participants,
        *(data.figures.marks[mark] for mark in ("2", "3", "4", "5")),
        share_high(data.figures),
        data.figures.mean_score,
        len(data.weak),
    )


def _summary(rows: list) -> Table:
    return Table(
        (
            _("Работа"),
            _("Участников"),
            "«2», %",
            "«3», %",
            "«4», %",
            "«5», %",
            _("«4»+«5», %"),
            _("Ср. балл"),
            _("Слабых умений"),
        ),
        tuple(rows),
        numeric=frozenset(range(1, 9)),
        widths=(3.7, 2.6, 1.4, 1.4, 1.4, 1.4, 1.8, 1.5, 1.8),
        caption=_("Сводка по работам кампании (в порядке каталога)."),
    )


def _decisions_blocks(campaign: Campaign, school: School, heading: str) -> list:
    blocks = [Heading(heading, 1)]
    found = decisions(campaign, school)
    if not found:
        blocks.append(Paragraph(_("Управленческих решений по итогам этой кампании не записано."), "note"))
        return blocks
    rows = []
    for decision in found:
        basis = decision.get_basis_display() + (f": {decision.assessment.code}" if decision.assessment_id else "")
        basis += f" ({decision.skill})" if decision.skill else ""
        level = _("школа") if decision.school_id else _("муниципальное")
        state = decision.get_status_display() + (f": {decision.outcome}" if decision.outcome else "")
        rows.append(
            (
                _("{text} Основание: {basis}; {level}.").format(text=decision.text, basis=basis, level=level),
                decision.responsible,
                decision.due_on.strftime("%d.%m.%Y"),
                state,
            )
        )
    blocks.append(
        Table(
            (_("Что решено"), _("Ответственный"), _("Срок"), _("Статус и результат")),
            tuple(rows),
            widths=(7, 3.2, 2.2, 3.6),
            caption=_("Управленческие решения по итогам кампании: школы и муниципальные (по сроку)."),
        )
    )
    return blocks


# what the cached parts are drawn by: a change of this code (after a deployment) draws them anew
CODE_VERSION = hashlib.sha256(
    b"".join(Path(module.__file__).read_bytes() for module in (report_sections, report_charts, report_doc))
    + Path(__file__).read_bytes()
).hexdigest()[:12]


def figures_part(assessment: Assessment, school: School, index: int) -> tuple[tuple, list]:
    """The assessment's summary row and its figures' and dynamics' blocks (sections {index}.1–{index}.9, the charts
    drawn). They change only with the results of the assessment and of its series' earlier ones (and the catalogue,
    the campaigns' titles), so they are kept in the results' cache (grading.cache) under those stamps: a справка
    built again after new conclusions, cases or decisions draws no chart again."""
    series = trend_assessments(assessment, held_campaigns(assessment.campaign))
    catalogue = (
        assessment.code,
        str(assessment),
        assessment.level,
        repr(sorted(assessment.scale.items())) if isinstance(assessment.scale, dict) else repr(assessment.scale),
        tuple(
            Task.objects.filter(assessment=assessment)
            .order_by("position")
            .values_list("label", "max_points", "difficulty", "skill")
        ),
    )
    key = (
        school.pk,
        index,
        Version("catalogue", catalogue),
        Version("series", tuple((item.pk, item.campaign.title) for item in series)),
        Version("language", get_language()),
        Version("code", CODE_VERSION),
        *stamped([assessment.pk, *(item.pk for item in series)]),
    )

    def compute() -> tuple[tuple, list]:
        data = school_assessment(assessment, school)
        blocks = [
            *figures_blocks(data, str(index)),
            *trend_blocks(assessment, school, f"{index}.9. {_(LATER_SECTIONS[0])}"),
        ]
        return _summary_row(data), blocks

    return cached("school_report_figures", key, compute)


def content(campaign: Campaign, school: School | None, progress) -> ReportDocument:
    school = School.objects.select_related("department").get(pk=school.pk)
    assessments = assessments_with_results(campaign, school)
    total = len(assessments) + 1
    conclusions = conclusions_of(campaign, school)
    doc = _header(campaign, school)
    doc.add(
        Paragraph(
            _(
                "Справка подготовлена по результатам работ кампании, загруженным в портал (Регламент 3.1, 9.1). "
                "Показатели — по присутствовавшим участникам с полностью проверенной работой, как в ФИС ОКО; "
                "муниципалитет — все участники работы во всех школах, эта школа тоже. Классы названы по их "
                "обозначению; фамилии обучающихся в справку не входят."
            )
        )
    )
    if conclusions.revision:
        doc.add(
            Paragraph(
                _("Выводы школы: редакция {number} от {when}.").format(
                    number=conclusions.revision,
                    when=timezone.localtime(conclusions.updated_at).strftime("%d.%m.%Y %H:%M"),
                ),
                "note",
            )
        )
    parts = []
    for index, assessment in enumerate(assessments, start=1):
        parts.append(figures_part(assessment, school, index))
        progress(index, total + len(assessments))
    if not parts:
        doc.add(Paragraph(_("Результатов школы в этой кампании пока нет."), "warning"))
    else:
        doc.add(Heading(_("Сводка по работам"), 1), _summary([row for row, _blocks in parts]))
    for index, (assessment, (_row, blocks)) in enumerate(zip(assessments, parts, strict=True), start=1):
        if index > 1:  # each assessment from a new page; the first one follows the summary
            doc.add(PageBreak())
        doc.add(
            Heading(_("{n}. {assessment} ({code})").format(n=index, assessment=assessment, code=assessment.code), 1),
        )
        doc.add(*blocks)
        later = iter(_(words) for words in LATER_SECTIONS[1:])
        doc.add(*signals_blocks(assessment, school, f"{index}.10. {next(later)}"))
        doc.add(Heading(f"{index}.11. {next(later)}", 2))
        doc.add(
            Heading(_("Выводы"), 3),
            *text_blocks(conclusions.text(assessment.pk, "conclusions"), empty=_("Выводы не записаны.")),
        )
        doc.add(
            Heading(_("Меры / рекомендации"), 3),
            *text_blocks(conclusions.text(assessment.pk, "measures"), empty=_("Меры не записаны.")),
        )
        progress(len(assessments) + index, total + len(assessments))
    part = len(assessments) + 1
    doc.add(PageBreak(), Heading(_("{n}. Общие выводы и меры").format(n=part), 1))
    doc.add(
        Heading(_("Выводы"), 2), *text_blocks(conclusions.text(GENERAL, "conclusions"), empty=_("Выводы не записаны."))
    )
    doc.add(
        Heading(_("Меры / рекомендации"), 2),
        *text_blocks(conclusions.text(GENERAL, "measures"), empty=_("Меры не записаны.")),
    )
    doc.add(*_decisions_blocks(campaign, school, _("{n}. Управленческие решения").format(n=part + 1)))
    progress(1, 1)
    return doc


register_report(
    ReportKind(
        name=NAME,
        title=title,
        content=content,
        source=source,
        capability=Capability.VIEW_SCHOOL_REPORT,
        filename=filename,
    )
)
