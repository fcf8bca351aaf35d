"""A case's evidence drawn for people: the numbers of the signal (monitoring.signals) as a chart the school can
read without a script — inline SVG whose geometry is computed here, so the template only places rectangles —
and a table beside each chart for screen readers and print.

- boundary_bunching: the school's histogram of primary scores, the narrow windows (c−2…c+1) and the wide ones
  (c−4…c+3) around the boundary c highlighted;
- inverted_difficulty: completion of Б and of П/В tasks, school beside municipality;
- journal_gap: the cross-table of ВПР marks × journal marks (counts), the cells two or more apart marked;
- high_results: the shares of «4» and «5», school beside municipality;
- stable_low: the share of «2» in each of the last campaigns, with the department's threshold.

A department's view hides percentages of a school under HIDDEN_BELOW participants (docs/glossary.md).
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grading.figures import HIDDEN_BELOW, assessment_tasks, figures_compute, tallies
from monitoring.models import SignalCase
from monitoring.signals import assessment_signals, department_thresholds

CHART_WIDTH = 560
BAR_ROW = 28
LABEL_WIDTH = 170
HISTOGRAM_HEIGHT = 160


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    text: str
    x: float
    y: float
    width: float
    height: float
    tone: str  # "", "school", "municipality", "up", "down", "wide", "over"


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    label_width: int = LABEL_WIDTH
    threshold_x: float | None = None  # a vertical line (horizontal bars), e.g. the threshold of «2»
    threshold_text: str = ""
    boundary_x: float | None = None  # a vertical line between two histogram columns (the boundary c)
    ticks: list[tuple[float, str]] = field(default_factory=list)  # histogram: (x, score) under the columns


EVIDENCE_LABELS = {
    # each kind's evidence keys (the codes of results_figures --json) in words, for the case page
    "boundary_bunching": {
        "c": gettext_lazy("граница отметки c (её наименьший балл)"),
        "up": gettext_lazy("на границе и выше: баллы c и c+1"),
        "down": gettext_lazy("ниже границы: баллы c−2 и c−1"),
        "p0": gettext_lazy("ожидаемая доля p0"),
        "p": gettext_lazy("вероятность такого скопления p"),
    },
    "inverted_difficulty": {
        "b_school": gettext_lazy("выполнение заданий Б: школа, %"),
        "b_municipality": gettext_lazy("выполнение заданий Б: муниципалитет, %"),
        "pv_school": gettext_lazy("выполнение заданий П и В: школа, %"),
        "pv_municipality": gettext_lazy("выполнение заданий П и В: муниципалитет, %"),
    },
    "journal_gap": {
        "n": gettext_lazy("участников с отметкой по журналу"),
        "gap": gettext_lazy("из них отметки расходятся на 2 и больше"),
        "share": gettext_lazy("доля расхождений, %"),
    },
    "high_results": {
        "school": gettext_lazy("доля «4» и «5» в школе, %"),
        "municipality": gettext_lazy("доля «4» и «5» в муниципалитете, %"),
    },
    "recheck_delta": {
        "n": gettext_lazy("работ перепроверено (с итоговым результатом)"),
        "changed": gettext_lazy("из них отметка изменилась"),
        "share": gettext_lazy("доля работ с изменённой отметкой, %"),
        "mean_difference": gettext_lazy("средняя разница первичного балла (исходный − перепроверка)"),
    },
}


def evidence_rows(kind: str, evidence: dict | None) -> list[tuple[str, str, object]]:
    """(words, key, value) of a signal's evidence; the campaigns' list (drawn apart) left out, a key without
    words shown as its code."""
    labels = EVIDENCE_LABELS.get(kind, {})
    return [(str(labels.get(key, key)), key, value) for key, value in (evidence or {}).items() if key != "campaigns"]


@dataclass
class Drawing:
    kind: str
    evidence: dict | None  # now; None when the signal is no longer flagged
    evidence_at_opening: dict
    percentages_hidden: bool = False
    chart: Chart | None = None
    cross_table: list[dict] = field(default_factory=list)  # journal_gap: rows of ВПР marks
    journal_marks: list[int] = field(default_factory=list)
    participants: int = 0

    @property
    def rows_at_opening(self) -> list[tuple[str, str, object]]:
        return evidence_rows(self.kind, self.evidence_at_opening)

    @property
    def rows_now(self) -> list[tuple[str, str, object]]:
        return evidence_rows(self.kind, self.evidence)


def _share_chart(rows: list[tuple[str, float | None, str]], *, threshold: float | None = None) -> Chart:
    """Horizontal bars of percentages 0…100: (label, value, tone)."""
    scale = (CHART_WIDTH - LABEL_WIDTH - 60) / 100
    bars = [
        Bar(
            label=label,
            value=value,
            text="—" if value is None else f"{value:g} %",
            x=LABEL_WIDTH,
            y=i * BAR_ROW + 4,
            width=(value or 0) * scale,
            height=BAR_ROW - 10,
            tone=tone,
        )
        for i, (label, value, tone) in enumerate(rows)
    ]
    return Chart(
        width=CHART_WIDTH,
        height=len(rows) * BAR_ROW + 6,
        bars=bars,
        threshold_x=None if threshold is None else LABEL_WIDTH + threshold * scale,
        threshold_text="" if threshold is None else f"{threshold:g} %",
    )


def _histogram_chart(histogram: dict[str, int], c: int | None) -> Chart:
    scores = sorted(int(score) for score in histogram)
    column = max(6.0, min(24.0, (CHART_WIDTH - 20) / max(1, len(scores))))
    top = max(histogram.values(), default=0) or 1
    bars = []
    for i, score in enumerate(scores):
        n = histogram[str(score)]
        tone = ""
        if c is not None:
            if c <= score <= c + 1:
                tone = "up"
            elif c - 2 <= score <= c - 1:
                tone = "down"
            elif c - 4 <= score <= c + 3:
                tone = "wide"
        height = n / top * HISTOGRAM_HEIGHT
        bars.append(
            Bar(str(score), n, str(n), 10 + i * column, HISTOGRAM_HEIGHT - height + 4, column - 2, height, tone)
        )
    boundary = None if c is None or c not in scores else 10 + scores.index(c) * column - 1
    ticks = [(bar.x + bar.width / 2, bar.label) for bar in bars if int(bar.label) % 5 == 0 or bar.tone]
    return Chart(
        width=int(20 + len(scores) * column),
        height=HISTOGRAM_HEIGHT + 24,
        bars=bars,
        label_width=0,
        boundary_x=boundary,
        ticks=ticks,
    )


def _cross_table(results) -> tuple[list[dict], list[int]]:
    marks = [2, 3, 4, 5]
    counts = {(mark, journal): 0 for mark in marks for journal in marks}
    for (_score, mark, journal), n in results.items():
        if mark in marks and journal in marks:
            counts[(mark, journal)] += n
    rows = [
        {"mark": mark, "cells": [(counts[(mark, journal)], abs(mark - journal) >= 2) for journal in marks]}
        for mark in marks
    ]
    return rows, marks


def case_drawing(case: SignalCase, *, department_view: bool) -> Drawing:
    """The case's evidence now and at its opening, drawn. A fixed number of queries."""
    assessment, school = case.assessment, case.school
    live = {s.kind: s.evidence for s in assessment_signals(assessment, school=school)}.get(case.kind)
    evidence = live or case.evidence
    tally = tallies(assessment=assessment, school=school, group="school").get(school.pk)
    figures = figures_compute(tally, tasks=assessment_tasks(assessment)) if tally is not None else None
    participants = figures.participants if figures is not None else 0
    drawing = Drawing(case.kind, live, case.evidence_at_opening, participants=participants)
    drawing.percentages_hidden = department_view and participants < HIDDEN_BELOW
    if case.kind == "boundary_bunching" and figures is not None:
        drawing.chart = _histogram_chart(figures.histogram, evidence.get("c"))
    elif case.kind == "journal_gap" and tally is not None:
        drawing.cross_table, drawing.journal_marks = _cross_table(tally.results)
    elif drawing.percentages_hidden:
        pass
    elif case.kind == "inverted_difficulty":
        drawing.chart = _share_chart(
            [
                (_("Б · школа"), evidence.get("b_school"), "school"),
                (_("Б · муниципалитет"), evidence.get("b_municipality"), "municipality"),
                (_("П/В · школа"), evidence.get("pv_school"), "school"),
                (_("П/В · муниципалитет"), evidence.get("pv_municipality"), "municipality"),
            ]
        )
    elif case.kind == "high_results":
        drawing.chart = _share_chart(
            [
                (_("«4»+«5» · школа"), evidence.get("school"), "school"),
                (_("«4»+«5» · муниципалитет"), evidence.get("municipality"), "municipality"),
            ]
        )
    elif case.kind == "stable_low":
        thresholds, _number = department_thresholds(case.campaign.department_id)
        drawing.chart = _share_chart(
            [
                (
                    _("{code} · участников: {n}").format(code=row["code"], n=row["participants"]),
                    row["share"],
                    "over" if row["share"] is not None and row["share"] >= thresholds.stable_low_share else "school",
                )
                for row in evidence.get("campaigns", [])
            ],
            threshold=thresholds.stable_low_share,
        )
    return drawing
