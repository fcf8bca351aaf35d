"""The municipal analytical report's sections (Регламент 3.2, 4.1.9, 9.3–9.4): the content of the department's
report on a campaign, assembled from the figures the pages show, never recomputed another way.

Per assessment: participation, the marks (the municipality; a chart), task completion by task, level and skill
(weak skills below 50 %, strong from 75 %), mark groups, the journal comparison, the primary scores' histogram
with the mark boundaries, the dynamics over the campaigns (reports.trends.municipal_trend), the item analysis
(grading.item_analysis, from 30 participants), the two funnel plots (reports.selectors.municipal_funnel, the page's
numbers) with the schools outside the outer limit by code, and the signals with their cases by school code. Then
for the whole campaign: observation (assignments, signed acts and cards, violations), the observer effect, the
re-check and the marker agreement (each expert's card by name — not a rating, R15), the management decisions and
the closing part.

A department's document: codes of schools only beside figures, no pupil's name (R11: no participant's row is read
here, only the summaries and codes), nothing ordered by a result (R15: schools by code, experts by name, violations
by date then school code), and small groups as the department's pages show them (reports.suppression: under 5
participants no percentages). The per-school figures of a region (hundreds of schools × tens of assessments) are
in the xlsx of the same page (reports.exports), not in the PDF: the report says so.
"""

from collections import Counter
from collections.abc import Callable

from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from grading.figures import HIDDEN_BELOW, MARKS, SMALL_SAMPLE
from grading.item_analysis import MIN_PARTICIPANTS, WEAK_ITEM_REST, item_analysis
from grading.models import ResultsStamp
from monitoring.agreement import ExpertAgreement, marker_agreement
from monitoring.decisions import decisions_of_campaign
from monitoring.evidence import evidence_rows
from monitoring.models import (
    ManagementDecision,
    ObservationAssignment,
    Recheck,
    RecheckSelection,
    RecheckWork,
    SignalCase,
    Stage,
    Violation,
    VisitReport,
)
from monitoring.observer_effect import observer_effect
from monitoring.recheck_outcome import recheck_outcome, recheck_works_of
from monitoring.signals import assessment_signals, department_thresholds, signal_label
from procedures.models import Assessment, Campaign

from . import report_charts as charts
from .report_doc import Bullets, Heading, PageBreak, Paragraph, ReportDocument, Table
from .selectors import municipal_assessment, municipal_funnel
from .trends import municipal_trend

WEAK_SKILL_BELOW = 50.0  # % of completion: a weak skill (the school's справка uses the same)
STRONG_SKILL_FROM = 75.0  # % of completion: a strong skill
LEVEL_NAMES = {"Б": "базовый (Б)", "П": "повышенный (П)", "В": "высокий (В)"}
SIGNATURES = ("Начальник управления образования", "Муниципальный координатор ВПР")

Progress = Callable[[int, int], None]


def report_title() -> str:
    return _("Аналитический отчёт о результатах всероссийских проверочных работ")


def section_titles() -> dict[str, str]:
    """The report's sections in order (the page's outline; the tests look for each heading)."""
    return {
        "summary": _("Общие сведения"),
        "participation": _("Участие"),
        "marks": _("Распределение отметок"),
        "tasks": _("Выполнение заданий"),
        "levels": _("Выполнение по уровням сложности"),
        "skills": _("Выполнение по проверяемым умениям"),
        "mark_groups": _("Выполнение заданий группами участников"),
        "journal": _("Сравнение с отметками по журналу"),
        "histogram": _("Распределение первичных баллов"),
        "dynamics": _("Динамика по кампаниям"),
        "items": _("Анализ заданий"),
        "funnel": _("Сравнение школ: воронкообразные диаграммы"),
        "signals": _("Признаки необъективности и их разбор"),
        "observation": _("Общественное наблюдение и мониторинг"),
        "observer_effect": _("Результаты в аудиториях с наблюдателем и без"),
        "recheck": _("Перепроверка работ"),
        "agreement": _("Согласованность оценивания"),
        "decisions": _("Управленческие решения"),
        "closing": _("Заключение"),
    }


def number(value, places: int = 1) -> str:
    """A figure in words of the report: a decimal comma; «—» for none."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{places}f}".replace(".", ",")
    return str(value)


def _evidence_value(value) -> str:
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


def evidence_text(kind: str, evidence: dict | None, *, hidden: bool) -> str:
    """A signal's evidence in words (the case page's labels); a school whose percentages are hidden keeps only
    the note that it is small."""
    if not evidence:
        return _("признак больше не выявляется")
    if hidden:
        return _("меньше {n} участников: показатели не приводятся").format(n=HIDDEN_BELOW)
    parts = [f"{label}: {_evidence_value(value)}" for label, _key, value in evidence_rows(kind, evidence)]
    for campaign in evidence.get("campaigns", []) or []:
        share = campaign.get("share")
        parts.append(
            _("{code}: участников {n}, доля «2» {share} %").format(
                code=campaign.get("code", ""),
                n=campaign.get("participants", 0),
                share="—" if share is None else _evidence_value(float(share)),
            )
        )
    return "; ".join(parts)


# The whole document --------------------------------------------------------------------------------------------


def municipal_report_content(campaign: Campaign, progress: Progress) -> ReportDocument:
    """The department's analytical report on the campaign (see the module's docstring); `progress(done, total)`
    after each assessment and after the campaign-wide sections."""
    department = campaign.department
    titles = section_titles()
    doc = ReportDocument(
        title=report_title(),
        organisation=department.name,
        campaign=_("Всероссийские проверочные работы — {title}").format(title=campaign.title),
        date=timezone.localdate(),
        details=tuple(filter(None, [department.municipality])),
        running_title=_("Аналитический отчёт о результатах ВПР — {campaign}").format(campaign=campaign.title),
        signatures=tuple(_(each) for each in SIGNATURES),
    )
    assessments = list(Assessment.objects.filter(campaign=campaign).select_related("subject", "campaign"))
    total = len(assessments) + 1
    pages = [(assessment, municipal_assessment(assessment)) for assessment in assessments]
    _summary(doc, campaign, pages, titles)
    cases = _cases(campaign)
    department_campaigns = Campaign.objects.filter(department_id=campaign.department_id)
    observed = set(
        ObservationAssignment.objects.filter(
            sitting__campaign=campaign, stage=Stage.CONDUCT, cancelled_at__isnull=True
        ).values_list("sitting__assessment_id", flat=True)
    )
    recheck_signals = []
    for done, (assessment, page) in enumerate(pages, start=1):
        signals = assessment_signals(assessment)
        recheck_signals.extend((assessment, s) for s in signals if s.kind == "recheck_delta")
        _assessment(doc, assessment, page, titles, cases=cases, signals=signals, campaigns=department_campaigns)
        progress(done, total)
    doc.add(PageBreak())
    _observation(doc, campaign, titles)
    _observer_effect(doc, [a for a in assessments if a.pk in observed], titles)
    _recheck(doc, campaign, titles, recheck_signals)
    _decisions(doc, campaign, titles)
    _closing(doc, campaign, titles)
    progress(total, total)
    return doc


def _assessment_title(assessment: Assessment) -> str:
    return _("{code}: {subject}, {grade} класс").format(
        code=assessment.code, subject=assessment.subject.name, grade=assessment.grade
    )


def _summary(doc: ReportDocument, campaign: Campaign, pages, titles) -> None:
    schools = {row.school.pk for _assessment, page in pages for row in page.schools}
    works = sum(page.municipality.participants for _assessment, page in pages)
    doc.add(
        Heading(titles["summary"]),
        Paragraph(
            _(
                "Отчёт подготовлен по результатам всероссийских проверочных работ кампании {title} для анализа на "
                "муниципальном уровне (Регламент, пп. 3.2, 4.1.9, 9.3–9.4): выявления школ, которым нужна "
                "методическая помощь, работы районных методических объединений, корректировки планов повышения "
                "квалификации и принятия управленческих решений."
            ).format(title=campaign.title)
        ),
        Bullets(
            (
                _("Проверочных работ в кампании: {n}").format(n=len(pages)),
                _("Школ с результатами: {n}").format(n=len(schools)),
                _("Участий (выполненных и проверенных работ): {n}").format(n=works),
            )
        ),
        Table(
            headers=(
                _("Код"),
                _("Предмет"),
                _("Кл."),
                _("Школ"),
                _("Участн."),
                _("Отсутств."),
                *(f"«{mark}», %" for mark in MARKS),
                _("Ср. балл"),
            ),
            rows=tuple(
                (
                    assessment.code,
                    assessment.subject.name,
                    assessment.grade,
                    len(page.schools),
                    page.municipality.participants,
                    page.municipality.absent,
                    *(page.municipality.marks[mark] for mark in MARKS),
                    page.municipality.mean_score,
                )
                for assessment, page in pages
            ),
            numeric=frozenset(range(2, 11)),
            widths=(1.0, 2.0, 0.9, 0.9, 1.7, 2.3, 0.9, 0.9, 0.9, 0.9, 1.3),
            caption=_("Результаты муниципалитета по проверочным работам"),
        ),
        Paragraph(
            _(
                "Показатели — по присутствовавшим участникам с полностью проверенной работой всех школ "
                "муниципалитета. Показатели каждой школы по каждой работе приведены в файле «Муниципальный отчёт» "
                "(xlsx) на странице этого отчёта в портале; здесь — показатели муниципалитета, сравнение школ на "
                "воронкообразных диаграммах и школы с признаками необъективности или за внешней границей (по кодам, "
                "без упорядочения по результатам). Группы меньше {small} участников — с предупреждением о малой "
                "выборке, меньше {hidden} — без процентов."
            ).format(small=SMALL_SAMPLE, hidden=HIDDEN_BELOW),
            style="note",
        ),
    )


# One assessment ------------------------------------------------------------------------------------------------


def _assessment(doc: ReportDocument, assessment: Assessment, page, titles, *, cases, signals, campaigns) -> None:
    whole = page.municipality
    hidden = whole.percentages_hidden
    doc.add(Heading(_assessment_title(assessment)))
    # participation
    doc.add(
        Heading(titles["participation"], 2),
        Table(
            headers=(_("Школ с результатами"), _("Участников"), _("Отсутствовали"), _("Не проверено полностью")),
            rows=((len(page.schools), whole.participants, whole.absent, whole.not_graded),),
            numeric=frozenset(range(4)),
        ),
    )
    if not whole.participants:
        doc.add(Paragraph(_("Результатов по этой работе нет."), style="note"))
        return
    if whole.small_sample:
        doc.add(
            Paragraph(
                _("Мало участников (меньше {n}): выводы ненадёжны.").format(n=SMALL_SAMPLE)
                + (" " + _("Проценты не приводятся.") if hidden else ""),
                style="warning",
            )
        )
    _marks(doc, assessment, whole, titles)
    _tasks(doc, page, whole, titles)
    _journal(doc, whole, titles)
    _histogram(doc, assessment, whole, titles)
    _dynamics(doc, assessment, titles, campaigns)
    _items(doc, assessment, titles)
    _funnel(doc, assessment, titles)
    _signals(doc, assessment, page, titles, cases=cases, signals=signals)


def _marks(doc, assessment, whole, titles) -> None:
    doc.add(
        Heading(titles["marks"], 2),
        Table(
            headers=(_("Отметка"), _("Участников"), _("Доля, %")),
            rows=tuple((f"«{mark}»", n, share) for mark, n, share in whole.mark_rows()),
            numeric=frozenset({1, 2}),
            widths=(1, 1, 1),
            caption=_("Статистика по отметкам: муниципалитет"),
        ),
        Paragraph(
            _("Средний первичный балл: {mean} из {max}.").format(mean=number(whole.mean_score), max=whole.max_score)
        ),
    )
    if not whole.percentages_hidden:
        doc.add(charts.marks_bars(_("Распределение отметок, %"), [(_("Муниципалитет"), whole.marks)]))


def _tasks(doc, page, whole, titles) -> None:
    hidden = whole.percentages_hidden
    tasks = page.tasks
    doc.add(
        Heading(titles["tasks"], 2),
        Table(
            headers=(_("Задание"), _("Уровень"), _("Проверяемое умение"), _("Макс. балл"), _("Выполнение, %")),
            rows=tuple(
                (task.label, task.difficulty, task.skill or "—", task.max_points, whole.tasks.get(task.label))
                for task in tasks
            ),
            numeric=frozenset({3, 4}),
            widths=(1, 1, 4, 1, 1.4),
            caption=_("Выполнение заданий: муниципалитет"),
        ),
    )
    doc.add(
        Heading(titles["levels"], 2),
        Table(
            headers=(_("Уровень сложности"), _("Задания"), _("Выполнение, %")),
            rows=tuple(
                (LEVEL_NAMES.get(group.key, group.key), ", ".join(group.labels), group.share) for group in page.levels
            ),
            numeric=frozenset({2}),
            widths=(1.5, 3, 1),
        ),
        Heading(titles["skills"], 2),
        Table(
            headers=(_("Умение (кодификатор)"), _("Задания"), _("Выполнение, %"), _("Оценка")),
            rows=tuple(
                (group.key or _("без указания умения"), ", ".join(group.labels), group.share, _skill_mark(group.share))
                for group in page.skills
            ),
            numeric=frozenset({2}),
            widths=(3, 1.5, 1.3, 1.2),
        ),
    )
    if not hidden:
        weak = [group for group in page.skills if group.share is not None and group.share < WEAK_SKILL_BELOW]
        strong = [group for group in page.skills if group.share is not None and group.share >= STRONG_SKILL_FROM]
        doc.add(
            Paragraph(
                _("Слабо сформированные умения (выполнение ниже {n} %):").format(n=number(WEAK_SKILL_BELOW, 0))
                + (" " + _("нет.") if not weak else "")
            )
        )
        if weak:
            doc.add(Bullets(tuple(_skill_item(group) for group in weak)))
        doc.add(
            Paragraph(
                _("Сильные стороны (выполнение {n} % и выше):").format(n=number(STRONG_SKILL_FROM, 0))
                + (" " + _("нет.") if not strong else "")
            )
        )
        if strong:
            doc.add(Bullets(tuple(_skill_item(group) for group in strong)))
    headers = [_("Задание")]
    for group in page.mark_groups:
        headers.append(f"«{group.mark}» (n = {group.participants})" if not group.whole_hidden else f"«{group.mark}»")
    doc.add(
        Heading(titles["mark_groups"], 2),
        Table(
            headers=tuple(headers),
            rows=tuple((task.label, *(group.tasks.get(task.label) for group in page.mark_groups)) for task in tasks),
            numeric=frozenset(range(1, 5)),
            caption=_("Выполнение заданий участниками с отметкой «2», «3», «4», «5», %"),
        ),
    )
    if any(group.hidden and group.participants for group in page.mark_groups):
        doc.add(
            Paragraph(
                _("Группы меньше {n} участников (и дополняющая их) показаны без процентов.").format(n=HIDDEN_BELOW),
                style="note",
            )
        )


def _skill_mark(share: float | None) -> str:
    if share is None:
        return "—"
    if share < WEAK_SKILL_BELOW:
        return _("слабое")
    if share >= STRONG_SKILL_FROM:
        return _("сильное")
    return ""


def _skill_item(group) -> str:
    return _("{skill} (задания {labels}): {share} %").format(
        skill=group.key or _("без указания умения"), labels=", ".join(group.labels), share=number(group.share)
    )


def _journal(doc, whole, titles) -> None:
    journal = whole.journal
    doc.add(Heading(titles["journal"], 2))
    if not journal.n:
        doc.add(Paragraph(_("Отметок по журналу нет."), style="note"))
        return
    doc.add(
        Table(
            headers=(_("Сравнение"), _("Участников"), _("Доля, %")),
            rows=(
                (_("Понизили (отметка ВПР ниже отметки по журналу)"), journal.lower_count, journal.lower),
                (_("Подтвердили"), journal.confirmed_count, journal.confirmed),
                (_("Повысили (отметка ВПР выше)"), journal.higher_count, journal.higher),
                (_("Всего с отметкой по журналу"), journal.n, None),
            ),
            numeric=frozenset({1, 2}),
            widths=(4, 1, 1),
        )
    )


def _histogram(doc, assessment, whole, titles) -> None:
    doc.add(Heading(titles["histogram"], 2))
    if whole.percentages_hidden:
        doc.add(Paragraph(_("Мало участников: распределение не приводится."), style="note"))
        return
    scale = assessment.scale if isinstance(assessment.scale, dict) else {}
    boundaries = sorted((int(score), mark) for mark, score in scale.items())
    doc.add(
        charts.histogram(
            _("Распределение первичных баллов; пунктир — наименьший балл отметки"), whole.histogram, boundaries
        ),
        Paragraph(
            _("Границы отметок: {bounds}.").format(
                bounds=", ".join(_("«{mark}» от {score}").format(mark=mark, score=score) for score, mark in boundaries)
            ),
            style="note",
        ),
    )


def _dynamics(doc, assessment, titles, campaigns) -> None:
    trend = municipal_trend(assessment, campaigns)
    doc.add(Heading(titles["dynamics"], 2))
    points = trend.municipality
    if len(points) < 2:
        doc.add(Paragraph(_("В портале нет результатов этой работы за прошлые кампании: динамики нет."), style="note"))
    rows = []
    for point in points:
        marks = {mark: share for mark, _n, share in point.mark_rows()}
        rows.append(
            (
                point.campaign.code,
                point.participants,
                *(marks[mark] for mark in MARKS),
                point.share_high,
                point.mean,
            )
        )
    if rows:
        doc.add(
            Table(
                headers=(
                    _("Кампания"),
                    _("Участников"),
                    *(f"«{m}», %" for m in MARKS),
                    _("«4» и «5», %"),
                    _("Ср. балл"),
                ),
                rows=tuple(rows),
                numeric=frozenset(range(1, 8)),
                widths=(1.6, 1.2, 1, 1, 1, 1, 1.2, 1),
                caption=_("Муниципалитет по кампаниям (одна и та же работа: предмет и класс)"),
            )
        )


def _items(doc, assessment, titles) -> None:
    analysis = item_analysis(assessment)
    doc.add(Heading(titles["items"], 2))
    if analysis is None:
        doc.add(
            Paragraph(
                _("Анализ заданий проводится при {n} и более участниках.").format(n=MIN_PARTICIPANTS), style="note"
            )
        )
        return
    doc.add(
        Paragraph(
            _("Участников: {n}. Надёжность работы (α Кронбаха): {alpha}.").format(
                n=analysis.participants, alpha=number(analysis.alpha, 2)
            )
        ),
        Table(
            headers=(_("Задание"), _("Уровень"), _("Трудность p"), _("Корреляция r с остальной работой")),
            rows=tuple(
                (item.label, item.level, number(item.difficulty, 2), number(item.item_rest, 2))
                for item in analysis.items
            ),
            numeric=frozenset({2, 3}),
            widths=(1, 1, 1.2, 2),
        ),
    )
    weak = [item.label for item in analysis.items if item.weak]
    doc.add(
        Paragraph(
            _("Задания с корреляцией ниже {r}: {labels} — задание или критерии его проверки стоит посмотреть.").format(
                r=number(WEAK_ITEM_REST, 1), labels=", ".join(weak)
            )
            if weak
            else _("Заданий с корреляцией ниже {r} нет.").format(r=number(WEAK_ITEM_REST, 1)),
            style="note",
        )
    )


def _funnel(doc, assessment, titles) -> None:
    plots = municipal_funnel(assessment)
    doc.add(Heading(titles["funnel"], 2))
    doc.add(
        Paragraph(
            _(
                "Каждая школа — точка: её доля против числа участников; линии — границы 95 % и 99,8 % вокруг доли "
                "муниципалитета. Школа за внешней границей заслуживает внимания; это не рейтинг школ."
            ),
            style="note",
        )
    )
    outside = []
    for plot, caption, label in (
        (plots.low, _("Доля «2» по школам"), _("Доля «2», %")),
        (plots.high, _("Доля «4» и «5» по школам"), _("Доля «4» и «5», %")),
    ):
        if plot.p0 is None:
            continue
        doc.add(charts.funnel(caption, [(p.code, p.n, p.share) for p in plot.points], p0=plot.p0, y_label=label))
        for point in plot.points:
            if point.outside_outer:
                side = _("выше") if point.position.startswith("above") else _("ниже")
                bounds = f"{number(point.outer[0])} – {number(point.outer[1])}"
                outside.append((point.code, label, point.n, point.share, bounds, side))
    outside.sort(key=lambda row: row[0])  # by code, never by a result (R15)
    if outside:
        doc.add(
            Table(
                headers=(
                    _("Школа"),
                    _("Показатель"),
                    _("Участников"),
                    _("Доля, %"),
                    _("Границы 99,8 %"),
                    _("Положение"),
                ),
                rows=tuple(outside),
                numeric=frozenset({2, 3}),
                widths=(1.3, 1.6, 1.3, 1, 1.6, 1.3),
                caption=_("Школы за внешней границей (по кодам)"),
            )
        )
    else:
        doc.add(Paragraph(_("Школ за внешней границей нет.")))


def _cases(campaign: Campaign) -> dict[tuple[int, str, str], SignalCase]:
    cases = SignalCase.objects.filter(campaign=campaign).select_related("school")
    return {(case.assessment_id, case.school.code, case.kind): case for case in cases}


def _signals(doc, assessment, page, titles, *, cases, signals) -> None:
    doc.add(Heading(titles["signals"], 2))
    hidden = {row.school.code for row in page.schools if row.hidden}
    found = {(signal.school, signal.kind): signal.evidence for signal in signals}
    keys = set(found) | {(code, kind) for (pk, code, kind) in cases if pk == assessment.pk}
    order = {kind: index for index, kind in enumerate(_signal_order())}
    rows = []
    for code, kind in sorted(keys, key=lambda key: (key[0], order.get(key[1], 99), key[1])):
        case = cases.get((assessment.pk, code, kind))
        evidence = found.get((code, kind))
        status = case.get_status_display() if case else _("разбор не открыт")
        conclusion = case.get_conclusion_display() if case and case.conclusion else "—"
        words = evidence_text(kind, evidence, hidden=code in hidden)
        rows.append((code, signal_label(kind), words, status, conclusion))
    if not rows:
        doc.add(Paragraph(_("Признаков необъективности по этой работе не выявлено.")))
        return
    doc.add(
        Table(
            headers=(_("Школа"), _("Признак"), _("Данные признака"), _("Разбор"), _("Заключение")),
            rows=tuple(rows),
            widths=(1.6, 1.6, 4.6, 1.2, 1.6),
            caption=_("Признаки — повод посмотреть, не вывод; школы по кодам"),
        )
    )


def _signal_order() -> list[str]:
    from monitoring.signals import SIGNAL_LABELS

    return list(SIGNAL_LABELS)


# The campaign's monitoring ---------------------------------------------------------------------------------------


def _observation(doc, campaign: Campaign, titles) -> None:
    assignments = ObservationAssignment.objects.filter(sitting__campaign=campaign, cancelled_at__isnull=True)
    by_stage = Counter(dict(assignments.values_list("stage").annotate(n=Count("pk")).order_by()))
    schools = assignments.values("sitting__school_id").distinct().count()
    stages = Stage.choices
    signed = Counter(
        dict(
            VisitReport.objects.filter(assignment__in=assignments, status=VisitReport.Status.SUBMITTED)
            .values_list("kind")
            .annotate(n=Count("assignment_id", distinct=True))
            .order_by()
        )
    )
    doc.add(
        Heading(titles["observation"]),
        Table(
            headers=(_("Показатель"), _("Количество")),
            rows=(
                *((_("Назначений: {stage}").format(stage=label), by_stage.get(value, 0)) for value, label in stages),
                (_("Школ с наблюдением"), schools),
                (_("Подписано актов общественного наблюдения"), signed.get(VisitReport.Kind.ACT, 0)),
                (_("Подписано карт мониторинга"), signed.get(VisitReport.Kind.CARD, 0)),
            ),
            numeric=frozenset({1}),
            widths=(4, 1),
        ),
    )
    violations = Violation.objects.filter(sitting__campaign=campaign)
    counts = Counter(
        {
            (kind, status): n
            for kind, status, n in violations.values_list("kind", "status").annotate(n=Count("pk")).order_by()
        }
    )
    doc.add(Heading(_("Нарушения порядка проведения"), 2))
    if not counts:
        doc.add(Paragraph(_("Нарушений не зафиксировано.")))
        return
    statuses = list(Violation.Status.choices)
    doc.add(
        Table(
            headers=(_("Нарушение"), *(label for _value, label in statuses), _("Всего")),
            rows=tuple(
                (
                    label,
                    *(counts.get((kind, status), 0) for status, _label in statuses),
                    sum(counts.get((kind, status), 0) for status, _label in statuses),
                )
                for kind, label in Violation.Kind.choices
                if any(counts.get((kind, status)) for status, _label in statuses)
            ),
            numeric=frozenset(range(1, len(statuses) + 2)),
            widths=(4, 1.2, 1.2, 1.2, 1),
            caption=_("Нарушения по видам и состоянию"),
        ),
        Table(
            headers=(_("Дата"), _("Школа"), _("Работа"), _("Нарушение"), _("Источник"), _("Состояние")),
            rows=tuple(
                (
                    violation.sitting.date.strftime("%d.%m.%Y"),
                    violation.school.code,
                    violation.sitting.assessment.code,
                    violation.get_kind_display(),
                    violation.get_source_display(),
                    violation.get_status_display(),
                )
                for violation in violations.select_related("school", "sitting__assessment").order_by(
                    "sitting__date", "school__code", "reported_at", "pk"
                )
            ),
            widths=(1.4, 1.6, 1, 3.4, 2.2, 1.5),
            caption=_("Нарушения по датам, затем по кодам школ"),
        ),
    )


def _observer_effect(doc, assessments: list[Assessment], titles) -> None:
    doc.add(
        Heading(titles["observer_effect"]),
        Paragraph(
            _(
                "Результаты участников, писавших работу в аудитории с общественным наблюдателем, рядом с результатами "
                "остальных участников муниципалитета — сведения к признакам, не вывод о школе."
            ),
            style="note",
        ),
    )
    rows = []
    names = {"observed": _("с наблюдателем"), "unobserved": _("без наблюдателя")}
    for assessment in assessments:
        effect = observer_effect(assessment)
        if not effect.has_observed:
            continue
        for group in effect.groups:
            rows.append(
                (
                    assessment.code,
                    names[group.key],
                    group.participants,
                    *(group.marks[mark] for mark in MARKS),
                    group.mean_mark,
                )
            )
    if not rows:
        doc.add(Paragraph(_("Наблюдателей в аудиториях в этой кампании не было.")))
        return
    doc.add(
        Table(
            headers=(_("Работа"), _("Группа"), _("Участников"), *(f"«{m}», %" for m in MARKS), _("Средняя отметка")),
            rows=tuple(rows),
            numeric=frozenset(range(2, 8)),
            widths=(1.2, 1.8, 1.2, 1, 1, 1, 1, 1.3),
        )
    )


def _recheck(doc, campaign: Campaign, titles, recheck_signals) -> None:
    doc.add(Heading(titles["recheck"]))
    recheck = Recheck.objects.filter(campaign=campaign).first()
    if recheck is None or not recheck.selections.exists():
        doc.add(Paragraph(_("Перепроверка работ этой кампании не проводилась.")))
        doc.add(Heading(titles["agreement"], 2), Paragraph(_("Нет перепроверенных работ.")))
        return
    outcome = recheck_outcome(recheck)
    reasons = dict(RecheckSelection.Reason.choices)
    doc.add(
        Paragraph(
            _(
                "Выбрано для перепроверки: {pairs} (школа × работа), работ: {works}; с итоговым результатом комиссии: "
                "{final}, из них отметка изменилась: {changed} ({share} %)."
            ).format(
                pairs=len(outcome.selections),
                works=outcome.all_works,
                final=outcome.works,
                changed=outcome.changed,
                share=number(outcome.share),
            )
        ),
        Table(
            headers=(
                _("Школа"),
                _("Работа"),
                _("Основание выбора"),
                _("Работ"),
                _("С итогом"),
                _("Отметка изменилась"),
            ),
            rows=tuple(
                (
                    rows.selection.school.code,
                    rows.selection.assessment.code,
                    reasons.get(rows.selection.reason, rows.selection.reason),
                    len(rows.works),
                    sum(1 for work in rows.works if work.is_final),
                    sum(1 for work in rows.works if work.changed),
                )
                for rows in outcome.selections
            ),
            numeric=frozenset({3, 4, 5}),
            widths=(1.2, 1, 2.6, 0.9, 1, 1.4),
            caption=_("Выбранные школы и работы (по кодам)"),
        ),
    )
    if recheck_signals:
        doc.add(
            Paragraph(_("Признак «расхождение при перепроверке» (не менее 20 % работ изменили отметку):")),
            Bullets(
                tuple(
                    f"{signal.school}, {assessment.code}: {evidence_text(signal.kind, signal.evidence, hidden=False)}"
                    for assessment, signal in sorted(recheck_signals, key=lambda pair: (pair[1].school, pair[0].code))
                )
            ),
        )
    else:
        doc.add(Paragraph(_("Признак «расхождение при перепроверке» не выявлен.")))
    _agreement(doc, recheck, titles)


def _card_rows(card: ExpertAgreement) -> tuple:
    return (
        (_("Работ перепроверено (с итогом)"), card.works),
        (_("Сравнено баллов за задания"), card.pairs),
        (_("Точное совпадение баллов, %"), card.exact),
        (_("Расхождение не больше 1 балла, %"), card.adjacent),
        (_("Средняя разница первичного балла (эксперт − комиссия)"), number(card.mean_difference)),
        (_("Взвешенная каппа Коэна по отметкам"), number(card.kappa, 2)),
        (_("Работ с изменённой отметкой"), card.changed_marks),
    )


def _agreement(doc, recheck: Recheck, titles) -> None:
    agreement = marker_agreement(recheck_works_of(recheck))
    doc.add(
        Heading(titles["agreement"], 2),
        Paragraph(
            _(
                "Согласованность баллов экспертов, проверявших работы в школах, с итоговыми баллами комиссии. "
                "Карточки — по алфавиту; это не рейтинг: результаты ВПР не используются для оценки учителей."
            ),
            style="warning",
        ),
    )
    if not agreement.works:
        doc.add(Paragraph(_("Нет работ с итоговым результатом комиссии.")))
        return
    if agreement.overall is not None:
        doc.add(
            Table(
                headers=(_("Все перепроверенные работы"), _("Значение")),
                rows=_card_rows(agreement.overall),
                numeric=frozenset({1}),
                widths=(4, 1),
            )
        )
    for card in agreement.experts:  # by name (R15)
        name = card.name or _("эксперт не указан")
        details = ", ".join(filter(None, [card.position, card.school_code]))
        doc.add(
            Heading(f"{name}" + (f" ({details})" if details else ""), 3),
            Table(
                headers=(_("Показатель"), _("Значение")),
                rows=_card_rows(card),
                numeric=frozenset({1}),
                widths=(4, 1),
                caption=_("Карточка эксперта — это не рейтинг"),
            ),
        )


def _decisions(doc, campaign: Campaign, titles) -> None:
    doc.add(Heading(titles["decisions"]))
    decisions = decisions_of_campaign(campaign)
    if not decisions:
        doc.add(Paragraph(_("Управленческие решения по итогам кампании в портале не записаны.")))
        return
    rows = []
    for decision in decisions:  # by due date, then school code (never by results)
        basis = decision.get_basis_display()
        if decision.case_id:
            basis = f"{basis}: {signal_label(decision.case.kind)}"
        elif decision.skill:
            basis = f"{basis}: {decision.skill}"
        where = decision.school.code if decision.school_id else _("муниципальное")
        if decision.assessment_id:
            where = f"{where}, {decision.assessment.code}"
        status = decision.get_status_display()
        if decision.outcome:
            status = f"{status}: {decision.outcome}"
        rows.append((decision.due_on.strftime("%d.%m.%Y"), where, basis, decision.text, decision.responsible, status))
    doc.add(
        Table(
            headers=(
                _("Срок"),
                _("Уровень, работа"),
                _("Основание"),
                _("Что решено"),
                _("Ответственный"),
                _("Статус, результат"),
            ),
            rows=tuple(rows),
            widths=(1.6, 2.0, 2.2, 4.2, 2.4, 2.4),
            caption=_("Решения по срокам, затем по кодам школ"),
        )
    )


def _closing(doc, campaign: Campaign, titles) -> None:
    doc.add(
        Heading(titles["closing"]),
        Paragraph(
            _(
                "Результаты ВПР используются для анализа и методической помощи школам, а не для рейтингов школ и "
                "учителей. Признаки необъективности — повод для разбора, а не вывод; заключения по ним записаны в "
                "разборах. Показатели каждой школы — в файле «Муниципальный отчёт» (xlsx) кампании {code}."
            ).format(code=campaign.code)
        ),
    )


# What the report is made of ----------------------------------------------------------------------------------------


def _stamp(queryset, *fields) -> list:
    found = queryset.aggregate(n=Count("pk"), **{f"latest_{field}": Max(field) for field in fields})
    return [str(found[key]) for key in sorted(found)]


def municipal_report_source(campaign: Campaign) -> dict:
    """Every part the report reads (beside results_source and cases_source): the earlier campaigns' results (the
    dynamics), the thresholds (the signals), observation, violations, the re-check and the decisions — any change
    marks the report outdated."""
    from .generation import cases_source, results_source

    parts = {
        "results": results_source(campaign),
        "department_results": sorted(
            ResultsStamp.objects.filter(assessment__campaign__department_id=campaign.department_id)
            .exclude(assessment__campaign=campaign)
            .values_list("assessment_id", "version")
        ),
        "cases": cases_source(campaign),
        "thresholds": department_thresholds(campaign.department_id)[1],
        "campaign": [campaign.code, campaign.title, campaign.department.name],
        "observation": _stamp(
            ObservationAssignment.objects.filter(sitting__campaign=campaign), "assigned_at", "cancelled_at"
        ),
        "reports": _stamp(VisitReport.objects.filter(assignment__sitting__campaign=campaign), "submitted_at"),
        "violations": _stamp(
            Violation.objects.filter(sitting__campaign=campaign), "reported_at", "answered_at", "closed_at"
        ),
        "recheck": _stamp(RecheckSelection.objects.filter(recheck__campaign=campaign), "selected_at"),
        "recheck_works": _stamp(
            RecheckWork.objects.filter(selection__recheck__campaign=campaign), "scored_at", "decided_at"
        ),
    }
    parts["decisions"] = _stamp(
        ManagementDecision.objects.filter(campaign=campaign), "updated_at", "outcome_at", "cancelled_at"
    )
    return parts
