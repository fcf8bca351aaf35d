"""The figures of an assessment's results, computed in one place for every screen, document, export and command.

Who counts. A participant who writes the assessment (status «пишет»; the exempt are nowhere) is either absent
(`absent`, counted apart) or present. The figures are over the present participants whose work has a complete
result (every task graded, `Work.is_complete`): only such a work has a mark. A present participant whose work is
not fully graded yet is in no figure; `not_graded` says how many there are (it is 0 once the school's form is
imported, which refuses empty cells). A task not attempted («X») counts 0 points.

- mark_counts / marks: participants with each mark 2…5, and their share in %;
- mean_score: the mean primary score;
- tasks: completion % of each task = 100 × Σ points / (max × participants);
- journal: over the participants with a journal mark, the share whose ВПР mark is lower than the journal's,
  the same (confirmed), higher;
- histogram: the number of participants with each primary score 0…max (every score is a key).

Percentages and the mean are rounded half up to one decimal, from exact fractions (12.25 → 12.3, never the
binary float's 12.2). With no participant a share is 0.0 (there is nothing to divide). A group under 10
participants carries `small_sample`; under 5, a department view asks for `hide_small=True` and gets every
percentage (and the mean) as None.

The counts come from the summary rows (grading/summaries.py: per school × assessment × class, kept current by every
write that changes them), grouped in SQL by school or class when asked: three queries for any number of
participants, schools and groups. `tallies_raw` counts the same from the raw rows, to check the summaries.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from math import floor

from django.db import connection
from django.db.models import Count, Q, Sum

from grading.cache import cached, stamped
from grading.models import ParticipationSummary, ResultSummary, Score, TaskSummary, Work
from procedures.models import Assessment, Participant, Task
from schools.models import School

MARKS = ("2", "3", "4", "5")
SMALL_SAMPLE = 10  # under this, a warning goes with the figures
HIDDEN_BELOW = 5  # under this, department views do not show percentages

GROUP_FIELDS = {
    # group → (Participant field, Work field, Score field)
    None: (None, None, None),
    "school": ("school_id", "school_id", "work__school_id"),
    "class": ("class_name", "participant__class_name", "work__participant__class_name"),
}
# group → the summary rows' field
SUMMARY_GROUP_FIELDS = {None: None, "school": "school_id", "class": "class_name"}


def round_half_up(value: Fraction | int, places: int = 1) -> float:
    """Rounds a non-negative exact value half up: 12.25 → 12.3, 12.24 → 12.2. In integers: floor(v·scale + ½) of
    v = a/b is (2·a·scale + b) // (2·b), and the tenths' float is the correctly rounded k / scale (the figures of
    a region's schools are tens of thousands of these: Fractions' arithmetic cost more than the queries)."""
    scale = 10**places
    if isinstance(value, (int, Fraction)):
        numerator, denominator = value.numerator, value.denominator
        return ((2 * numerator * scale + denominator) // (2 * denominator)) / scale
    return float(Fraction(floor(value * scale + Fraction(1, 2)), scale))


def percent(part: int, whole: int) -> float:
    """100 × part / whole to one decimal; 0.0 when there is no whole."""
    if not whole:
        return 0.0
    return ((2000 * part + whole) // (2 * whole)) / 10  # round_half_up(Fraction(100 * part, whole)) in integers


@dataclass
class Tally:
    """The raw counts of one group of participants, from which every figure follows."""

    absent: int = 0
    present: int = 0  # present participants, graded or not
    # (primary score, mark, journal mark or None) → number of participants with a complete result
    results: Counter = field(default_factory=Counter)
    task_points: Counter = field(default_factory=Counter)  # task id → Σ points
    # (mark, task id) → Σ points of the participants with that mark: completion by mark group
    task_points_by_mark: Counter = field(default_factory=Counter)


@dataclass(frozen=True)
class TaskInfo:
    pk: int
    label: str
    max_points: int


@dataclass(frozen=True)
class JournalFigures:
    n: int
    lower: float | None
    confirmed: float | None
    higher: float | None
    lower_count: int = 0
    confirmed_count: int = 0
    higher_count: int = 0


@dataclass(frozen=True)
class Figures:
    participants: int
    absent: int
    not_graded: int
    mark_counts: dict[str, int]
    marks: dict[str, float | None]
    mean_score: float | None
    tasks: dict[str, float | None]
    journal: JournalFigures
    histogram: dict[str, int]
    max_score: int
    small_sample: bool
    percentages_hidden: bool

    @property
    def histogram_peak(self) -> int:
        return max(self.histogram.values(), default=0)

    def histogram_bars(self) -> list[tuple[str, int, float]]:
        """(score, count, height in % of the highest bar) for a bar chart."""
        peak = self.histogram_peak
        return [(score, n, (100.0 * n / peak) if peak else 0.0) for score, n in self.histogram.items()]

    def mark_rows(self) -> list[tuple[str, int, float | None]]:
        """(mark, participants, share %) for 2…5."""
        return [(mark, self.mark_counts[mark], self.marks[mark]) for mark in MARKS]


_MARK_KEYS = {int(mark): mark for mark in MARKS}
_SCORE_KEYS = tuple(str(score) for score in range(1000))


def _score_keys(max_score: int) -> tuple[str, ...]:
    return _SCORE_KEYS[: max_score + 1] if max_score < len(_SCORE_KEYS) else tuple(map(str, range(max_score + 1)))


def figures_compute(tally: Tally, *, tasks: list, hide_small: bool = False) -> Figures:
    """Every figure of one group from its tally (pure). `tasks` in the assessment's order, each with pk, label and
    max_points. With `hide_small`, a group under HIDDEN_BELOW participants gets no percentages."""
    max_score = sum(task.max_points for task in tasks)
    participants = 0
    mark_counts = dict.fromkeys(MARKS, 0)
    histogram = dict.fromkeys(_score_keys(max_score), 0)
    score_sum = 0
    journal_n = lower = confirmed = higher = 0
    for (score, mark, journal), n in tally.results.items():
        if mark is None:  # a complete work has a mark
            continue
        participants += n
        # the keys are strings; ints are looked up without formatting one per row (600 schools' rows add up)
        mark_key = _MARK_KEYS.get(mark, "") if type(mark) is int else str(mark)
        if mark_key in mark_counts:
            mark_counts[mark_key] += n
        score_key = _SCORE_KEYS[score] if type(score) is int and 0 <= score < len(_SCORE_KEYS) else str(score)
        if score_key in histogram:
            histogram[score_key] += n
        score_sum += (score or 0) * n
        if journal is not None:
            journal_n += n
            if mark < journal:
                lower += n
            elif mark == journal:
                confirmed += n
            else:
                higher += n
    hidden = hide_small and participants < HIDDEN_BELOW

    def share(part: int, whole: int) -> float | None:
        return None if hidden else percent(part, whole)

    marks = {mark: share(n, participants) for mark, n in mark_counts.items()}
    mean = None if hidden else (percent(score_sum, 100 * participants) if participants else 0.0)
    task_figures = {
        task.label: share(tally.task_points.get(task.pk, 0), task.max_points * participants) for task in tasks
    }
    journal = JournalFigures(
        n=journal_n,
        lower=share(lower, journal_n),
        confirmed=share(confirmed, journal_n),
        higher=share(higher, journal_n),
        lower_count=lower,
        confirmed_count=confirmed,
        higher_count=higher,
    )
    return Figures(
        participants=participants,
        absent=tally.absent,
        not_graded=max(tally.present - participants, 0),
        mark_counts=mark_counts,
        marks=marks,
        mean_score=mean,
        tasks=task_figures,
        journal=journal,
        histogram=histogram,
        max_score=max_score,
        small_sample=participants < SMALL_SAMPLE,
        percentages_hidden=hidden,
    )


# Reading the counts ----------------------------------------------------------------------------------------


def assessment_tasks(assessment: Assessment) -> list[TaskInfo]:
    return [
        TaskInfo(pk, label, max_points)
        for pk, label, max_points in Task.objects.filter(assessment=assessment)
        .order_by("position")
        .values_list("pk", "label", "max_points")
    ]


def counted_scores(assessment: Assessment):
    """The scores that the figures count: of the present participants' complete works (every task graded)."""
    return Score.objects.filter(
        work__assessment=assessment,
        work__participant__status=Participant.Status.WRITES,
        work__participant__absent=False,
        work__is_complete=True,
    )


def _rows(queryset) -> list[tuple]:
    """The rows of a `values_list` queryset as the database driver returns them: the summaries' columns are plain
    integers and strings, and at region scale Django's per-row conversion of a hundred thousand rows cost more than
    the query."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def tallies(
    *, assessment: Assessment, school: School | None = None, group: str | None = None, task_sums: bool = True
) -> dict:
    """Tallies of the assessment's participants (of one school, or of every school), grouped by `group`
    (None, "school" or "class"): group key → Tally. Three queries over the summary rows (grading/summaries.py),
    whatever the number of participants and schools; two without `task_sums` (the tallies then have no task
    points: for a caller that reads only participants, marks, scores and journal marks, such as the trends and the
    funnel plot)."""
    scope = {"assessment": assessment} if school is None else {"assessment": assessment, "school": school}
    if school is None and group == "school":  # every school's: what each region page reads, cached (grading/cache.py)
        return cached(
            "tallies_by_school",
            (task_sums, *stamped([assessment.pk])),
            lambda: _tallies(scope, "school_id", task_sums=task_sums),
        )
    return _tallies(scope, SUMMARY_GROUP_FIELDS[group], task_sums=task_sums)


def campaign_tallies(*, campaign, task_sums: bool = False) -> dict[int, Tally]:
    """assessment id → the tally of the municipality (every school) in that assessment of the campaign: the tally
    `tallies(assessment=…)` counts, for all the campaign's assessments in two queries (three with `task_sums`)."""
    return _tallies({"assessment__campaign": campaign}, "assessment_id", task_sums=task_sums)


def _tallies(scope: dict, key: str | None, *, task_sums: bool) -> dict:
    by = key or "assessment_id"  # without a group, every row is of the one assessment
    result: dict = defaultdict(Tally)
    participation = ParticipationSummary.objects.filter(**scope).values(by)
    for group_key, absent, present in _rows(
        participation.annotate(absent_n=Sum("absent"), present_n=Sum("present"))
        .values_list(by, "absent_n", "present_n")
        .order_by()
    ):
        tally = result[group_key if key else None]
        tally.absent += int(absent)
        tally.present += int(present)
    results = ResultSummary.objects.filter(**scope).values(by, "primary_score", "mark", "journal_mark")
    for group_key, score, mark, journal, total in _rows(
        results.annotate(total=Sum("n")).values_list(by, "primary_score", "mark", "journal_mark", "total").order_by()
    ):
        result[group_key if key else None].results[(score, mark, journal)] += int(total)
    if task_sums:
        _add_task_sums(result, scope, key)
    return dict(result)


def _add_task_sums(result: dict, scope: dict, key: str | None) -> None:
    by = key or "assessment_id"
    points = TaskSummary.objects.filter(**scope).values(by, "mark", "task_id").annotate(total=Sum("points"))
    for group_key, mark, task_id, total in _rows(points.values_list(by, "mark", "task_id", "total").order_by()):
        tally = result[group_key if key else None]
        tally.task_points[task_id] += int(total)
        tally.task_points_by_mark[(mark, task_id)] += int(total)


def with_task_sums(tally: Tally, *, assessment: Assessment, school: School | None = None) -> Tally:
    """`tally` (of the assessment's participants of one school, or of every school: read without task sums, or
    summed from such tallies) with the task sums of the same participants added: one query. The municipality of a
    page that reads every school's tallies only for their sizes costs one read of the task sums, not one per
    school."""
    scope = {"assessment": assessment} if school is None else {"assessment": assessment, "school": school}
    if school is None:  # the region's task sums, cached (grading/cache.py)
        sums = cached("region_task_sums", stamped([assessment.pk]), lambda: _task_sums(scope))
        tally.task_points.update(sums.task_points)
        tally.task_points_by_mark.update(sums.task_points_by_mark)
        return tally
    holder = defaultdict(Tally, {None: tally})
    _add_task_sums(holder, scope, None)
    return tally


def _task_sums(scope: dict) -> Tally:
    holder = defaultdict(Tally)
    _add_task_sums(holder, scope, None)
    return holder[None]


def tallies_raw(*, assessment: Assessment, school: School | None = None, group: str | None = None) -> dict:
    """The same tallies counted from the raw participants, works and scores: only to check the summary rows
    against (tests, `rebuild_summaries --check`); figures read `tallies`."""
    participant_field, work_field, score_field = GROUP_FIELDS[group]
    participants = Participant.objects.filter(assessment=assessment, status=Participant.Status.WRITES)
    counted_works = Work.objects.filter(
        assessment=assessment,
        participant__status=Participant.Status.WRITES,
        participant__absent=False,
        is_complete=True,
    )
    scores = counted_scores(assessment)
    if school is not None:
        participants = participants.filter(school=school)
        counted_works = counted_works.filter(school=school)
        scores = scores.filter(work__school=school)

    result: dict = defaultdict(Tally)
    keys = [participant_field] if participant_field else []
    for row in (
        participants.values(*keys)
        .annotate(absent_n=Count("id", filter=Q(absent=True)), present_n=Count("id", filter=Q(absent=False)))
        .order_by()
    ):
        tally = result[row[participant_field] if participant_field else None]
        tally.absent += row["absent_n"]
        tally.present += row["present_n"]
    keys = [work_field] if work_field else []
    for row in counted_works.values(*keys, "primary_score", "mark", "journal_mark").annotate(n=Count("id")).order_by():
        key = row[work_field] if work_field else None
        result[key].results[(row["primary_score"], row["mark"], row["journal_mark"])] += row["n"]
    keys = [score_field] if score_field else []
    for row in scores.values(*keys, "work__mark", "task_id").annotate(points=Sum("value")).order_by():
        tally = result[row[score_field] if score_field else None]
        tally.task_points[row["task_id"]] += row["points"] or 0
        tally.task_points_by_mark[(row["work__mark"], row["task_id"])] += row["points"] or 0
    return dict(result)


def assessment_figures(
    *, assessment: Assessment, school: School | None = None, hide_small: bool = False, tasks: list | None = None
) -> Figures:
    """The figures of one school's participants of the assessment, or of the municipality's (every school)."""
    tasks = assessment_tasks(assessment) if tasks is None else tasks
    tally = tallies(assessment=assessment, school=school).get(None, Tally())
    return figures_compute(tally, tasks=tasks, hide_small=hide_small)


def figures_by_class(
    *, assessment: Assessment, school: School, hide_small: bool = False, tasks: list | None = None
) -> dict[str, Figures]:
    """class name → the figures of that class's participants (classes with a participant)."""
    tasks = assessment_tasks(assessment) if tasks is None else tasks
    return {
        name: figures_compute(tally, tasks=tasks, hide_small=hide_small)
        for name, tally in tallies(assessment=assessment, school=school, group="class").items()
    }


def figures_by_school(*, assessment: Assessment, hide_small: bool = False, tasks: list | None = None) -> dict:
    """school id → the figures of that school's participants of the assessment (aggregated per school in SQL)."""
    tasks = assessment_tasks(assessment) if tasks is None else tasks
    return {
        school_id: figures_compute(tally, tasks=tasks, hide_small=hide_small)
        for school_id, tally in tallies(assessment=assessment, group="school").items()
    }


def figures_json(
    figures: Figures, *, campaign: str, assessment: str, school: str | None, signals: list | None = None
) -> dict:
    """The figures as `results_figures --json` prints them (docs/commands.md): string keys, one-decimal percentages."""
    journal = figures.journal
    return {
        "campaign": campaign,
        "assessment": assessment,
        "school": school,
        "participants": figures.participants,
        "absent": figures.absent,
        "mark_counts": dict(figures.mark_counts),
        "marks": dict(figures.marks),
        "mean_score": figures.mean_score,
        "tasks": dict(figures.tasks),
        "journal": {
            "n": journal.n,
            "lower": journal.lower,
            "confirmed": journal.confirmed,
            "higher": journal.higher,
        },
        "histogram": dict(figures.histogram),
        "signals": list(signals or []),
    }
