"""Item analysis of an assessment at the municipal level: how each task works, and how reliable the whole is.

Who counts: the participants of every school of the campaign's department, as the figures count them (present,
with a complete work); a task not attempted («X») counts 0 points.
The analysis needs at least MIN_PARTICIPANTS of them; with fewer, `item_analysis` returns None.

- difficulty p of a task = mean points / max points (a share 0…1);
- item-rest correlation of a task = Pearson's r between the task's points and the primary score minus the task's
  points; None when either has no variance (every participant with the same points). Under WEAK_ITEM_REST the
  task, or its marking, deserves a look (`weak`);
- Cronbach's α = k/(k − 1) · (1 − Σ sᵢ² / s_T²) with k tasks, sᵢ² the variance of task i and s_T² the variance of
  the primary score. Both are sample variances (divided by n − 1), as common psychometrics software computes
  them; α is None with fewer than two tasks or when the primary score has no variance.

Everything follows from sums the summary rows keep (grading/summaries.py): per task Σ points, Σ points² and
Σ points × primary score, and the number of participants, Σ primary score and Σ primary score² — computed in
exact integers, so no participant's row is read. Tasks come in the catalogue's order, never ordered by a
figure.
"""

import math
from dataclasses import dataclass
from fractions import Fraction

from django.db.models import BigIntegerField, F, Sum

from procedures.models import Assessment, Task

from .cache import cached, stamped
from .models import ResultSummary, TaskSummary

MIN_PARTICIPANTS = 30
WEAK_ITEM_REST = 0.2


@dataclass(frozen=True)
class ItemFigures:
    label: str
    level: str  # Б, П or В
    skill: str  # the кодификатор position
    max_points: int
    difficulty: float  # mean points / max, 0…1
    item_rest: float | None  # None when a variance is 0
    weak: bool  # item_rest < WEAK_ITEM_REST


@dataclass(frozen=True)
class ItemAnalysis:
    participants: int
    alpha: float | None
    items: list[ItemFigures]


def _variation(n: int, total: int, squares: int) -> int:
    """n² × the population variance, exactly: n Σx² − (Σx)²."""
    return n * squares - total * total


def item_analysis(assessment: Assessment) -> ItemAnalysis | None:
    """The item analysis of the assessment over the municipality (every school of the campaign's department), or
    None under MIN_PARTICIPANTS participants. Three queries over the summary rows, whatever the number of
    participants and schools (cached until the assessment's summary rows change, grading/cache.py)."""
    return cached("item_analysis", stamped([assessment.pk]), lambda: _item_analysis(assessment))


def _item_analysis(assessment: Assessment) -> ItemAnalysis | None:
    tasks = list(
        Task.objects.filter(assessment=assessment)
        .order_by("position")
        .values_list("pk", "label", "difficulty", "skill", "max_points")
    )
    municipal = {"assessment": assessment, "school__department_id": F("assessment__campaign__department_id")}
    big = BigIntegerField()
    totals = ResultSummary.objects.filter(**municipal).aggregate(
        participants=Sum("n"),
        scores=Sum(F("n") * F("primary_score"), output_field=big),
        squares=Sum(F("n") * F("primary_score") * F("primary_score"), output_field=big),
    )
    sums = {
        row["task_id"]: (int(row["x"]), int(row["xx"]), int(row["xt"]))
        for row in TaskSummary.objects.filter(**municipal)
        .values("task_id")
        .annotate(x=Sum("points"), xx=Sum("points_squared"), xt=Sum("points_by_total"))
        .order_by()
    }
    n = int(totals["participants"] or 0)
    if n < MIN_PARTICIPANTS or not tasks:
        return None
    score_sum, score_squares = int(totals["scores"] or 0), int(totals["squares"] or 0)
    total_variation = _variation(n, score_sum, score_squares)
    items, task_variations = [], 0
    for pk, label, level, skill, max_points in tasks:
        x, xx, xt = sums.get(pk, (0, 0, 0))
        variation = _variation(n, x, xx)
        task_variations += variation
        # the rest R = T − x: n² cov(x, R) and n² var(R) from the same sums
        covariation = n * xt - x * score_sum - variation
        rest_variation = total_variation - 2 * (n * xt - x * score_sum) + variation
        item_rest = (
            None
            if variation == 0 or rest_variation == 0
            else covariation / (math.sqrt(variation) * math.sqrt(rest_variation))
        )
        items.append(
            ItemFigures(
                label=label,
                level=level,
                skill=skill,
                max_points=max_points,
                difficulty=float(Fraction(x, n * max_points)),
                item_rest=item_rest,
                weak=item_rest is not None and item_rest < WEAK_ITEM_REST,
            )
        )
    k = len(tasks)
    alpha = None
    if k >= 2 and total_variation != 0:
        # the sample variances' n − 1 cancels in the ratio
        alpha = float(Fraction(k, k - 1) * (1 - Fraction(task_variations, total_variation)))
    return ItemAnalysis(participants=n, alpha=alpha, items=items)
