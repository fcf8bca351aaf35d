"""Reads for the department's dashboards. Figures come from summary data, never from pupils' names."""

from collections.abc import Callable
from dataclasses import dataclass, field

from grading.cache import cached, stamped
from grading.completion import (
    MarkGroup,
    TaskGroup,
    completion_by_level,
    completion_by_mark,
    completion_by_skill,
    sum_tallies,
)
from grading.figures import HIDDEN_BELOW, Figures, Tally, TaskInfo, campaign_tallies, figures_compute, tallies
from grading.rules import unranked
from monitoring.signals import assessment_signals, signal_label
from procedures.models import Assessment, Campaign, Task
from schools.models import School

from .funnel import Funnel, FunnelPoint, funnel
from .suppression import hidden_schools


def signal_kinds(assessment: Assessment, *, tallies_by_school: dict | None = None) -> dict[str, list[str]]:
    """school code → the kinds of its objectivity signals of the assessment, in the order computed (from the
    schools' tallies when the caller has read them)."""
    kinds: dict[str, list[str]] = {}
    for signal in assessment_signals(assessment, tallies_by_school=tallies_by_school):
        kinds.setdefault(signal.school, []).append(signal.kind)
    return kinds


def campaign_results(campaign: Campaign) -> list[tuple[Assessment, Figures]]:
    """The campaign's assessments (the catalogue's order) with the municipality's figures of each, as a
    department view shows them (under 5 participants: no percentages): participation, marks and the mean, what
    the page shows (no task figures, and so no task sums read). Three queries for any number of assessments and
    schools."""
    assessments = list(Assessment.objects.filter(campaign=campaign).select_related("subject"))
    by_assessment = cached(  # until a summary row of the campaign changes, or an assessment comes or goes
        "campaign_tallies",
        (campaign.pk, *stamped(assessment.pk for assessment in assessments)),
        lambda: campaign_tallies(campaign=campaign),
    )
    return [
        (assessment, figures_compute(by_assessment.get(assessment.pk, Tally()), tasks=[], hide_small=True))
        for assessment in assessments
    ]


@dataclass(frozen=True)
class SchoolRow:
    school: School
    figures: Figures
    hidden: bool  # no percentages and no mean: under 5 participants, or complementary suppression
    signals: list[tuple[str, str, str | None]]  # (kind, the kind in words, the URL of its case or None)


@dataclass(frozen=True)
class MunicipalAssessment:
    municipality: Figures
    tasks: list[Task]  # in position order, with their level and skill
    schools: list[SchoolRow]  # every school with results, by code (R15), never by a figure
    levels: list[TaskGroup] = field(default_factory=list)  # the municipality's completion by level Б/П/В
    skills: list[TaskGroup] = field(default_factory=list)  # … by skill (кодификатор)
    mark_groups: list[MarkGroup] = field(default_factory=list)  # … by the participants of each mark


@dataclass(frozen=True)
class _Results:
    tasks: list[Task]
    municipality_tally: Tally
    municipality: Figures
    by_school: dict[int, Figures]  # schools with a participant with a result
    schools: list[School]  # those schools by code (R15)
    hidden: set[int]


def _results(assessment: Assessment, *, task_sums: bool = True) -> _Results:
    """The assessment's tallies per school (three queries), the municipality as their sum (the tally
    `results_figures` counts), the figures of each school with results as a department view shows them, the
    schools by code and the hidden ones (reports.suppression). Five queries for any number of schools. Without
    `task_sums` (the funnel plot: participants and marks only) the task sums are not read and the figures have no
    task figures: four queries."""
    tasks = list(Task.objects.filter(assessment=assessment).order_by("position"))
    infos = [TaskInfo(task.pk, task.label, task.max_points) for task in tasks] if task_sums else []
    # the figures follow from the summary rows and the tasks (a change of either bumps the stamp): cached
    municipality_tally, municipality, by_school = cached(
        "municipal_figures", (task_sums, *stamped([assessment.pk])), lambda: _figures(assessment, infos, task_sums)
    )
    schools = unranked(School.objects.filter(pk__in=by_school).only("pk", "code", "short_name"), by=lambda s: s)
    return _Results(
        tasks=tasks,
        municipality_tally=municipality_tally,
        municipality=municipality,
        by_school=by_school,
        schools=schools,
        hidden=hidden_schools(by_school, schools),
    )


def _figures(assessment: Assessment, infos: list[TaskInfo], task_sums: bool) -> tuple[Tally, Figures, dict]:
    """The municipality's tally and figures, and each school's figures (of the schools with results)."""
    tallies_by_school = tallies(assessment=assessment, group="school", task_sums=task_sums)
    municipality_tally = sum_tallies(tallies_by_school.values())
    by_school = {
        pk: figures
        for pk, figures in (
            (pk, figures_compute(tally, tasks=infos, hide_small=True)) for pk, tally in tallies_by_school.items()
        )
        if figures.participants
    }
    return municipality_tally, figures_compute(municipality_tally, tasks=infos, hide_small=True), by_school


def municipal_assessment(assessment: Assessment, *, case_url: Callable[[str, str], str | None] | None = None):
    """The municipality's figures of the assessment with its completion by level, skill and mark group, and a row
    per school with results (at least one present participant with a complete result), ordered by the school's
    code (R15), each signal with the URL of its case (`case_url(school code, kind)`, when given). Codes and short
    names only (R11). The queries do not grow with the schools."""
    results = _results(assessment)
    kinds = signal_kinds(assessment)
    tally, whole = results.municipality_tally, results.municipality
    rows = [
        SchoolRow(
            school,
            results.by_school[school.pk],
            school.pk in results.hidden,
            [
                (kind, signal_label(kind), case_url(school.code, kind) if case_url else None)
                for kind in kinds.get(school.code, [])
            ],
        )
        for school in results.schools
    ]
    return MunicipalAssessment(
        municipality=whole,
        tasks=results.tasks,
        schools=rows,
        levels=completion_by_level(tally, results.tasks, hidden=whole.percentages_hidden),
        skills=completion_by_skill(tally, results.tasks, hidden=whole.percentages_hidden),
        mark_groups=completion_by_mark(tally, results.tasks, hide_small=True, hidden=whole.percentages_hidden),
    )


@dataclass(frozen=True)
class FunnelRow:
    """A school of the funnel's table: by code, its participants, and its two points (None when hidden)."""

    school: School
    participants: int
    hidden: bool
    low: FunnelPoint | None  # the share of «2»
    high: FunnelPoint | None  # the share of «4» and «5»


@dataclass(frozen=True)
class MunicipalFunnel:
    municipality: Figures
    low: Funnel
    high: Funnel
    rows: list[FunnelRow]  # by code (R15)


def _high(figures: Figures) -> int:
    return figures.mark_counts["4"] + figures.mark_counts["5"]


def municipal_funnel(assessment: Assessment) -> MunicipalFunnel:
    """The funnel plots of the assessment: each school's share of «2» and of «4»+«5» against its participants,
    around the municipal share. A school whose percentages a department view hides (under 5, or the complement)
    is in the table with its participants but not plotted. Four queries for any number of schools."""
    results = _results(assessment, task_sums=False)
    whole = results.municipality
    shown = [school for school in results.schools if school.pk not in results.hidden]

    def plot(count: Callable[[Figures], int]) -> Funnel:
        groups = [(s.code, results.by_school[s.pk].participants, count(results.by_school[s.pk])) for s in shown]
        return funnel(groups, total=whole.participants, total_count=count(whole), smallest=HIDDEN_BELOW)

    low, high = plot(lambda f: f.mark_counts["2"]), plot(_high)
    low_points = {point.code: point for point in low.points}
    high_points = {point.code: point for point in high.points}
    rows = [
        FunnelRow(
            school=school,
            participants=results.by_school[school.pk].participants,
            hidden=school.pk in results.hidden,
            low=low_points.get(school.code),
            high=high_points.get(school.code),
        )
        for school in results.schools
    ]
    return MunicipalFunnel(municipality=whole, low=low, high=high, rows=rows)
