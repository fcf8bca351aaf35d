"""The analytical reports' charts, drawn on the server with Matplotlib (no browser): each one as an SVG whose
text stays text (for the PDF: searchable, in the document's typeface) and as a PNG (for the DOCX, which Word
shows everywhere). The same kinds as the pages' charts (grading.charts): stacked bars of marks, task completion
lines, the primary score histogram with the mark boundaries, the funnel plot, grouped bars, trends.

A hidden figure (None: a small group) is left out of the chart, as the table beside it shows «—». Schools are never
ordered by their results (R15): bars follow the order given (the school, then the municipality), and the funnel
plot names only the schools outside its outer limit, by code.
"""

import io
import math
import threading

import matplotlib

matplotlib.use("Agg")

from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from .report_doc import Chart

FONT = "DejaVu Serif"
MARK_COLOURS = {"2": "#c0392b", "3": "#e6a23c", "4": "#5b9bd5", "5": "#2e7d32"}
SERIES_COLOURS = ["#1f5fa8", "#d35400", "#2e7d32", "#8e44ad", "#7f8c8d", "#b03a2e"]
REFERENCE_COLOUR = "#7f7f7f"
PNG_DPI = 130

_lock = threading.Lock()  # Matplotlib's font and text caches are not thread-safe

plt.rcParams.update(
    {
        "font.family": FONT,
        "font.size": 8.5,
        "svg.fonttype": "none",  # text stays text in the SVG
        "svg.hashsalt": "vpr-portal",  # the same chart gives the same SVG
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 9.5,
        "legend.fontsize": 8,
        "legend.frameon": False,
    }
)


def _figure(width_cm: float, height_cm: float) -> Figure:
    return Figure(figsize=(width_cm / 2.54, height_cm / 2.54), layout="constrained")


def _chart(figure: Figure, caption: str, width_cm: float) -> Chart:
    svg, png = io.StringIO(), io.BytesIO()
    with _lock:
        figure.savefig(svg, format="svg", metadata={"Date": None})
        figure.savefig(png, format="png", dpi=PNG_DPI)
    return Chart(svg=svg.getvalue(), png=png.getvalue(), caption=caption, width_cm=width_cm)


def _number(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def marks_bars(caption: str, groups: list[tuple[str, dict[str, float | None]]]) -> Chart:
    """Stacked horizontal bars of the marks' shares (%), one bar per group, in the order given."""
    shown = [(label, shares) for label, shares in groups if all(shares.get(m) is not None for m in MARK_COLOURS)]
    figure = _figure(16, 2.2 + 0.8 * max(len(shown), 1))
    axes = figure.add_subplot()
    labels = [label for label, _shares in shown][::-1]
    left = [0.0] * len(labels)
    for mark, colour in MARK_COLOURS.items():
        values = [float(shares[mark]) for _label, shares in shown][::-1]
        bars = axes.barh(labels, values, left=left, color=colour, label=f"«{mark}»", height=0.6)
        for bar, value in zip(bars, values, strict=True):
            if value >= 6:
                axes.text(
                    bar.get_x() + bar.get_width() / 2,
                    bar.get_y() + bar.get_height() / 2,
                    _number(value),
                    ha="center",
                    va="center",
                    color="white",
                    fontsize=7.5,
                )
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.set_xlim(0, 100)
    axes.set_xlabel("% участников")
    axes.legend(ncols=4, loc="lower center", bbox_to_anchor=(0.5, 1.0))
    return _chart(figure, caption, 16)


def lines(
    caption: str,
    labels: list[str],
    series: list[tuple[str, list[float | None]]],
    *,
    reference: str | None = None,
    y_label: str = "%",
    y_max: float | None = 100,
) -> Chart:
    """Lines over `labels` (tasks, campaigns), one per series; a None is a gap; the `reference` series (the
    municipality) dashed and grey."""
    figure = _figure(16, 6.5)
    axes = figure.add_subplot()
    positions = list(range(len(labels)))
    colours = iter(SERIES_COLOURS)
    for name, values in series:
        ys = [math.nan if value is None else float(value) for value in values]
        if name == reference:
            axes.plot(positions, ys, "--o", color=REFERENCE_COLOUR, label=name, markersize=3, linewidth=1.2)
        else:
            axes.plot(positions, ys, "-o", color=next(colours), label=name, markersize=3.5, linewidth=1.6)
    axes.set_xticks(positions, labels, rotation=0 if len(labels) <= 20 else 90)
    if y_max is not None:
        axes.set_ylim(0, y_max)
    axes.set_ylabel(y_label)
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    axes.legend(ncols=min(len(series), 4), loc="lower center", bbox_to_anchor=(0.5, 1.0))
    return _chart(figure, caption, 16)


def grouped_bars(
    caption: str,
    labels: list[str],
    series: list[tuple[str, list[float | None]]],
    *,
    reference: str | None = None,
    y_label: str = "%",
) -> Chart:
    """Bars of groups (levels, skills, mark groups), one set per label; the `reference` series grey."""
    figure = _figure(16, 6.0)
    axes = figure.add_subplot()
    count = max(len(series), 1)
    width = 0.8 / count
    colours = iter(SERIES_COLOURS)
    for index, (name, values) in enumerate(series):
        xs = [position - 0.4 + width * (index + 0.5) for position in range(len(labels))]
        ys = [0.0 if value is None else float(value) for value in values]
        colour = REFERENCE_COLOUR if name == reference else next(colours)
        bars = axes.bar(xs, ys, width=width * 0.95, color=colour, label=name)
        for bar, value in zip(bars, values, strict=True):
            if value is not None:
                x = bar.get_x() + bar.get_width() / 2
                axes.text(x, bar.get_height() + 1, _number(value), ha="center", fontsize=6.5)
    axes.set_xticks(list(range(len(labels))), labels)
    axes.set_ylim(0, 110)
    axes.set_ylabel(y_label)
    axes.legend(ncols=min(count, 4), loc="lower center", bbox_to_anchor=(0.5, 1.0))
    return _chart(figure, caption, 16)


def histogram(caption: str, counts: dict[str, int], boundaries: list[tuple[int, str]]) -> Chart:
    """The primary scores' histogram (score → participants) with a dashed line at each mark's lowest score."""
    figure = _figure(16, 6.0)
    axes = figure.add_subplot()
    scores = [int(score) for score in counts]
    axes.bar(scores, list(counts.values()), width=0.8, color="#5b9bd5")
    top = max(counts.values(), default=0) or 1
    for score, mark in boundaries:
        axes.axvline(score - 0.5, color="#c0392b", linestyle="--", linewidth=1)
        axes.text(score - 0.4, top * 1.02, f"«{mark}»", color="#c0392b", fontsize=7.5)
    axes.set_ylim(0, top * 1.12)
    axes.set_xlabel("Первичный балл")
    axes.set_ylabel("Участников")
    if scores:
        step = 1 if len(scores) <= 25 else 2
        axes.set_xticks(scores[::step])
    return _chart(figure, caption, 16)


def funnel(
    caption: str,
    points: list[tuple[str, int, float]],
    *,
    p0: float,
    y_label: str,
    z_inner: float = 1.96,
    z_outer: float = 3.09,
) -> Chart:
    """The funnel plot: each school's share (%) against its participants, with the limits p₀ ± z·√(p₀(1 − p₀)/n)
    around the municipal share p₀ (%). `points` are (school code, n, share %); only the codes outside the outer
    limit are written beside their points."""
    figure = _figure(16, 8.0)
    axes = figure.add_subplot()
    largest = max((n for _code, n, _share in points), default=10)
    ns = [max(2, round(largest * step / 60)) for step in range(1, 61)]
    ns = sorted(set([2, 3, 4, 5, 7, 10, *ns]))
    base = p0 / 100
    for z, style in ((z_inner, ":"), (z_outer, "--")):
        upper = [100 * min(1.0, base + z * math.sqrt(base * (1 - base) / n)) for n in ns]
        lower = [100 * max(0.0, base - z * math.sqrt(base * (1 - base) / n)) for n in ns]
        label = f"±{z:g}σ".replace(".", ",")
        axes.plot(ns, upper, style, color="#555555", linewidth=1, label=label)
        axes.plot(ns, lower, style, color="#555555", linewidth=1)
    axes.axhline(p0, color="#1f5fa8", linewidth=1, label=f"муниципалитет: {_number(p0)} %")
    outside, inside = [], []
    for code, n, share in points:
        limit = z_outer * math.sqrt(base * (1 - base) / n) if n else 0
        (outside if abs(share / 100 - base) > limit else inside).append((code, n, share))
    for group, colour in ((inside, "#5b9bd5"), (outside, "#c0392b")):
        if group:  # one artist per group, not one per school: a region's hundreds of points draw at once
            axes.plot([n for _c, n, _s in group], [s for _c, _n, s in group], "o", color=colour, markersize=3.5)
    for code, n, share in outside:
        axes.annotate(code, (n, share), textcoords="offset points", xytext=(4, 3), fontsize=6.5)
    axes.set_xlabel("Участников в школе")
    axes.set_ylabel(y_label)
    axes.set_ylim(0, 100)
    axes.legend(loc="upper right")
    return _chart(figure, caption, 16)
