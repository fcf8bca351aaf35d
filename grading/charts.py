"""The charts' data (static/js/charts.js draws them with the vendored Chart.js): pure functions from figures to
the JSON a page embeds with `json_script`. Every chart has a table beside it with the same numbers; a hidden
figure (None: a small group in a department view) is left out of the chart as it is shown as «—» in the table.
"""

from django.utils.translation import gettext as _

from .figures import MARKS, Figures


def marks_chart(groups: list[tuple[str, Figures]]) -> dict:
    """Stacked bars of the marks' shares, one bar per group (the school, its classes, the municipality…); groups
    whose percentages are hidden are left out."""
    shown = [(label, f) for label, f in groups if not f.percentages_hidden and f.participants]
    return {
        "type": "marks",
        "title": _("Статистика по отметкам, % участников"),
        "labels": [label for label, _f in shown],
        "series": [
            {"label": f"«{mark}»", "mark": mark, "values": [f.marks[mark] for _label, f in shown]} for mark in MARKS
        ],
    }


def tasks_chart(labels: list[str], series: list[tuple[str, dict]], *, reference: str | None = None, title=None) -> dict:
    """Lines of each task's completion (%), one per group; a hidden share is a gap. The `reference` series (the
    municipality beside a school) is drawn dashed and grey."""
    return {
        "type": "tasks",
        "title": title or _("Выполнение заданий, %"),
        "reference": reference,
        "labels": list(labels),
        "series": [{"label": name, "values": [shares.get(label) for label in labels]} for name, shares in series],
    }


def histogram_chart(figures: Figures, scale: dict) -> dict:
    """The primary scores' histogram with the mark boundaries (the lowest score of «3», «4», «5»)."""
    return {
        "type": "histogram",
        "title": _("Распределение первичных баллов"),
        "labels": list(figures.histogram),
        "values": list(figures.histogram.values()),
        "boundaries": sorted(
            ({"score": int(score), "mark": str(mark)} for mark, score in scale.items()),
            key=lambda boundary: boundary["score"],
        ),
        "y_label": _("Участников"),
        "x_label": _("Первичный балл"),
    }


def groups_chart(
    title: str, labels: list[str], series: list[tuple[str, list]], *, reference: str | None = None
) -> dict:
    """Bars of groups of tasks (levels, skills) or of participants (mark groups), one set per column; the
    `reference` series (the municipality) in grey."""
    return {
        "type": "groups",
        "reference": reference,
        "title": title,
        "labels": list(labels),
        "series": [{"label": name, "values": list(values)} for name, values in series],
    }


def comparison_charts(
    groups: list[tuple[str, Figures]],
    *,
    task_labels: list[str],
    lines: list[tuple[str, Figures]],
    histogram: Figures,
    scale: dict,
    level_columns: list[str] | None = None,
    level_rows: list[tuple[str, list]] | None = None,
    reference: str | None = None,
) -> dict:
    """The charts of a results page: the marks of `groups` as stacked bars, the tasks' completion of `lines`, the
    histogram of `histogram` (None when its percentages are hidden) and, when given, the completion by level
    (`level_rows`: level → a share per column of `level_columns`)."""
    charts = {
        "marks": marks_chart(groups),
        "tasks": tasks_chart(
            task_labels,
            [(label, f.tasks) for label, f in lines if not f.percentages_hidden and f.participants],
            reference=reference,
        ),
        "histogram": None if histogram.percentages_hidden else histogram_chart(histogram, scale),
    }
    if level_columns and level_rows:
        charts["levels"] = groups_chart(
            _("Выполнение заданий по уровням сложности, %"),
            [key for key, _values in level_rows],
            [(column, [values[i] for _key, values in level_rows]) for i, column in enumerate(level_columns)],
            reference=reference,
        )
    return charts


def histogram_rows(figures: Figures, scale: dict) -> list[tuple[str, int, str | None]]:
    """(score, participants, the mark whose lowest score it is, or None) for the histogram's table."""
    starts = {str(score): str(mark) for mark, score in scale.items()}
    return [(score, n, starts.get(score)) for score, n in figures.histogram.items()]
