"""Marker agreement of a re-check (docs/recheck.md, «Согласованность оценивания»): how the original
experts' scores agree with the commission's final scores, per original expert (the work's `Work.expert`) and per
task, over the re-checked works with a final result.

- exact: % of the task scores equal to the commission's final ones; n the (work, task) pairs;
- adjacent: % within one point; n the same pairs;
- mean difference: the mean of original − final primary score over the works (a positive figure: the original
  expert scored higher); per task, of the task's points; n the works (per task, the pairs);
- κ: quadratic-weighted Cohen's κ over the marks 2…5 of the works, κ_w = 1 − Σ wᵢⱼ oᵢⱼ / Σ wᵢⱼ eᵢⱼ with
  wᵢⱼ = (i − j)² / 9, oᵢⱼ the share of works with original mark i and final mark j and eᵢⱼ the product of the
  marginal shares; undefined (None, «—») when Σ wᵢⱼ eᵢⱼ = 0, e.g. every work has the same mark in both.

A task's final score is the third expert's where they scored it, else the commission expert's; «не приступал»
counts 0, as in the figures. Percentages are rounded half up to one decimal, the mean difference half away from
zero to one decimal, κ to two decimals. The cards are shown to the department and to the expert themself, ordered
by the expert's name, never by a figure (R15: no rating of teachers).

Everything is computed with a fixed number of queries and numpy over the pairs, for any number of works.
"""

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from django.db.models import QuerySet

from grading.figures import round_half_up

MARKS = (2, 3, 4, 5)


def signed_round(value: Fraction | None, places: int = 1) -> float | None:
    """Rounds half away from zero (the project's half up, applied to the magnitude): −0.25 → −0.3."""
    if value is None:
        return None
    rounded = round_half_up(abs(value), places)
    return -rounded if value < 0 else rounded


def weighted_kappa(pairs) -> Fraction | None:
    """Quadratic-weighted Cohen's κ of (original mark, final mark) pairs over the marks 2…5 (docs/recheck.md,
    «Согласованность оценивания»): κ_w = 1 − Σ wᵢⱼ oᵢⱼ / Σ wᵢⱼ eᵢⱼ, wᵢⱼ = (i − j)² / 9. Exact; None when
    undefined (no pairs, or Σ wᵢⱼ eᵢⱼ = 0: no variance to agree on)."""
    observed = np.zeros((4, 4), dtype=np.int64)
    for original, final in pairs:
        observed[int(original) - 2, int(final) - 2] += 1
    return _kappa_of(observed)


def _kappa_of(observed: np.ndarray) -> Fraction | None:
    n = int(observed.sum())
    if not n:
        return None
    index = np.arange(4)
    squared = (index[:, None] - index[None, :]) ** 2  # the weights × 9: the 9 cancels
    rows, columns = observed.sum(axis=1), observed.sum(axis=0)
    disagreement = int((squared * observed).sum()) * n  # Σ w o, scaled by 9 n²
    expected = int((squared * np.outer(rows, columns)).sum())  # Σ w e, scaled by 9 n²
    if not expected:
        return None
    return 1 - Fraction(disagreement, expected)


@dataclass(frozen=True)
class TaskAgreement:
    """One task's figures: its label (with the assessment's code when the cards span several)."""

    task_id: int
    label: str
    n: int
    exact: float | None
    adjacent: float | None
    mean_difference: float | None


@dataclass
class ExpertAgreement:
    """One original expert's card. `staff_id` None: the works whose original expert is not recorded."""

    staff_id: int | None
    name: str
    position: str
    school_code: str
    user_id: int | None
    works: int  # works re-checked with a final result
    pairs: int  # task scores compared
    exact: float | None
    adjacent: float | None
    mean_difference: float | None  # primary score, original − final, over the works
    kappa: float | None
    changed_marks: int
    tasks: list[TaskAgreement] = field(default_factory=list)


@dataclass
class Agreement:
    """The cards by expert name, and the figures over every re-checked work (the commission's whole view)."""

    experts: list[ExpertAgreement]
    overall: ExpertAgreement | None
    works: int


def _percent(part: int, whole: int) -> float | None:
    return round_half_up(Fraction(100 * part, whole)) if whole else None


def _mean(total: int, whole: int) -> float | None:
    return signed_round(Fraction(total, whole)) if whole else None


def _points(values: np.ndarray, not_attempted: np.ndarray) -> np.ndarray:
    """A column of task scores as points: «не приступал» counts 0."""
    return np.array(
        [0 if skipped or value is None else value for value, skipped in zip(values, not_attempted, strict=True)],
        dtype=np.int64,
    )


def _final_recheck_works(recheck_works):
    from monitoring.models import RecheckWork

    if isinstance(recheck_works, QuerySet):
        chosen = recheck_works
    else:
        chosen = RecheckWork.objects.filter(pk__in=[each.pk for each in recheck_works])
    return chosen.filter(
        status=RecheckWork.Status.FINAL,
        final_mark__isnull=False,
        final_primary_score__isnull=False,
        original_mark__isnull=False,
        original_primary_score__isnull=False,
    )


def marker_agreement(recheck_works) -> Agreement:
    """The marker agreement of the re-checked works (a queryset or an iterable of `RecheckWork`), over those with
    a final result: each original expert's card ordered by name (R15: never by a figure), the per-task tables,
    and the figures over all of them. Four queries."""
    from grading.models import Score
    from monitoring.models import RecheckScore
    from procedures.models import Task
    from schools.models import Staff

    final = _final_recheck_works(recheck_works)
    rows = list(
        final.values_list(
            "pk",
            "work_id",
            "work__expert_id",
            "original_primary_score",
            "original_mark",
            "final_primary_score",
            "final_mark",
        )
    )
    if not rows:
        return Agreement(experts=[], overall=None, works=0)
    recheck_ids = np.array([row[0] for row in rows], dtype=np.int64)
    work_ids = np.array([row[1] for row in rows], dtype=np.int64)
    experts_of_rows = [row[2] for row in rows]
    expert_ids = sorted({e for e in experts_of_rows if e is not None})
    expert_index = {e: i for i, e in enumerate(expert_ids)}
    none_index = len(expert_ids)
    work_expert = np.array([expert_index[e] if e is not None else none_index for e in experts_of_rows], dtype=np.int64)
    original_total = np.array([row[3] for row in rows], dtype=np.int64)
    original_mark = np.array([row[4] for row in rows], dtype=np.int64)
    final_total = np.array([row[5] for row in rows], dtype=np.int64)
    final_mark = np.array([row[6] for row in rows], dtype=np.int64)

    # The final task scores: the third round's where it is, else the first's (not attempted: 0).
    recheck_scores = np.array(
        list(
            RecheckScore.objects.filter(recheck_work__in=final)
            .exclude(value__isnull=True, not_attempted=False)
            .values_list("recheck_work_id", "task_id", "round", "value", "not_attempted")
        )
        or np.empty((0, 5)),
        dtype=object,
    )
    originals = np.array(
        list(
            Score.objects.filter(work__recheck__in=final)
            .exclude(value__isnull=True, not_attempted=False)
            .values_list("work_id", "task_id", "value", "not_attempted")
        )
        or np.empty((0, 4)),
        dtype=object,
    )
    task_ids = sorted(
        set(recheck_scores[:, 1].astype(np.int64).tolist()) | set(originals[:, 1].astype(np.int64).tolist())
    )
    task_index = {t: i for i, t in enumerate(task_ids)}
    n_tasks, n_works = len(task_ids), len(rows)

    def grid(work_positions, tasks, values) -> np.ndarray:
        out = np.full((n_works, max(n_tasks, 1)), -1, dtype=np.int64)
        if len(work_positions):
            out[work_positions, tasks] = values
        return out

    row_of_recheck = {pk: i for i, pk in enumerate(recheck_ids.tolist())}
    row_of_work = {pk: i for i, pk in enumerate(work_ids.tolist())}
    final_grid = np.full((n_works, max(n_tasks, 1)), -1, dtype=np.int64)
    if len(recheck_scores):
        positions = np.array([row_of_recheck[pk] for pk in recheck_scores[:, 0].tolist()], dtype=np.int64)
        tasks = np.array([task_index[t] for t in recheck_scores[:, 1].tolist()], dtype=np.int64)
        values = _points(recheck_scores[:, 3], recheck_scores[:, 4])
        third = recheck_scores[:, 2] == RecheckScore.Round.THIRD
        final_grid = grid(positions[~third], tasks[~third], values[~third])
        final_grid[positions[third], tasks[third]] = values[third]
    original_grid = np.full((n_works, max(n_tasks, 1)), -1, dtype=np.int64)
    if len(originals):
        positions = np.array([row_of_work[pk] for pk in originals[:, 0].tolist()], dtype=np.int64)
        tasks = np.array([task_index[t] for t in originals[:, 1].tolist()], dtype=np.int64)
        values = _points(originals[:, 2], originals[:, 3])
        original_grid = grid(positions, tasks, values)

    both = (final_grid >= 0) & (original_grid >= 0)
    difference = np.where(both, original_grid - final_grid, 0)
    exact = both & (difference == 0)
    adjacent = both & (np.abs(difference) <= 1)

    groups = none_index + 1
    # per expert × task sums, one bincount each
    flat = work_expert[:, None] * max(n_tasks, 1) + np.arange(max(n_tasks, 1))[None, :]
    size = groups * max(n_tasks, 1)

    def by_expert_task(values: np.ndarray) -> np.ndarray:
        return (
            np.bincount(flat.ravel(), weights=values.ravel().astype(np.float64), minlength=size)
            .reshape(groups, max(n_tasks, 1))
            .astype(np.int64)
        )

    pairs_et, exact_et, adjacent_et, difference_et = (
        by_expert_task(both),
        by_expert_task(exact),
        by_expert_task(adjacent),
        by_expert_task(difference),
    )
    works_e = np.bincount(work_expert, minlength=groups)
    total_difference_e = np.bincount(work_expert, weights=original_total - final_total, minlength=groups).astype(
        np.int64
    )
    changed_e = np.bincount(work_expert, weights=original_mark != final_mark, minlength=groups).astype(np.int64)
    marks_cell = (work_expert * 16 + (original_mark - 2) * 4 + (final_mark - 2)).astype(np.int64)
    observed_e = np.bincount(marks_cell, minlength=groups * 16).reshape(groups, 4, 4)

    tasks_meta = {
        pk: (label, code, position)
        for pk, label, code, position in Task.objects.filter(pk__in=task_ids).values_list(
            "pk", "label", "assessment__code", "position"
        )
    }
    several = len({code for _label, code, _position in tasks_meta.values()}) > 1
    task_order = sorted(range(n_tasks), key=lambda i: (tasks_meta[task_ids[i]][1], tasks_meta[task_ids[i]][2]))

    def task_label(i: int) -> str:
        label, code, _position = tasks_meta[task_ids[i]]
        return f"{code} · {label}" if several else label

    def task_rows(pairs, exacts, adjacents, differences) -> list[TaskAgreement]:
        return [
            TaskAgreement(
                task_id=task_ids[i],
                label=task_label(i),
                n=int(pairs[i]),
                exact=_percent(int(exacts[i]), int(pairs[i])),
                adjacent=_percent(int(adjacents[i]), int(pairs[i])),
                mean_difference=_mean(int(differences[i]), int(pairs[i])),
            )
            for i in task_order
            if pairs[i]
        ]

    def card(g: int | None, staff=None) -> ExpertAgreement:
        if g is None:  # over every work
            pairs, exacts, adjacents, differences = (
                pairs_et.sum(axis=0),
                exact_et.sum(axis=0),
                adjacent_et.sum(axis=0),
                difference_et.sum(axis=0),
            )
            works, total_difference, changed = int(works_e.sum()), int(total_difference_e.sum()), int(changed_e.sum())
            observed = observed_e.sum(axis=0)
        else:
            pairs, exacts, adjacents, differences = pairs_et[g], exact_et[g], adjacent_et[g], difference_et[g]
            works, total_difference, changed = int(works_e[g]), int(total_difference_e[g]), int(changed_e[g])
            observed = observed_e[g]
        n_pairs = int(pairs.sum())
        kappa = _kappa_of(observed)
        return ExpertAgreement(
            staff_id=staff.pk if staff else None,
            name=staff.full_name if staff else "",
            position=staff.position if staff else "",
            school_code=staff.school.code if staff else "",
            user_id=staff.user_id if staff else None,
            works=works,
            pairs=n_pairs,
            exact=_percent(int(exacts.sum()), n_pairs),
            adjacent=_percent(int(adjacents.sum()), n_pairs),
            mean_difference=_mean(total_difference, works),
            kappa=signed_round(kappa, 2),
            changed_marks=changed,
            tasks=task_rows(pairs, exacts, adjacents, differences),
        )

    staff = {s.pk: s for s in Staff.objects.filter(pk__in=expert_ids).select_related("school")}
    cards = [card(expert_index[pk], staff[pk]) for pk in expert_ids if works_e[expert_index[pk]]]
    cards.sort(key=lambda c: (c.name.casefold(), c.school_code, c.staff_id))
    if works_e[none_index]:
        cards.append(card(none_index))
    return Agreement(experts=cards, overall=card(None), works=n_works)
