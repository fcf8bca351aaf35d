"""Completion of groups of tasks and of groups of participants (docs/glossary.md, «Показатели»), and the small
groups' complementary suppression: pure functions of a `grading.figures.Tally`, no database.

- by level: the tasks of one level Б, П or В together, completion = 100 × Σ points / (Σ max × participants);
- by skill: the tasks of one кодификатор position (`Task.skill`) together, by the same formula;
- by mark group: the participants with «2», «3», «4», «5» separately (ФИС ОКО «Выполнение заданий группами
  участников»), each task's completion = 100 × Σ points of the group / (max × the group's participants).

The participants are those of the figures (present, with a complete result: a mark), counted from the tally's
`results` as `figures_compute` counts them, so these numbers agree with the figures shown beside them. Rounded
half up to one decimal from exact fractions, as every figure is. `tasks` are in the assessment's order and need
`pk`, `label`, `max_points`, and for levels and skills `difficulty` and `skill` (procedures.models.Task).

Small groups in department views: a group under HIDDEN_BELOW participants shows no percentages, and when that
hides exactly one group of a set whose total is shown, the smallest other one is hidden too (`complementary`),
so that no hidden figure follows from the total minus the others. The municipal pages use the same rule for
schools (reports/suppression.py), the school's pages for its classes and for the mark groups.
"""

from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from fractions import Fraction

from .figures import HIDDEN_BELOW, MARKS, Tally, round_half_up

LEVELS = ("Б", "П", "В")


def participants_of(tally: Tally) -> int:
    """The participants the figures count: those with a complete result (a mark)."""
    return sum(n for key, n in tally.results.items() if key[1] is not None)


def mark_participants(tally: Tally) -> dict[str, int]:
    """«2»…«5» → the participants with that mark."""
    counts = dict.fromkeys(MARKS, 0)
    for (_score, mark, _journal), n in tally.results.items():
        if mark is not None and str(mark) in counts:
            counts[str(mark)] += n
    return counts


def sum_tallies(parts: Iterable[Tally]) -> Tally:
    """One tally of several groups (the municipality from its schools, a school from its classes)."""
    total = Tally()
    for tally in parts:
        total.absent += tally.absent
        total.present += tally.present
        total.results.update(tally.results)
        total.task_points.update(tally.task_points)
        total.task_points_by_mark.update(tally.task_points_by_mark)
    return total


def group_share(points: int, max_points: int, participants: int) -> float | None:
    """100 × points / (max points × participants), rounded half up; None when there is nothing to divide."""
    whole = max_points * participants
    return round_half_up(Fraction(100 * points, whole)) if whole else None


def complementary(sizes: dict[Hashable, int], *, order: Callable[[Hashable], object] = lambda key: key) -> set:
    """The groups a department view hides: those with 1…HIDDEN_BELOW−1 participants, and when that is exactly one
    group, also the smallest other one (by participants, then `order`), so that the hidden one does not follow
    from the total minus the rest. Groups without participants show nothing anyway and count for neither."""
    present = {key: n for key, n in sizes.items() if n > 0}
    hidden = {key for key, n in present.items() if n < HIDDEN_BELOW}
    others = [key for key in present if key not in hidden]
    if len(hidden) == 1 and others:
        hidden.add(min(others, key=lambda key: (present[key], order(key))))
    return hidden


@dataclass(frozen=True)
class TaskGroup:
    """Completion of a group of tasks (a level or a skill) by one group of participants."""

    key: str  # the level letter or the skill
    labels: tuple[str, ...]  # the tasks of the group, in the assessment's order
    max_points: int  # Σ max of the group's tasks
    share: float | None  # None: hidden, or no participant


def _task_groups(tally: Tally, tasks: list, key: Callable, *, hidden: bool, keys: Iterable[str] | None = None):
    participants = participants_of(tally)
    grouped: dict[str, list] = {}
    for known in keys or ():
        grouped[known] = []
    for task in tasks:
        grouped.setdefault(key(task), []).append(task)
    return [
        TaskGroup(
            key=name,
            labels=tuple(task.label for task in members),
            max_points=sum(task.max_points for task in members),
            share=None
            if hidden
            else group_share(
                sum(tally.task_points.get(task.pk, 0) for task in members),
                sum(task.max_points for task in members),
                participants,
            ),
        )
        for name, members in grouped.items()
        if members
    ]


def completion_by_level(tally: Tally, tasks: list, *, hidden: bool = False) -> list[TaskGroup]:
    """Completion of the Б, П and В tasks (the levels the assessment has, in that order)."""
    return _task_groups(tally, tasks, lambda task: task.difficulty, hidden=hidden, keys=LEVELS)


def completion_by_skill(tally: Tally, tasks: list, *, hidden: bool = False) -> list[TaskGroup]:
    """Completion of each skill's tasks, the skills in the order of their first task; tasks without a skill
    form a group of their own with the key ""."""
    return _task_groups(tally, tasks, lambda task: (task.skill or "").strip(), hidden=hidden)


@dataclass(frozen=True)
class MarkGroup:
    """The participants with one mark: how many, and each task's completion among them."""

    mark: str
    participants: int
    tasks: dict[str, float | None]  # task label → completion %, None when hidden or nobody has the mark
    hidden: bool
    whole_hidden: bool = False  # the whole group of participants is hidden: not even the count is shown


def completion_by_mark(tally: Tally, tasks: list, *, hide_small: bool = False, hidden: bool = False) -> list[MarkGroup]:
    """Each task's completion by the participants of each mark «2»…«5». With `hide_small` (department views), a
    mark group under HIDDEN_BELOW participants is hidden with its complement; `hidden` hides every group (the
    whole group of participants is hidden)."""
    counts = mark_participants(tally)
    by_mark: Counter = Counter()
    for (mark, task_id), points in tally.task_points_by_mark.items():
        if mark is not None:
            by_mark[(str(mark), task_id)] += points
    suppressed = set(MARKS) if hidden else (complementary(counts) if hide_small else set())
    return [
        MarkGroup(
            mark=mark,
            participants=counts[mark],
            tasks={
                task.label: None
                if mark in suppressed
                else group_share(by_mark.get((mark, task.pk), 0), task.max_points, counts[mark])
                for task in tasks
            },
            hidden=mark in suppressed,
            whole_hidden=hidden,
        )
        for mark in MARKS
    ]


def side_by_side(*columns: list[TaskGroup]) -> list[tuple[TaskGroup, list[float | None]]]:
    """Rows of a table of groups of tasks with one column per group of participants (the school, the
    municipality…): the first column's groups, each with every column's share of the same key."""
    if not columns:
        return []
    by_key = [{group.key: group.share for group in column} for column in columns]
    return [(group, [shares.get(group.key) for shares in by_key]) for group in columns[0]]
