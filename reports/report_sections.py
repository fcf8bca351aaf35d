"""Reusable sections of the analytical reports: one school's figures of one assessment beside the municipality's
(participation, marks, the primary scores' histogram, task completion, levels Б/П/В, skills with the weak and the
strong ones, mark groups, the journal comparison), the dynamics over the campaigns, and the school's signals with
their cases — each a list of `reports.report_doc` blocks: a table, and a chart where a person would rather look.

Every figure is read through grading's one computation (grading.selectors.drilldown.school_drilldown, the numbers of
`results_figures`; reports.trends.school_trend; monitoring.signals.assessment_signals) and never recomputed. The
school's report is read by the department too, so the figures are those the department sees: by class names and
codes only (no pupil's name anywhere, R11), a group under 5 participants without percentages (and its complement).
Classes follow their names and schools their codes; nothing is ordered by results (R15), no teacher is named.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from grading.figures import HIDDEN_BELOW, MARKS, SMALL_SAMPLE, Figures, percent
from grading.models import ResultSummary
from grading.selectors.drilldown import Drilldown, Group, school_drilldown
from monitoring.evidence import evidence_rows
from monitoring.models import SignalCase
from monitoring.signals import Signal, assessment_signals, signal_label
from procedures.models import Assessment, Campaign, Task
from schools.models import School

from . import report_charts
from .report_doc import Block, Bullets, Heading, Paragraph, Table
from .trends import school_trend

WEAK_BELOW = 50.0  # a skill completed below this (%) is weak (the design's rule)
STRONG_FROM = 75.0  # … from this, strong
LEVEL_NAMES = {"Б": "базовый (Б)", "П": "повышенный (П)", "В": "высокий (В)"}


# Reading -------------------------------------------------------------------------------------------------------


def assessments_with_results(campaign: Campaign, school: School) -> list[Assessment]:
    """The campaign's assessments in which the school has a counted result, in catalogue order (grade, subject,
    code). One query."""
    ids = ResultSummary.objects.filter(assessment__campaign=campaign, school=school, mark__isnull=False).values(
        "assessment_id"
    )
    return list(
        Assessment.objects.filter(pk__in=ids)
        .select_related("subject", "campaign")
        .order_by("grade", "subject__name", "code")
    )


@dataclass(frozen=True)
class SkillRow:
    skill: str
    labels: tuple[str, ...]
    school: float | None
    municipality: float | None

    @property
    def words(self) -> str:
        return self.skill or _("без указания умения")


@dataclass(frozen=True)
class SchoolAssessment:
    """One assessment's figures of a school, as the department sees them, beside the municipality's."""

    assessment: Assessment
    tasks: list[Task]
    drill: Drilldown
    skills: list[SkillRow]

    @property
    def school(self) -> Group:
        return self.drill.school

    @property
    def municipality(self) -> Group:
        return self.drill.municipality

    @property
    def figures(self) -> Figures:
        return self.drill.school.figures

    @property
    def weak(self) -> list[SkillRow]:
        return [row for row in self.skills if row.skill and row.school is not None and row.school < WEAK_BELOW]

    @property
    def strong(self) -> list[SkillRow]:
        return [row for row in self.skills if row.skill and row.school is not None and row.school >= STRONG_FROM]


def school_assessment(assessment: Assessment, school: School) -> SchoolAssessment:
    """The school's figures of the assessment (a fixed number of queries)."""
    tasks = list(Task.objects.filter(assessment=assessment).order_by("position"))
    drill = school_drilldown(assessment=assessment, school=school, tasks=tasks, department=True)
    municipal = {group.key: group.share for group in drill.municipality.skills}
    skills = [SkillRow(g.key, g.labels, g.share, municipal.get(g.key)) for g in drill.school.skills]
    return SchoolAssessment(assessment, tasks, drill, skills)


def number(value) -> str:
    """A figure in words' text: one decimal with a comma (as the tables print), «—» when hidden."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


def _evidence_value(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):  # a share prints with one decimal, a probability (p, p0) with its digits
        return (f"{value:.1f}" if round(value, 1) == value else f"{value:g}").replace(".", ",")
    return str(value)


# Sections of one assessment ------------------------------------------------------------------------------------


def _groups(data: SchoolAssessment) -> list[tuple[str, Group]]:
    """The rows of a table: the school (the whole parallel), each class by name, the municipality."""
    return [
        (_("Школа (вся параллель)"), data.school),
        *((_("Класс {name}").format(name=group.class_name), group) for group in data.drill.classes),
        (_("Муниципалитет"), data.municipality),
    ]


def participation_blocks(data: SchoolAssessment, heading: str) -> list[Block]:
    rows = []
    for label, group in _groups(data):
        figures = group.figures
        present = figures.participants + figures.not_graded
        rows.append((label, present + figures.absent, present, figures.absent, figures.participants))
    blocks: list[Block] = [
        Heading(heading, 2),
        Table(
            (_("Группа"), _("В списке"), _("Присутствовали"), _("Отсутствовали"), _("Учтено в показателях")),
            tuple(rows),
            numeric=frozenset({1, 2, 3, 4}),
            widths=(4.2, 2.2, 3, 3, 2.6),
            caption=_("Участие: «учтено» — присутствовавшие с полностью проверенной работой."),
        ),
    ]
    if data.figures.small_sample:
        blocks.append(
            Paragraph(
                _("Участников меньше {n}: выводы по такой малой группе делайте осторожно.").format(n=SMALL_SAMPLE),
                "warning",
            )
        )
    if any(group.hidden for _label, group in _groups(data)):
        blocks.append(
            Paragraph(
                _(
                    "Группы меньше {n} участников (и дополняющая их группа) показаны без процентов: справку читает и "
                    "управление образования."
                ).format(n=HIDDEN_BELOW),
                "note",
            )
        )
    return blocks


def marks_blocks(data: SchoolAssessment, heading: str, *, charts: bool = True) -> list[Block]:
    rows = tuple(
        (label, group.figures.participants, *(group.figures.marks[m] for m in MARKS), group.figures.mean_score)
        for label, group in _groups(data)
    )
    blocks: list[Block] = [
        Heading(heading, 2),
        Table(
            (_("Группа"), _("Участников"), "«2», %", "«3», %", "«4», %", "«5», %", _("Средний балл")),
            rows,
            numeric=frozenset(range(1, 7)),
            widths=(4.2, 2.6, 1.6, 1.6, 1.6, 1.6, 2.2),
            caption=_("Распределение отметок: доля участников с каждой отметкой и средний первичный балл."),
        ),
    ]
    if charts:
        blocks.append(
            report_charts.marks_bars(
                _("Отметки: школа и муниципалитет, % участников"),
                [(_("Школа"), data.figures.marks), (_("Муниципалитет"), data.municipality.figures.marks)],
            )
        )
    return blocks


def histogram_blocks(data: SchoolAssessment, heading: str, *, charts: bool = True) -> list[Block]:
    scale = data.assessment.scale if isinstance(data.assessment.scale, dict) else {}
    starts = {int(score): str(mark) for mark, score in scale.items()}
    histogram = data.figures.histogram
    rows = tuple(
        (score, n, f"«{starts[int(score)]}»" if int(score) in starts else "")
        for score, n in histogram.items()
        if n or int(score) in starts
    )
    blocks: list[Block] = [Heading(heading, 2)]
    if charts:
        blocks.append(
            report_charts.histogram(
                _("Распределение первичных баллов школы; пунктир — наименьший балл отметки"),
                histogram,
                sorted((score, mark) for score, mark in starts.items()),
            )
        )
    blocks.append(
        Table(
            (_("Первичный балл"), _("Участников"), _("Начало отметки")),
            rows,
            numeric=frozenset({0, 1}),
            widths=(1, 1, 1),
            caption=_("Баллы, набранные хотя бы одним участником, и наименьшие баллы отметок (шкала перевода)."),
        )
    )
    return blocks


def tasks_blocks(data: SchoolAssessment, heading: str, *, charts: bool = True) -> list[Block]:
    school, municipal = data.figures.tasks, data.municipality.figures.tasks
    rows = []
    for task in data.tasks:
        own, whole = school.get(task.label), municipal.get(task.label)
        difference = round(own - whole, 1) if own is not None and whole is not None else None
        rows.append((task.label, task.difficulty, task.skill or "—", task.max_points, own, whole, difference))
    blocks: list[Block] = [
        Heading(heading, 2),
        Table(
            (
                _("Задание"),
                _("Уровень"),
                _("Проверяемое умение"),
                _("Макс."),
                _("Школа, %"),
                _("Муниц., %"),
                _("Разница"),
            ),
            tuple(rows),
            numeric=frozenset({3, 4, 5, 6}),
            widths=(1.6, 1.6, 5.2, 1.2, 1.8, 1.8, 1.8),
            caption=_("Выполнение заданий: 100 × сумма баллов / (максимум × участники)."),
        ),
    ]
    if charts:
        labels = [task.label for task in data.tasks]
        blocks.append(
            report_charts.lines(
                _("Выполнение заданий: школа и муниципалитет, %"),
                labels,
                [
                    (_("Школа"), [school.get(label) for label in labels]),
                    (_("Муниципалитет"), [municipal.get(label) for label in labels]),
                ],
                reference=_("Муниципалитет"),
            )
        )
    return blocks


def levels_blocks(data: SchoolAssessment, heading: str, *, charts: bool = True) -> list[Block]:
    municipal = {group.key: group.share for group in data.municipality.levels}
    levels = data.school.levels
    rows = tuple((LEVEL_NAMES.get(g.key, g.key), ", ".join(g.labels), g.share, municipal.get(g.key)) for g in levels)
    blocks: list[Block] = [
        Heading(heading, 2),
        Table(
            (_("Уровень сложности"), _("Задания"), _("Школа, %"), _("Муниципалитет, %")),
            rows,
            numeric=frozenset({2, 3}),
            widths=(2, 3, 1.2, 1.5),
            caption=_("Выполнение заданий каждого уровня вместе: 100 × сумма баллов / (сумма максимумов × участники)."),
        ),
    ]
    if charts and levels:
        blocks.append(
            report_charts.grouped_bars(
                _("Выполнение по уровням сложности: школа и муниципалитет, %"),
                [g.key for g in levels],
                [(_("Школа"), [g.share for g in levels]), (_("Муниципалитет"), [municipal.get(g.key) for g in levels])],
                reference=_("Муниципалитет"),
            )
        )
    return blocks


def skills_blocks(data: SchoolAssessment, heading: str) -> list[Block]:
    rows = tuple((row.words, ", ".join(row.labels), row.school, row.municipality) for row in data.skills)

    def listed(rows_: list[SkillRow]) -> tuple[str, ...]:
        return tuple(
            _("{skill} — {school} % (муниципалитет {municipality} %; задания {tasks})").format(
                skill=row.words,
                school=number(row.school),
                municipality=number(row.municipality),
                tasks=", ".join(row.labels),
            )
            for row in rows_
        )

    blocks: list[Block] = [
        Heading(heading, 2),
        Table(
            (_("Проверяемое умение (кодификатор)"), _("Задания"), _("Школа, %"), _("Муниципалитет, %")),
            rows,
            numeric=frozenset({2, 3}),
            widths=(5, 1.4, 1.1, 1.4),
            caption=_("Выполнение заданий каждого умения вместе."),
        ),
        Heading(_("Слабо сформированные умения (выполнение ниже {n} %)").format(n=number(WEAK_BELOW)), 3),
    ]
    weak, strong = data.weak, data.strong
    blocks.append(Bullets(listed(weak)) if weak else Paragraph(_("Таких умений нет."), "note"))
    blocks.append(
        Heading(_("Успешно сформированные умения (выполнение {n} % и выше)").format(n=number(STRONG_FROM)), 3)
    )
    blocks.append(Bullets(listed(strong)) if strong else Paragraph(_("Таких умений нет."), "note"))
    if data.figures.percentages_hidden:
        blocks.append(Paragraph(_("Проценты скрыты (малая группа): умения не выделяются."), "note"))
    return blocks


def mark_groups_blocks(data: SchoolAssessment, heading: str, *, charts: bool = True) -> list[Block]:
    groups = data.school.mark_groups
    headers = (_("Задание"), *(f"«{g.mark}» (n = {g.participants})" for g in groups))
    rows = tuple((task.label, *(g.tasks.get(task.label) for g in groups)) for task in data.tasks)
    blocks: list[Block] = [
        Heading(heading, 2),
        Table(
            headers,
            rows,
            numeric=frozenset(range(1, len(groups) + 1)),
            caption=_("Выполнение заданий участниками с каждой отметкой, % (n — участников с этой отметкой)."),
        ),
    ]
    shown = [g for g in groups if g.participants and not g.hidden]
    if charts and shown:
        labels = [task.label for task in data.tasks]
        blocks.append(
            report_charts.lines(
                _("Выполнение заданий группами участников по отметкам, %"),
                labels,
                [(f"«{g.mark}»", [g.tasks.get(label) for label in labels]) for g in shown],
            )
        )
    return blocks


def journal_blocks(data: SchoolAssessment, heading: str) -> list[Block]:
    rows = tuple(
        (label, j.n, j.lower, j.confirmed, j.higher) for label, group in _groups(data) for j in (group.figures.journal,)
    )
    return [
        Heading(heading, 2),
        Table(
            (_("Группа"), _("С отметкой по журналу"), _("Понизили, %"), _("Подтвердили, %"), _("Повысили, %")),
            rows,
            numeric=frozenset({1, 2, 3, 4}),
            widths=(4.2, 3, 2.4, 2.8, 2.4),
            caption=_(
                "Сравнение отметок ВПР с отметками по журналу: понизили (ВПР ниже журнала), подтвердили, повысили."
            ),
        ),
    ]


def figures_blocks(data: SchoolAssessment, number_prefix: str, *, charts: bool = True) -> list[Block]:
    """The figures' sections of one assessment, headed «{prefix}.1. Участие» … (FIGURE_SECTIONS in order)."""
    heads = [f"{number_prefix}.{index}. {_(title)}" for index, title in enumerate(FIGURE_SECTIONS, start=1)]
    return [
        *participation_blocks(data, heads[0]),
        *marks_blocks(data, heads[1], charts=charts),
        *histogram_blocks(data, heads[2], charts=charts),
        *tasks_blocks(data, heads[3], charts=charts),
        *levels_blocks(data, heads[4], charts=charts),
        *skills_blocks(data, heads[5]),
        *mark_groups_blocks(data, heads[6], charts=charts),
        *journal_blocks(data, heads[7]),
    ]


# the figures' sections of an assessment, in order (gettext_noop: translated where they are printed)
FIGURE_SECTIONS = (
    gettext_noop("Участие"),
    gettext_noop("Распределение отметок"),
    gettext_noop("Распределение первичных баллов"),
    gettext_noop("Выполнение заданий"),
    gettext_noop("Выполнение по уровням сложности"),
    gettext_noop("Выполнение по проверяемым умениям"),
    gettext_noop("Выполнение заданий группами участников"),
    gettext_noop("Сравнение с отметками по журналу"),
)


# Dynamics ------------------------------------------------------------------------------------------------------


def held_campaigns(campaign: Campaign):
    """The campaigns a school's dynamics runs through: the department's, up to this one by window start (a later
    campaign does not change an earlier справка)."""
    return Campaign.objects.filter(department_id=campaign.department_id, window_start__lte=campaign.window_start)


def trend_blocks(assessment: Assessment, school: School, heading: str, *, charts: bool = True) -> list[Block]:
    """The same subject and grade over the campaigns held: the school's marks and mean beside the municipality's."""
    trend = school_trend(assessment, held_campaigns(assessment.campaign), school=school, as_school=False)
    blocks: list[Block] = [Heading(heading, 2)]
    rows = []
    for item, own, whole in zip(trend.series, trend.school, trend.municipality, strict=True):
        for label, point in ((_("Школа"), own), (_("Муниципалитет"), whole)):
            shares = [share for _mark, _count, share in point.mark_rows()]
            rows.append((item.campaign.title, label, point.participants or None, *shares, point.mean))
    if not rows:
        blocks.append(Paragraph(_("Результатов этой работы в портале нет."), "note"))
        return blocks
    blocks.append(
        Table(
            (_("Кампания"), _("Группа"), _("Участников"), "«2», %", "«3», %", "«4», %", "«5», %", _("Средний балл")),
            tuple(rows),
            numeric=frozenset(range(2, 8)),
            widths=(2.6, 2.8, 2.6, 1.4, 1.4, 1.4, 1.4, 2),
            caption=_("Та же работа (предмет и класс) в кампаниях, которые хранит портал, от ранней к поздней."),
        )
    )
    if len(trend.series) < 2:
        blocks.append(
            Paragraph(_("Других кампаний с этой работой в портале пока нет: динамика появится позже."), "note")
        )
    elif charts:
        groups = []
        for item, own, whole in zip(trend.series, trend.school, trend.municipality, strict=True):
            for label, point in ((_("школа"), own), (_("муниципалитет"), whole)):
                if point.shown:
                    groups.append((f"{item.campaign.title} · {label}", point.figures.marks))
        if groups:
            blocks.append(report_charts.marks_bars(_("Отметки по кампаниям, % участников"), groups))
    return blocks


# Signals and cases ---------------------------------------------------------------------------------------------


def signals_of(assessment: Assessment, school: School) -> tuple[list[Signal], list[SignalCase]]:
    """The school's signals of the assessment now and its cases (by kind)."""
    signals = assessment_signals(assessment, school=school)
    cases = list(SignalCase.objects.filter(assessment=assessment, school=school).order_by("kind", "pk"))
    return signals, cases


def _evidence_table(kind: str, evidence: dict) -> list[Block]:
    blocks: list[Block] = []
    rows = tuple((words, _evidence_value(value)) for words, _key, value in evidence_rows(kind, evidence))
    if rows:
        blocks.append(Table((_("Показатель признака"), _("Значение")), rows, numeric=frozenset({1}), widths=(4, 1)))
    campaigns = evidence.get("campaigns") or []
    if campaigns:
        blocks.append(
            Table(
                (_("Кампания"), _("Участников"), _("Доля «2», %")),
                tuple((row.get("code"), row.get("participants"), row.get("share")) for row in campaigns),
                numeric=frozenset({1, 2}),
            )
        )
    return blocks


def signals_blocks(assessment: Assessment, school: School, heading: str) -> list[Block]:
    """The school's signals of the assessment with their evidence in words, and each case's state, the
    department's conclusion and the measures."""
    signals, cases = signals_of(assessment, school)
    live = {signal.kind: signal for signal in signals}
    by_kind = {case.kind: case for case in cases}
    blocks: list[Block] = [Heading(heading, 2)]
    kinds = sorted(set(live) | set(by_kind))
    if not kinds:
        blocks.append(Paragraph(_("Признаков необъективности по этой работе не выявлено."), "note"))
        return blocks
    blocks.append(
        Paragraph(
            _("Признак — повод присмотреться к результатам, а не вывод о необъективности; по каждому ведётся разбор."),
            "note",
        )
    )
    for kind in kinds:
        signal, case = live.get(kind), by_kind.get(kind)
        blocks.append(Heading(_("Признак: {label}").format(label=signal_label(kind)), 3))
        blocks.append(
            Paragraph(
                _("Признак выявляется по текущим результатам.")
                if signal is not None
                else _("Признак больше не выявляется (данные — на последней проверке).")
            )
        )
        evidence = signal.evidence if signal is not None else (case.evidence if case is not None else {})
        blocks.extend(_evidence_table(kind, evidence))
        if case is None:
            blocks.append(Paragraph(_("Разбор ещё не открыт."), "note"))
            continue
        state = _("Разбор: {status}.").format(status=case.get_status_display())
        if case.conclusion:
            state += " " + _("Заключение управления образования: {conclusion}.").format(
                conclusion=case.get_conclusion_display()
            )
        blocks.append(Paragraph(state))
        if case.measures:
            blocks.append(Paragraph(_("Принятые меры: {measures}").format(measures=case.measures)))
    return blocks


# Texts ---------------------------------------------------------------------------------------------------------


def text_blocks(text: str, *, empty: str) -> list[Block]:
    """A written text as paragraphs (a blank line between them); `empty` in a note when there is none."""
    parts = [part.strip() for part in (text or "").split("\n\n") if part.strip()]
    if not parts:
        return [Paragraph(empty, "note")]
    return [Paragraph(part) for part in parts]


def share_high(figures: Figures) -> float | None:
    """The share of «4» and «5» together, from the counts."""
    if figures.percentages_hidden:
        return None
    return percent(figures.mark_counts["4"] + figures.mark_counts["5"], figures.participants)
