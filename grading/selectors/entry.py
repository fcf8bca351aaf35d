"""Reads for distributing works and entering scores (Регламент 7.1, 7.4, 7.6), each starting from what the
user may see.

- R10: grading of a class opens on the day it writes (its schedule line; else the school's earliest sitting of
  the assessment; else the first day of the federal window) at the campaign's `criteria_open_time`, in the
  school's own time zone (R16): `GradingOpening`.
- R11: experts read their own works only (`works_of_expert`, their assigned scope), by participant code,
  class and variant; nothing here reads a pupil. The coordinator reads the school's works (`works_managed_by`).
- R4: a work has one expert (`Work.expert`); the experts of an assessment at a school are its appointments
  (Appointment duty=expert), eligibility (R3, R5) having been checked when they were appointed.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from grading.models import Score, ScoreChange, Work
from grading.rules import unranked
from procedures.models import Appointment, Assessment, Campaign, Participant, ScheduleEntry, Sitting, Task
from schools.access import Capability, assigned_to, schools_with, user_can
from schools.classes import class_name_ordering, class_sort_key
from schools.models import School, Staff, TeachingLoad, User

# Opening (R10) ---------------------------------------------------------------------------------------------


def opening_from(day: datetime.date | None, *, campaign: Campaign, school: School) -> datetime.datetime | None:
    """The moment grading opens for a sitting on `day`: the campaign's hour (R10) in the school's own time zone
    (R16)."""
    if day is None:
        return None
    return datetime.datetime.combine(day, campaign.criteria_open_time, tzinfo=school.tzinfo)


@dataclass(frozen=True)
class GradingOpening:
    """R10 for one assessment at one school: the day each class writes, and the moment its grading opens.

    The day a class writes is its line of the school's schedule (ScheduleEntry); a class without one writes on
    the school's earliest recorded sitting of the assessment; where the school recorded no sitting at all
    (results loaded in a batch, an earlier year), on the first day of the federal window. Grading of a class
    opens on that day at the campaign's `criteria_open_time`, in the school's own time zone (R16). Every write
    of scores asks this object (through `grading.services.entry.grading_open_check`), every page shows it."""

    campaign: Campaign
    school: School
    class_days: dict[str, datetime.date]
    sitting_day: datetime.date | None

    @property
    def default_day(self) -> datetime.date:
        return self.sitting_day or self.campaign.window_start

    def day_of(self, class_name: str) -> datetime.date:
        return self.class_days.get(class_name, self.default_day)

    def opens_at(self, class_name: str | None = None) -> datetime.datetime:
        """When grading of the class opens; without a class, when it first opens for any class."""
        if class_name is not None:
            day = self.day_of(class_name)
        else:
            day = min([*self.class_days.values(), self.default_day])
        return opening_from(day, campaign=self.campaign, school=self.school)


def _class_name(grade: int, letter: str) -> str:
    return f"{grade}{letter}"


def grading_opening_of(pairs: Iterable[tuple[Assessment, School]]) -> dict[tuple[int, int], GradingOpening]:
    """The R10 opening of many (assessment, school) pairs in two queries, keyed by their ids."""
    pairs = list(pairs)
    if not pairs:
        return {}
    assessment_ids, school_ids = {a.pk for a, _s in pairs}, {s.pk for _a, s in pairs}
    sitting_days = {
        (row["assessment_id"], row["school_id"]): row["day"]
        for row in Sitting.objects.filter(assessment_id__in=assessment_ids, school_id__in=school_ids)
        .values("assessment_id", "school_id")
        .annotate(day=Min("date"))
        .order_by()
    }
    class_days: dict[tuple[int, int], dict[str, datetime.date]] = defaultdict(dict)
    entries = ScheduleEntry.objects.filter(
        assessment_id__in=assessment_ids, schedule__school_id__in=school_ids
    ).values_list("assessment_id", "schedule__school_id", "school_class__grade", "school_class__letter", "date")
    for assessment_id, school_id, grade, letter, day in entries:
        days = class_days[(assessment_id, school_id)]
        name = _class_name(grade, letter)
        days[name] = min(day, days.get(name, day))
    return {
        (a.pk, s.pk): GradingOpening(
            campaign=a.campaign,
            school=s,
            class_days=dict(class_days.get((a.pk, s.pk), {})),
            sitting_day=sitting_days.get((a.pk, s.pk)),
        )
        for a, s in pairs
    }


def grading_opening(*, assessment: Assessment, school: School) -> GradingOpening:
    """The R10 opening of the assessment at the school (two queries)."""
    return grading_opening_of([(assessment, school)])[(assessment.pk, school.pk)]


def grading_opens_at(*, assessment: Assessment, school: School) -> datetime.datetime:
    """When grading of the assessment at the school first opens (R10), for its earliest class."""
    return grading_opening(assessment=assessment, school=school).opens_at()


def grading_openings(pairs: Iterable[tuple[Assessment, School]]) -> dict[tuple[int, int], datetime.datetime]:
    """`grading_opens_at` of many (assessment, school) pairs in two queries, keyed by their ids."""
    return {key: opening.opens_at() for key, opening in grading_opening_of(pairs).items()}


def is_open(opens_at: datetime.datetime | None, *, now: datetime.datetime | None = None) -> bool:
    return opens_at is not None and (now or timezone.now()) >= opens_at


@dataclass(frozen=True)
class Opening:
    """What a page says about R10: when grading opens (school's local time) and whether it has."""

    opens_at: datetime.datetime | None
    is_open: bool
    grading: GradingOpening | None = None

    @classmethod
    def of(cls, *, assessment: Assessment, school: School) -> "Opening":
        grading = grading_opening(assessment=assessment, school=school)
        opens_at = grading.opens_at()
        return cls(opens_at, is_open(opens_at), grading)

    def closed_classes(self, class_names: Iterable[str]) -> set[str]:
        """Of `class_names`, those whose grading has not opened yet (their day is later than the first)."""
        if self.grading is None:
            return set()
        return {name for name in class_names if not is_open(self.grading.opens_at(name))}


# Scopes ----------------------------------------------------------------------------------------------------


def works_of_expert(user: User) -> QuerySet[Work]:
    """The works assigned to the user's staff records, and only those (R11: no names ever read): the expert
    role's assigned objects (grading/apps.py registers them; read them through `assigned_to(user, "works")`,
    which also asks for the role)."""
    return Work.objects.filter(expert__user=user)


def works_managed_by(user: User) -> QuerySet[Work]:
    """The works of the schools where the user manages grading (their school coordinator)."""
    return Work.objects.filter(school__in=schools_with(user, Capability.MANAGE_GRADING).values("pk"))


def cell_work(user: User, pk) -> Work | None:
    """The work behind one grid cell, if the user may enter its scores: one assigned to them as an expert, or
    any of the school's where they manage grading. One query, carrying what the save needs (assessment,
    campaign, school, participant)."""
    works = assigned_to(user, "works") | works_managed_by(user)
    return works.filter(pk=pk).select_related("participant", "assessment__campaign", "school").first()


def cell_task(work: Work, pk) -> Task | None:
    """The task of a cell, if it belongs to the work's assessment (no ordering: one plain lookup)."""
    try:
        return Task.objects.get(pk=pk, assessment_id=work.assessment_id)
    except Task.DoesNotExist:
        return None


def may_manage(user: User, school: School) -> bool:
    return user_can(user, Capability.MANAGE_GRADING, school)


# The expert's start page -----------------------------------------------------------------------------------


@dataclass
class Counts:
    total: int = 0
    complete: int = 0
    submitted: int = 0
    absent: int = 0

    @property
    def to_check(self) -> int:
        return self.total - self.absent

    @property
    def percent(self) -> int:
        return round(100 * self.complete / self.to_check) if self.to_check else 0

    def add(self, *, complete: bool, submitted: bool, absent: bool) -> None:
        self.total += 1
        self.complete += complete
        self.submitted += submitted
        self.absent += absent


@dataclass
class ExpertGroup:
    """The expert's works of one assessment at one school, by class."""

    school: School
    assessment: Assessment
    opens_at: datetime.datetime | None
    counts: Counts = field(default_factory=Counts)
    classes: dict[str, Counts] = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        return is_open(self.opens_at)

    @property
    def is_submitted(self) -> bool:
        return self.counts.total > 0 and self.counts.submitted == self.counts.total

    @property
    def local_opens_at(self) -> datetime.datetime | None:
        return timezone.localtime(self.opens_at, self.school.tzinfo) if self.opens_at else None


def expert_groups(user: User) -> list[ExpertGroup]:
    """The expert's works grouped by school, assessment and class, with progress and the R10 opening."""
    rows = list(
        assigned_to(user, "works").values_list(
            "school_id",
            "assessment_id",
            "participant__class_name",
            "participant__absent",
            "is_complete",
            "submitted_at",
        )
    )
    schools = School.objects.in_bulk({r[0] for r in rows})
    assessments = Assessment.objects.select_related("campaign", "subject").in_bulk({r[1] for r in rows})
    groups: dict[tuple[int, int], ExpertGroup] = {}
    openings = grading_openings({(assessments[r[1]], schools[r[0]]) for r in rows})
    for school_id, assessment_id, class_name, absent, complete, submitted_at in rows:
        key = (assessment_id, school_id)
        group = groups.get(key)
        if group is None:
            group = groups[key] = ExpertGroup(schools[school_id], assessments[assessment_id], openings[key])
        flags = {"complete": complete, "submitted": submitted_at is not None, "absent": absent}
        group.counts.add(**flags)
        group.classes.setdefault(class_name, Counts()).add(**flags)
    for group in groups.values():
        group.classes = dict(sorted(group.classes.items(), key=lambda item: class_sort_key(item[0])))
    return sorted(
        groups.values(),
        key=lambda g: (g.school.short_name, g.assessment.grade, g.assessment.subject.name, g.assessment.code),
    )


# The grid --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GridCell:
    task: Task
    text: str
    version: int


@dataclass(frozen=True)
class GridRow:
    work: Work
    cells: list[GridCell]


@dataclass(frozen=True)
class Grid:
    tasks: list[Task]
    rows: list[GridRow]

    @property
    def max_score(self) -> int:
        return sum(task.max_points for task in self.tasks)


def grid_tasks(assessment: Assessment) -> list[Task]:
    return list(Task.objects.filter(assessment=assessment).order_by("position"))


def grid(works: QuerySet[Work], *, assessment: Assessment, class_name: str = "") -> Grid:
    """Rows of works (code, class, variant) × the assessment's tasks, each cell with its text and version.
    Three queries whatever the size: tasks, works with participants, scores."""
    tasks = grid_tasks(assessment)
    works = works.filter(assessment=assessment).select_related("participant")
    if class_name:
        works = works.filter(participant__class_name=class_name)
    works = works.prefetch_related(
        Prefetch("scores", queryset=Score.objects.only("work_id", "task_id", "value", "not_attempted", "version"))
    )
    rows = []
    for work in sorted(works, key=lambda w: (class_sort_key(w.participant.class_name), w.participant.code, w.pk)):
        scores = {score.task_id: score for score in work.scores.all()}
        cells = []
        for task in tasks:
            score = scores.get(task.pk)
            cells.append(GridCell(task, str(score) if score else "", score.version if score else 0))
        rows.append(GridRow(work, cells))
    return Grid(tasks, rows)


def class_names(works: QuerySet[Work]) -> list[str]:
    return sorted(set(works.values_list("participant__class_name", flat=True)), key=class_sort_key)


# Distribution ----------------------------------------------------------------------------------------------


def assessment_experts(*, assessment: Assessment, school: School) -> QuerySet[Staff]:
    """The experts appointed to check the assessment at the school, in name order."""
    return (
        Staff.objects.filter(
            appointments__duty=Appointment.Duty.EXPERT,
            appointments__assessment=assessment,
            appointments__school=school,
        )
        .distinct()
        .order_by("last_name", "first_name", "middle_name", "pk")
    )


def taught_classes(*, staff: Iterable[Staff], school: School, campaign: Campaign) -> dict[int, tuple[set, set]]:
    """For each staff member the classes they teach at the school (any subject, TeachingLoad): class ids, and
    class names in the campaign's academic year (participants without a class link are matched by name)."""
    result: dict[int, tuple[set, set]] = {person.pk: (set(), set()) for person in staff}
    loads = TeachingLoad.objects.filter(staff_id__in=result, school_class__school=school).values_list(
        "staff_id", "school_class_id", "school_class__grade", "school_class__letter", "school_class__academic_year"
    )
    for staff_id, class_id, grade, letter, year in loads:
        ids, names = result[staff_id]
        ids.add(class_id)
        if year == campaign.academic_year:
            names.add(f"{grade}{letter}")
    return result


def teaches(taught: tuple[set, set], participant: Participant) -> bool:
    ids, names = taught
    if participant.school_class_id is not None:
        return participant.school_class_id in ids
    return participant.class_name in names


def has_entered_scores(work_ids: Iterable[int]) -> set[int]:
    """Works that have a score entered (a value or an «X»)."""
    return set(
        Score.objects.filter(work_id__in=list(work_ids))
        .filter(Q(value__isnull=False) | Q(not_attempted=True))
        .values_list("work_id", flat=True)
        .distinct()
    )


@dataclass
class DistributionRow:
    participant: Participant
    work: Work | None
    has_scores: bool


@dataclass
class ExpertLoad:
    staff: Staff
    counts: Counts = field(default_factory=Counts)
    classes: list[str] = field(default_factory=list)
    teaches: list[str] = field(default_factory=list)


@dataclass
class Distribution:
    experts: list[ExpertLoad]
    classes: dict[str, list[DistributionRow]]
    unassigned: int
    without_work: int


def distribution(*, assessment: Assessment, school: School) -> Distribution:
    """The assessment's participants at the school by class, each with its work's expert; each expert's load.
    Participants without a Work yet (created when the works are distributed) are listed too."""
    participants = list(
        Participant.objects.filter(assessment=assessment, school=school, status=Participant.Status.WRITES)
        .select_related("work__expert")
        .order_by(*class_name_ordering(), "code", "pk")
    )
    experts = list(assessment_experts(assessment=assessment, school=school))
    taught = taught_classes(staff=experts, school=school, campaign=assessment.campaign)
    works = [p.work for p in participants if hasattr(p, "work")]
    scored = has_entered_scores(w.pk for w in works)
    loads = {person.pk: ExpertLoad(person) for person in experts}
    classes: dict[str, list[DistributionRow]] = defaultdict(list)
    unassigned = without_work = 0
    for participant in participants:
        work = getattr(participant, "work", None)
        classes[participant.class_name].append(
            DistributionRow(participant, work, work is not None and work.pk in scored)
        )
        if work is None:
            without_work += not participant.absent
            continue
        if work.expert_id is None:
            unassigned += not participant.absent
            continue
        load = loads.get(work.expert_id)
        if load is None:  # an expert whose appointment was withdrawn keeps the works they hold
            load = loads[work.expert_id] = ExpertLoad(work.expert)
            taught[work.expert_id] = (set(), set())
        load.counts.add(complete=work.is_complete, submitted=work.is_locked, absent=participant.absent)
        if participant.class_name not in load.classes:
            load.classes.append(participant.class_name)
    for load in loads.values():
        load.teaches = sorted(
            {p.class_name for p in participants if teaches(taught[load.staff.pk], p)}, key=class_sort_key
        )
        load.classes.sort(key=class_sort_key)
    return Distribution(
        experts=list(loads.values()),
        classes=dict(sorted(classes.items(), key=lambda item: class_sort_key(item[0]))),
        unassigned=unassigned,
        without_work=without_work,
    )


# Progress --------------------------------------------------------------------------------------------------


@dataclass
class AssessmentProgress:
    assessment: Assessment
    participants: int
    present: int
    assigned: int
    complete: int
    submitted: int
    opens_at: datetime.datetime | None

    @property
    def percent(self) -> int:
        return round(100 * self.complete / self.present) if self.present else 0


@dataclass
class ExpertProgress:
    staff: Staff
    by_assessment: list[tuple[Assessment, Counts]]
    counts: Counts


def progress(*, campaign: Campaign, school: School) -> tuple[list[AssessmentProgress], list[ExpertProgress]]:
    """Grading progress of the school: per assessment (participants, works assigned, graded complete,
    submitted) and per expert. Counts only (R15: no results per teacher)."""
    assessments = list(
        Assessment.objects.filter(campaign=campaign, participants__school=school)
        .select_related("subject", "campaign")
        .distinct()
        .order_by("grade", "subject__name", "code")
    )
    participant_counts = {
        row["assessment_id"]: row
        for row in Participant.objects.filter(campaign=campaign, school=school, status=Participant.Status.WRITES)
        .values("assessment_id")
        .annotate(total=Count("pk"), present=Count("pk", filter=Q(absent=False)))
    }
    present = Q(participant__absent=False)
    work_counts = {
        row["assessment_id"]: row
        for row in Work.objects.filter(school=school, assessment__campaign=campaign)
        .values("assessment_id")
        .annotate(
            assigned=Count("pk", filter=present & Q(expert__isnull=False)),
            complete=Count("pk", filter=present & Q(is_complete=True)),
            submitted=Count("pk", filter=present & Q(submitted_at__isnull=False)),
        )
    }
    openings = grading_openings((a, school) for a in assessments)
    by_assessment = []
    for assessment in assessments:
        people = participant_counts.get(assessment.pk, {})
        works = work_counts.get(assessment.pk, {})
        by_assessment.append(
            AssessmentProgress(
                assessment=assessment,
                participants=people.get("total", 0),
                present=people.get("present", 0),
                assigned=works.get("assigned", 0),
                complete=works.get("complete", 0),
                submitted=works.get("submitted", 0),
                opens_at=openings[(assessment.pk, school.pk)],
            )
        )
    names = {a.pk: a for a in assessments}
    experts: dict[int, ExpertProgress] = {}
    rows = (
        Work.objects.filter(
            school=school, assessment__campaign=campaign, expert__isnull=False, participant__absent=False
        )
        .values("expert_id", "assessment_id")
        .annotate(
            total=Count("pk"),
            complete=Count("pk", filter=Q(is_complete=True)),
            submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
        )
    )
    rows = list(rows)
    staff = Staff.objects.in_bulk({row["expert_id"] for row in rows})
    for row in rows:
        entry = experts.setdefault(row["expert_id"], ExpertProgress(staff[row["expert_id"]], [], Counts()))
        counts = Counts(total=row["total"], complete=row["complete"], submitted=row["submitted"])
        entry.by_assessment.append((names[row["assessment_id"]], counts))
        entry.counts.total += counts.total
        entry.counts.complete += counts.complete
        entry.counts.submitted += counts.submitted
    for entry in experts.values():
        entry.by_assessment.sort(key=lambda item: (item[0].grade, item[0].subject.name, item[0].code))
    return by_assessment, unranked(experts.values(), by=lambda e: e.staff)


# Journal marks ---------------------------------------------------------------------------------------------


def journal_participants(*, assessment: Assessment, school: School, class_name: str) -> list[Participant]:
    """The class's participants of the assessment with their work (journal mark), by code: no names."""
    return list(
        Participant.objects.filter(
            assessment=assessment, school=school, class_name=class_name, status=Participant.Status.WRITES
        )
        .select_related("work")
        .order_by("code", "pk")
    )


def assessment_class_names(*, assessment: Assessment, school: School) -> list[str]:
    names = Participant.objects.filter(
        assessment=assessment, school=school, status=Participant.Status.WRITES
    ).values_list("class_name", flat=True)
    return sorted(set(names), key=class_sort_key)


# History ---------------------------------------------------------------------------------------------------


def score_history(*, assessment: Assessment, school: School, code: str = "") -> QuerySet[ScoreChange]:
    """Every change of scores and journal marks of the assessment at the school, newest first; filtered by
    participant code (its beginning). Codes only: the participant's pupil is never read."""
    changes = ScoreChange.objects.filter(work__assessment=assessment, work__school=school).select_related(
        "work__participant", "task", "changed_by"
    )
    code = code.strip()
    if code:
        changes = changes.filter(work__participant__code__startswith=code)
    return changes.order_by("-changed_at", "-id")
