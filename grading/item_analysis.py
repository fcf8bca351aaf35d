"""Item analysis of an assessment at the municipal level: how each task works, and how reliable the whole is.

Who counts: the participants of every school of the campaign's department, as the figures count them
(`grading.figures.counted_scores`: present, with a complete work); a task not attempted («X») counts 0 points.
The analysis needs at least MIN_PARTICIPANTS of them; with fewer, `item_analysis` returns None.

- difficulty p of a task = mean points / max points (a share 0…1);
- item-rest correlation of a task = Pearson's r between the task's points and the primary score minus the task's
  points; None when either has no variance (every participant with the same points). Under WEAK_ITEM_REST the
  task, or its marking, deserves a look (`weak`);
- Cronbach's α = k/(k − 1) · (1 − Σ sᵢ² / s_T²) with k tasks, sᵢ² the variance of task i and s_T² the variance of
  the primary score. Both are sample variances (divided by n − 1), as common psychometrics software computes
  them; α is None with fewer than two tasks or when the primary score has no variance.

Tasks come in the catalogue's order, never ordered by a figure. Two queries for any number of participants: the
tasks, and every counted score of the assessment.
"""

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.db.models import F

from procedures.models import Assessment, Task

from .figures import counted_scores

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


def _pearson(x: np.ndarray, y: np.ndarray) -> float | None:
    """Pearson's r, or None when x or y is constant."""
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return None
    return float(np.corrcoef(x, y)[0, 1])


def _alpha(matrix: np.ndarray) -> float | None:
    """Cronbach's α of a participants × tasks matrix, with sample variances (ddof=1)."""
    k = matrix.shape[1]
    total_variance = matrix.sum(axis=1).var(ddof=1)
    if k < 2 or total_variance == 0:
        return None
    return float(k / (k - 1) * (1 - matrix.var(axis=0, ddof=1).sum() / total_variance))


def item_analysis(assessment: Assessment) -> ItemAnalysis | None:
    """The item analysis of the assessment over the municipality (every school of the campaign's department), or
    None under MIN_PARTICIPANTS participants. Two queries."""
    tasks = list(
        Task.objects.filter(assessment=assessment)
        .order_by("position")
        .values_list("pk", "label", "difficulty", "skill", "max_points")
    )
    rows = (
        counted_scores(assessment)
        .filter(work__school__department_id=F("work__assessment__campaign__department_id"))
        .values_list("work_id", "task_id", "value")
        .order_by()
    )
    points: dict[int, dict[int, int]] = defaultdict(dict)
    for work_id, task_id, value in rows:
        points[work_id][task_id] = value or 0  # «X» counts 0
    if len(points) < MIN_PARTICIPANTS or not tasks:
        return None
    matrix = np.array(
        [[by_task.get(pk, 0) for pk, *_rest in tasks] for by_task in points.values()],
        dtype=float,
    )
    totals = matrix.sum(axis=1)
    items = []
    for column, (_pk, label, level, skill, max_points) in enumerate(tasks):
        task_points = matrix[:, column]
        item_rest = _pearson(task_points, totals - task_points)
        items.append(
            ItemFigures(
                label=label,
                level=level,
                skill=skill,
                max_points=max_points,
                difficulty=float(task_points.mean() / max_points),
                item_rest=item_rest,
                weak=item_rest is not None and item_rest < WEAK_ITEM_REST,
            )
        )
    return ItemAnalysis(participants=len(points), alpha=_alpha(matrix), items=items)
