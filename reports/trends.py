"""Trends and cohorts: the same assessment (subject × grade) over the campaigns the portal holds, and the same
pupils a year later.

The series of a trend. Starting from one assessment, the campaigns of the same department, of the same kind and
run by the same organiser (a municipal ВПР is not mixed with a trial run or with a school's own control work),
that the user may see and that are not drafts, each with its assessment of the same subject and grade (of
several, the same level first, then the same code), oldest first by window start. A campaign whose assessment
has no result in the municipality is listed apart, not drawn.

Figures come from grading.figures (the same numbers as `results_figures`), a few queries per campaign whatever
the number of schools. Department views hide the percentages of groups under 5 participants, with the
complementary suppression of the municipal results pages (reports.suppression); the school reads its own.

The cohort. For a class that wrote an assessment in campaign Y, the same pupils (the same `Pupil` of the same
school) in the campaign a year later (the next academic year) where the next grade writes the same subject:
their marks and mean in each year, their classes now, and the transition table (mark in Y × mark in Y + 1).
Only the pupils counted in both (present, work fully graded) are compared. Aggregates only, no names (R11).
The link between a participation and its pupil is removed when the campaign's retention period ends (R12):
participations without it cannot be matched, and the page says how many there are.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field, replace

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from grading.figures import (
    HIDDEN_BELOW,
    MARKS,
    Figures,
    Tally,
    assessment_figures,
    assessment_tasks,
    figures_compute,
    percent,
    tallies,
)
from grading.models import Work
from grading.rules import unranked
from procedures.models import Assessment, Campaign, Participant
from schools.models import School

from .suppression import hidden_schools

# The series ------------------------------------------------------------------------------------------------------


def _series_campaigns(anchor: Campaign, campaigns: QuerySet[Campaign]) -> QuerySet[Campaign]:
    """Among `campaigns` (the user's), those a trend of `anchor`'s assessments runs through."""
    return campaigns.filter(
        Q(pk=anchor.pk) | ~Q(status=Campaign.Status.DRAFT),
        department_id=anchor.department_id,
        kind=anchor.kind,
        owner_school_id=anchor.owner_school_id,
    )


def _one_per_campaign(assessment: Assessment, candidates) -> list[Assessment]:
    """Of the candidates, one per campaign (the same level first, then the same code, then by code), oldest
    campaign first."""
    chosen: dict[int, Assessment] = {}

    def rank(other: Assessment) -> tuple:
        return (other.level != assessment.level, other.code != assessment.code, other.code)

    for other in candidates:
        best = chosen.get(other.campaign_id)
        if best is None or rank(other) < rank(best):
            chosen[other.campaign_id] = other
    return sorted(chosen.values(), key=lambda a: (a.campaign.window_start, a.campaign.code))


def trend_assessments(assessment: Assessment, campaigns: QuerySet[Campaign]) -> list[Assessment]:
    """The assessment's series over the campaigns in `campaigns` (already scoped to the user): one assessment of
    the same subject and grade per campaign, oldest first. One query."""
    candidates = Assessment.objects.filter(
        campaign__in=_series_campaigns(assessment.campaign, campaigns),
        subject_id=assessment.subject_id,
        grade=assessment.grade,
    ).select_related("campaign", "subject")
    return _one_per_campaign(assessment, candidates)


def _academic_year_window(year: int) -> tuple[datetime.date, datetime.date]:
    """The days whose academic year (Campaign.academic_year) is `year`: 1 September to 31 August."""
    return datetime.date(year, 9, 1), datetime.date(year + 1, 8, 31)


def _neighbour(assessment: Assessment, campaigns: QuerySet[Campaign], *, step: int) -> Assessment | None:
    """The assessment of the same subject in grade + `step`, in a campaign of the academic year + `step` (of the
    trend's campaigns): the earliest such campaign a year later, the latest a year earlier. One query."""
    start, end = _academic_year_window(assessment.campaign.academic_year + step)
    candidates = Assessment.objects.filter(
        campaign__in=_series_campaigns(assessment.campaign, campaigns).filter(window_start__range=(start, end)),
        subject_id=assessment.subject_id,
        grade=assessment.grade + step,
    ).select_related("campaign", "subject")
    found = _one_per_campaign(assessment, candidates)
    if not found:
        return None
    return found[0] if step > 0 else found[-1]


def next_year_assessment(assessment: Assessment, campaigns: QuerySet[Campaign]) -> Assessment | None:
    """Where the assessment's pupils write the same subject a year later (the next grade), if the portal holds it."""
    return _neighbour(assessment, campaigns, step=1)


def previous_year_assessment(assessment: Assessment, campaigns: QuerySet[Campaign]) -> Assessment | None:
    """Where the assessment's pupils wrote the same subject a year earlier (the grade before), if held."""
    return _neighbour(assessment, campaigns, step=-1)


# Trends ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """One campaign of a trend for one group (the municipality or a school)."""

    assessment: Assessment
    figures: Figures | None  # None: the group has no result in that campaign
    hidden: bool = False  # a department view hides the percentages and the mean (small group or its complement)

    @property
    def campaign(self) -> Campaign:
        return self.assessment.campaign

    @property
    def participants(self) -> int:
        return self.figures.participants if self.figures else 0

    @property
    def shown(self) -> bool:
        """Percentages, counts of marks and the mean may be shown."""
        return self.figures is not None and self.figures.participants > 0 and not self.hidden

    def mark_rows(self) -> list[tuple[str, int | None, float | None]]:
        """(mark, participants, share %) for 2…5; None where nothing may be shown."""
        return _mark_rows(self.figures, not self.shown)

    @property
    def mean(self) -> float | None:
        return self.figures.mean_score if self.shown else None

    @property
    def share_low(self) -> float | None:
        """The share of «2»."""
        return self.figures.marks["2"] if self.shown else None

    @property
    def share_high(self) -> float | None:
        """The share of «4» and «5» together, from the counts (not the sum of two rounded shares)."""
        if not self.shown:
            return None
        counts = self.figures.mark_counts
        return percent(counts["4"] + counts["5"], self.figures.participants)


@dataclass(frozen=True)
class SchoolTrendRow:
    school: School
    points: list[Point]  # one per campaign of the trend, in its order


@dataclass(frozen=True)
class MunicipalTrend:
    series: list[Assessment]  # the campaigns with results in the municipality, oldest first
    without_results: list[Assessment]  # the series' campaigns without any result yet
    municipality: list[Point]
    schools: list[SchoolTrendRow]  # by code (R15)


def _summed(group_tallies) -> Tally:
    """The tally of several groups together: the municipality's from its schools'."""
    total = Tally()
    for tally in group_tallies:
        total.absent += tally.absent
        total.present += tally.present
        total.results.update(tally.results)
        total.task_points.update(tally.task_points)
        total.task_points_by_mark.update(tally.task_points_by_mark)
    return total


def _campaign_figures(assessment: Assessment) -> tuple[Figures, dict[int, Figures]]:
    """The municipality's figures of the assessment and each school's with a result, as a department view shows
    them, from one tally per school (grading.figures.tallies): the municipality's is their sum, so a region is
    read once per campaign. A school's figures here are its marks and mean only (no task figures, no histogram):
    what a trend shows, and so the municipality's too: the task sums are not read. Two queries."""
    by_school = tallies(assessment=assessment, group="school", task_sums=False)
    whole = figures_compute(_summed(by_school.values()), tasks=[], hide_small=True)
    schools = {pk: figures_compute(tally, tasks=[], hide_small=True) for pk, tally in by_school.items()}
    return whole, {pk: figures for pk, figures in schools.items() if figures.participants}


def municipal_trend(assessment: Assessment, campaigns: QuerySet[Campaign]) -> MunicipalTrend:
    """The municipality's figures of the assessment's series and every school with a result in one of its
    campaigns, by code (R15), each with its figures per campaign as the department sees them: under
    5 participants, or hidden as the complement of such a school, no percentages. Queries: a few per campaign,
    one for the schools."""
    series, without, municipality, per_campaign = [], [], [], []
    for item in trend_assessments(assessment, campaigns):
        whole, by_school = _campaign_figures(item)
        if not whole.participants:
            without.append(item)
            continue
        series.append(item)
        municipality.append(Point(item, whole, whole.percentages_hidden))
        per_campaign.append(by_school)
    ids = set().union(*per_campaign)
    schools = unranked(School.objects.filter(pk__in=ids).only("pk", "code", "short_name"), by=lambda s: s)
    hidden = [hidden_schools(by_school, [s for s in schools if s.pk in by_school]) for by_school in per_campaign]
    rows = [
        SchoolTrendRow(
            school,
            [
                Point(item, by_school.get(school.pk), school.pk in hidden_here)
                for item, by_school, hidden_here in zip(series, per_campaign, hidden, strict=True)
            ],
        )
        for school in schools
    ]
    return MunicipalTrend(series=series, without_results=without, municipality=municipality, schools=rows)


@dataclass(frozen=True)
class SchoolTrend:
    series: list[Assessment]
    without_results: list[Assessment]
    school: list[Point]
    municipality: list[Point]
    next_year: dict[int, Assessment]  # assessment id of the series → where its pupils write a year later


def school_trend(
    assessment: Assessment, campaigns: QuerySet[Campaign], *, school: School, as_school: bool
) -> SchoolTrend:
    """The school's figures of the assessment's series beside the municipality's. The school reads its own
    figures whole (`as_school`); the department sees them as on the municipal pages (small groups and their
    complement hidden). A few queries per campaign."""
    series, without, own, municipality, next_year = [], [], [], [], {}
    for item in trend_assessments(assessment, campaigns):
        if as_school:  # the municipality's and the school's own tallies: two small reads
            tasks = assessment_tasks(item)
            whole = assessment_figures(assessment=item, hide_small=True, tasks=tasks)
            figures = assessment_figures(assessment=item, school=school, tasks=tasks)
            point = Point(item, figures if figures.participants else None)
        else:  # every school's, for the complementary suppression
            whole, by_school = _campaign_figures(item)
            others = list(School.objects.filter(pk__in=by_school).only("pk", "code"))
            point = Point(item, by_school.get(school.pk), school.pk in hidden_schools(by_school, others))
        if not whole.participants:
            without.append(item)
            continue
        series.append(item)
        municipality.append(Point(item, whole, whole.percentages_hidden))
        own.append(point)
        later = next_year_assessment(item, campaigns)
        if later is not None:
            next_year[item.pk] = later
    return SchoolTrend(series, without, own, municipality, next_year)


def trend_chart(labels: list[str], groups: list[tuple[str, list[Point]]]) -> dict:
    """The data of a trend's charts (json_script → static/js/trends.js): per group the share and the number of
    each mark and the mean per campaign, None where nothing may be shown. The same numbers as the tables."""
    series = []
    for label, points in groups:
        rows = [point.mark_rows() for point in points]  # per campaign: (mark, count, share) for 2…5
        series.append(
            {
                "label": label,
                "shares": {mark: [row[i][2] for row in rows] for i, mark in enumerate(MARKS)},
                "counts": {mark: [row[i][1] for row in rows] for i, mark in enumerate(MARKS)},
                "means": [point.mean for point in points],
                "participants": [point.participants for point in points],
            }
        )
    text = {"share": gettext("% участников"), "mean": gettext("Средний первичный балл")}
    return {"labels": labels, "marks": list(MARKS), "series": series, "text": text}


# Cohorts ---------------------------------------------------------------------------------------------------------


def _counted_works(assessment: Assessment, school: School) -> QuerySet:
    """The works grading.figures counts (present participants writing the assessment, every task graded), of one
    school, one row per participant: pupil, class, primary score, mark, journal mark."""
    return (
        Work.objects.filter(
            assessment=assessment,
            school=school,
            participant__status=Participant.Status.WRITES,
            participant__absent=False,
            is_complete=True,
        )
        .order_by()
        .values_list("participant__pupil_id", "participant__class_name", "primary_score", "mark", "journal_mark")
    )


def _mark_rows(figures: Figures | None, hidden: bool) -> list[tuple[str, int | None, float | None]]:
    """(mark, participants, share %) for 2…5; neither the count nor the share of a hidden group."""
    if figures is None or hidden or not figures.participants:
        return [(mark, None, None) for mark in MARKS]
    return figures.mark_rows()


@dataclass
class CohortGroup:
    """A class of year Y (or the whole parallel, `class_name` None) and the same pupils a year later."""

    class_name: str | None
    wrote: int = 0  # counted in Y
    matched: int = 0  # counted in Y and in Y + 1
    classes_then: Counter = field(default_factory=Counter)  # class in Y + 1 → matched pupils
    before: Tally = field(default_factory=Tally)
    after: Tally = field(default_factory=Tally)
    transitions: Counter = field(default_factory=Counter)  # (mark in Y, mark in Y + 1) → pupils
    # filled by `_figures`
    figures_before: Figures | None = None
    figures_after: Figures | None = None
    hidden: bool = False

    def add(self, before: tuple, after: tuple) -> None:
        self.matched += 1
        self.classes_then[after[0]] += 1
        self.before.results[before[1:]] += 1
        self.after.results[after[1:]] += 1
        self.before.present += 1
        self.after.present += 1
        self.transitions[(before[2], after[2])] += 1

    def marks_before(self) -> list[tuple[str, int | None, float | None]]:
        return _mark_rows(self.figures_before, self.hidden)

    def marks_after(self) -> list[tuple[str, int | None, float | None]]:
        return _mark_rows(self.figures_after, self.hidden)

    def transition_rows(self) -> list[tuple[str, list[int], int]]:
        """(mark in Y, pupils per mark in Y + 1 for 2…5, row total), 2…5."""
        rows = []
        for mark in MARKS:
            cells = [self.transitions.get((int(mark), int(later)), 0) for later in MARKS]
            rows.append((mark, cells, sum(cells)))
        return rows

    def transition_totals(self) -> list[int]:
        return [sum(n for (_b, a), n in self.transitions.items() if a == int(mark)) for mark in MARKS]

    def moves(self) -> list[tuple[str, int, float | None]]:
        """("up" / "same" / "down", pupils, share %): those whose mark rose, stayed, fell."""
        up = sum(n for (b, a), n in self.transitions.items() if a > b)
        same = sum(n for (b, a), n in self.transitions.items() if a == b)
        down = sum(n for (b, a), n in self.transitions.items() if a < b)
        return [
            (key, n, None if self.hidden else percent(n, self.matched))
            for key, n in (("up", up), ("same", same), ("down", down))
        ]

    def classes_then_list(self) -> list[tuple[str, int]]:
        return unranked(self.classes_then.items(), by=lambda item: item[0])


@dataclass(frozen=True)
class Cohort:
    before: Assessment
    after: Assessment | None  # None: the portal holds no such assessment a year later
    groups: list[CohortGroup]  # each class of Y by name, then the parallel (class_name None)
    unlinked_before: int  # counted participations whose link to the pupil was removed (R12)
    unlinked_after: int
    after_written: int = 0  # the school's counted works a year later: none yet, nothing to compare


def _hidden_classes(groups: list[CohortGroup]) -> set[str]:
    """The classes a department view hides: under 5 matched pupils, and when that is exactly one class, also the
    smallest other one (by pupils, then name), so that the parallel minus the shown classes does not give the
    hidden one away (the complementary suppression of reports.suppression, for classes)."""
    hidden = {group.class_name for group in groups if group.matched < HIDDEN_BELOW}
    if len(hidden) == 1 and len(groups) > 1:
        others = unranked([group for group in groups if group.class_name not in hidden], by=lambda g: g.class_name)
        hidden.add(min(others, key=lambda group: group.matched).class_name)
    return hidden


def _figures(group: CohortGroup, tasks_before, tasks_after, *, hidden: bool) -> CohortGroup:
    group.hidden = hidden
    group.figures_before = figures_compute(group.before, tasks=tasks_before, hide_small=hidden)
    group.figures_after = figures_compute(group.after, tasks=tasks_after, hide_small=hidden)
    if hidden:  # hidden as a complement too: figures_compute hides only what is under 5 itself
        group.figures_before = _without_shares(group.figures_before)
        group.figures_after = _without_shares(group.figures_after)
    return group


def _without_shares(figures: Figures) -> Figures:
    return replace(
        figures,
        marks=dict.fromkeys(figures.marks),
        mean_score=None,
        tasks=dict.fromkeys(figures.tasks),
        journal=replace(figures.journal, lower=None, confirmed=None, higher=None),
        percentages_hidden=True,
    )


def cohort(assessment: Assessment, campaigns: QuerySet[Campaign], *, school: School, hide_small: bool) -> Cohort:
    """The assessment's classes in the school and the same pupils a year later (next_year_assessment): per class
    and for the parallel, the pupils counted in both years, their figures in each (the mark distribution and the
    mean, as grading.figures computes them), their classes a year later and the transition table. With
    `hide_small` (department views), a group under 5 matched pupils shows no percentages, no mean and no
    transition table. Six queries."""
    later = next_year_assessment(assessment, campaigns)
    if later is None:
        return Cohort(assessment, None, [], 0, 0)
    before_rows = list(_counted_works(assessment, school))
    after_rows = list(_counted_works(later, school))
    after = {row[0]: row[1:] for row in after_rows if row[0] is not None}
    groups: dict[str, CohortGroup] = {}
    parallel = CohortGroup(None)
    for pupil_id, class_name, score, mark, journal in before_rows:
        group = groups.setdefault(class_name, CohortGroup(class_name))
        group.wrote += 1
        parallel.wrote += 1
        if pupil_id is not None and pupil_id in after:
            then_class, then_score, then_mark, then_journal = after[pupil_id]
            pair = ((class_name, score, mark, journal), (then_class, then_score, then_mark, then_journal))
            group.add(*pair)
            parallel.add(*pair)
    tasks_before, tasks_after = assessment_tasks(assessment), assessment_tasks(later)
    ordered = unranked(groups.values(), by=lambda group: group.class_name)
    hidden = _hidden_classes(ordered) if hide_small else set()
    shown = [_figures(group, tasks_before, tasks_after, hidden=group.class_name in hidden) for group in ordered]
    parallel = _figures(parallel, tasks_before, tasks_after, hidden=hide_small and parallel.matched < HIDDEN_BELOW)
    return Cohort(
        before=assessment,
        after=later,
        groups=[*shown, parallel],
        unlinked_before=sum(1 for row in before_rows if row[0] is None),
        unlinked_after=sum(1 for row in after_rows if row[0] is None),
        after_written=len(after_rows),
    )
