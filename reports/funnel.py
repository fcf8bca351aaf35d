"""The funnel plot (docs/glossary.md): schools compared without a league table (R15).

Each school's share of a mark group (of «2», or of «4» and «5») is plotted against its number of participants n,
with limits p₀ ± z·√(p₀(1 − p₀)/n) around the municipal share p₀, z = 1.96 (inner, ~95 %) and z = 3.09 (outer,
~99.8 %), clipped to 0…100 %. A school outside the outer limit is worth a look; nothing is ordered by a result:
the points come in the order given (the schools' codes).

Pure functions: counts in, shares and limits out. Shares and limits are percentages; a school's position is
decided on the unrounded share count/n against p₀ ± z·sd (never on the rounded figure shown), and the shares
shown are rounded half up to one decimal as every figure is.
"""

from dataclasses import dataclass
from fractions import Fraction
from math import sqrt

from django.utils.translation import gettext as _

from grading.figures import round_half_up

Z_INNER = 1.96
Z_OUTER = 3.09
CURVE_POINTS = 120  # at most, for drawing the limits

INSIDE = "inside"
ABOVE_INNER, ABOVE_OUTER = "above_inner", "above_outer"
BELOW_INNER, BELOW_OUTER = "below_inner", "below_outer"


def limits(p0: Fraction | float, n: int, z: float) -> tuple[float, float]:
    """(lower, upper) in % for a group of n around the share p0 (0…1), clipped to 0…100."""
    p0 = float(p0)
    spread = z * sqrt(p0 * (1 - p0) / n)
    return 100 * max(0.0, p0 - spread), 100 * min(1.0, p0 + spread)


def position(count: int, n: int, p0: Fraction | float) -> str:
    """Where the share count/n lies against the limits at n: inside, or beyond the inner or the outer one."""
    share = count / n
    p0 = float(p0)
    for z, above, below in ((Z_OUTER, ABOVE_OUTER, BELOW_OUTER), (Z_INNER, ABOVE_INNER, BELOW_INNER)):
        spread = z * sqrt(p0 * (1 - p0) / n)
        if share > p0 + spread:
            return above
        if share < p0 - spread:
            return below
    return INSIDE


@dataclass(frozen=True)
class FunnelPoint:
    code: str
    n: int
    count: int
    share: float  # %, one decimal
    inner: tuple[float, float]  # (lower, upper) %, at this n
    outer: tuple[float, float]
    position: str

    @property
    def outside_inner(self) -> bool:
        return self.position != INSIDE

    @property
    def outside_outer(self) -> bool:
        return self.position in (ABOVE_OUTER, BELOW_OUTER)


@dataclass(frozen=True)
class Funnel:
    p0: float | None  # the municipal share, %, one decimal; None without participants
    points: list[FunnelPoint]
    curve: list[tuple[int, float, float, float, float]]  # (n, inner lower, inner upper, outer lower, outer upper)


def curve_sizes(largest: int, *, smallest: int = 1, steps: int = CURVE_POINTS) -> list[int]:
    """The n at which the limits are drawn: every n up to `steps`, beyond that spread evenly (and the largest)."""
    if largest < smallest:
        return []
    if largest - smallest < steps:
        return list(range(smallest, largest + 1))
    step = (largest - smallest) / (steps - 1)
    return sorted({smallest + round(i * step) for i in range(steps)} | {largest})


def funnel(groups: list[tuple[str, int, int]], *, total: int, total_count: int, smallest: int = 1) -> Funnel:
    """The funnel of `groups` (code, participants n, participants in the mark group), in the order given, around
    the municipal share p0 = total_count / total. Groups without participants are left out."""
    if not total:
        return Funnel(p0=None, points=[], curve=[])
    p0 = Fraction(total_count, total)
    points = [
        FunnelPoint(
            code=code,
            n=n,
            count=count,
            share=round_half_up(Fraction(100 * count, n)),
            inner=limits(p0, n, Z_INNER),
            outer=limits(p0, n, Z_OUTER),
            position=position(count, n, p0),
        )
        for code, n, count in groups
        if n
    ]
    largest = max([point.n for point in points], default=0)
    curve = [(n, *limits(p0, n, Z_INNER), *limits(p0, n, Z_OUTER)) for n in curve_sizes(largest, smallest=smallest)]
    return Funnel(p0=round_half_up(100 * p0), points=points, curve=curve)


def funnel_chart(plot: Funnel, *, title: str, y_label: str) -> dict | None:
    """The JSON static/js/charts.js draws the funnel from (None without participants)."""
    if plot.p0 is None:
        return None
    return {
        "type": "funnel",
        "title": title,
        "p0": plot.p0,
        "curve": [
            {"n": n, "inner_lower": il, "inner_upper": iu, "outer_lower": ol, "outer_upper": ou}
            for n, il, iu, ol, ou in plot.curve
        ],
        "points": [
            {
                "code": point.code,
                "n": point.n,
                "share": point.share,
                "outside_inner": point.outside_inner,
                "outside_outer": point.outside_outer,
            }
            for point in plot.points
        ],
        "points_label": _("Школы"),
        "p0_label": _("Муниципалитет"),
        "inner_label": _("Границы 95 % (z = 1,96)"),
        "outer_label": _("Границы 99,8 % (z = 3,09)"),
        "x_label": _("Участников в школе"),
        "y_label": y_label,
    }
