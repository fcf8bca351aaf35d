"""How the demo's pupils do in a ВПР work, and the patterns planted in it.

Each pupil has a stable ability (drawn from a seed of the pupil's name), so that a cohort does about as well in
4th grade as in 5th; each school has a small offset of its own. A task of `max` points is scored as a binomial
draw whose chance falls from базовый to повышенный and высокий tasks. With these alone no school stands out.

On top of that a few school × assessment pairs carry a planted pattern, one for each kind of objectivity signal
the department will look for, so that each has a school to show:

- bunching: scores just below the lowest score of «4» or of «5» are raised to it;
- inverted difficulty: базовый tasks done worse, повышенный and высокий better than elsewhere;
- journal gap: a quarter of the journal marks two marks away from the ВПР mark;
- high results: the school does far better than the municipality in that work;
- stable low: every year a large share of «2» in the same work.
"""

import functools
import math
import random
from dataclasses import dataclass

BUNCHING, INVERTED, JOURNAL_GAP, HIGH, STABLE_LOW = (
    "boundary_bunching",
    "inverted_difficulty",
    "journal_gap",
    "high_results",
    "stable_low",
)


@dataclass(frozen=True)
class Pattern:
    kind: str
    school: str
    assessment: str
    springs: str = "all"  # "all" years, or "last": only the latest finished campaign


PATTERNS = (
    Pattern(BUNCHING, "sch660002", "RU-4", "last"),
    Pattern(INVERTED, "sch660006", "MA-5", "last"),
    Pattern(JOURNAL_GAP, "sch660008", "RU-5", "last"),
    Pattern(HIGH, "sch660003", "RU-6", "last"),
    Pattern(STABLE_LOW, "sch660011", "MA-4"),
)

LEVEL_EASE = {"Б": 0.9, "П": -0.1, "В": -0.7}
SLOPE = 0.9
# Abilities at which a work's ease is calibrated: a fixed grid over the standard normal, with its weights.
GRID = [(-2.5 + 0.25 * i, math.exp(-((-2.5 + 0.25 * i) ** 2) / 2)) for i in range(21)]
ABSENT_SHARE = 0.04
JOURNAL_SHARE = 0.9  # participants whose journal mark the school fills in


def patterns_of(*, school: str, assessment: str, last: bool) -> set[str]:
    """The kinds planted in this school × assessment in a campaign (`last`: the latest finished one)."""
    return {
        p.kind for p in PATTERNS if p.school == school and p.assessment == assessment and (p.springs == "all" or last)
    }


def school_offset(school: str) -> float:
    return random.Random(f"demo-school:{school}").uniform(-0.15, 0.15)


def pupil_ability(pupil_key: str) -> float:
    return random.Random(f"demo-pupil:{pupil_key}").gauss(0.0, 1.0)


def _chance(ability: float, level: str, ease: float = 0.0) -> float:
    return 1.0 / (1.0 + math.exp(-(SLOPE * ability + LEVEL_EASE.get(level, 0.0) + ease)))


@functools.cache
def work_ease(tasks: tuple[tuple[int, str], ...], scale: tuple[int, int, int]) -> float:
    """The ease of a work that puts the municipality's mean score just below the lowest score of «4» (as in
    the real results: few «2», most «3» and «4»): found by bisection over the abilities of `GRID`."""
    target = scale[1] - 0.15 * (scale[1] - scale[0])
    total = sum(weight for _ability, weight in GRID)

    def mean_score(ease: float) -> float:
        return (
            sum(
                weight * sum(maximum * _chance(ability, level, ease) for maximum, level in tasks)
                for ability, weight in GRID
            )
            / total
        )

    low, high = -6.0, 6.0
    for _step in range(40):
        middle = (low + high) / 2
        low, high = (middle, high) if mean_score(middle) < target else (low, middle)
    return (low + high) / 2


@dataclass(frozen=True)
class DemoResult:
    absent: bool
    variant: int | None = None
    cells: tuple[tuple[int | None, bool], ...] = ()  # (points, not attempted) per task
    journal_mark: int | None = None


def _binomial(rng: random.Random, n: int, p: float) -> int:
    return sum(rng.random() < p for _ in range(n))


def _raise_to(points: list[int], maxima: list[int], target: int) -> None:
    """Adds points to tasks not at their maximum, from the last task backwards, until the sum is `target`."""
    for index in reversed(range(len(points))):
        room = min(maxima[index] - points[index], target - sum(points))
        if room > 0:
            points[index] += room


def demo_result(
    rng: random.Random,
    *,
    ability: float,
    tasks: list[tuple[int, str]],
    scale: dict[str, int],
    kinds: set[str],
) -> DemoResult:
    """One participant's row of the results form: `tasks` are (max, level) in order, `scale` the lowest scores of
    «3», «4», «5»."""
    if rng.random() < ABSENT_SHARE:
        return DemoResult(absent=True, journal_mark=rng.choice((3, 4, 4, 5)))
    if HIGH in kinds:
        ability += 2.2
    if STABLE_LOW in kinds:
        ability -= 1.6
    ease = work_ease(tuple(tasks), (int(scale["3"]), int(scale["4"]), int(scale["5"])))
    points = []
    for maximum, level in tasks:
        shift = 0.0
        if INVERTED in kinds:
            shift = -1.6 if level == "Б" else 1.8
        points.append(_binomial(rng, maximum, _chance(ability + shift, level, ease)))
    maxima = [maximum for maximum, _level in tasks]
    for boundary in (int(scale["4"]), int(scale["5"])):
        if BUNCHING in kinds and boundary - 2 <= sum(points) < boundary:
            _raise_to(points, maxima, boundary)
    cells = tuple((None, True) if p == 0 and rng.random() < 0.3 else (p, False) for p in points)
    mark = mark_of(sum(points), scale)
    journal = None
    if rng.random() < JOURNAL_SHARE:
        if JOURNAL_GAP in kinds and rng.random() < 0.25:
            journal = mark + 2 if mark <= 3 else mark - 2
        else:
            journal = min(5, max(2, mark + rng.choice((-1, 0, 0, 0, 0, 1))))
    return DemoResult(absent=False, variant=rng.randint(1, 2), cells=cells, journal_mark=journal)


def mark_of(score: int, scale: dict[str, int]) -> int:
    for mark in (5, 4, 3):
        if score >= int(scale[str(mark)]):
            return mark
    return 2
