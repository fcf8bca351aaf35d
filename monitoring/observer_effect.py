"""The observer effect (issue 11, item 6): the results of one assessment in the municipality, of the participants
who wrote it with a public observer in the room beside those who wrote it without — evidence beside the signals,
never a verdict about a school. No school is named and nothing is ordered by results (R15).

Who is «в аудитории с наблюдателем». A participant seated in a room (procedures.Seat) is observed when that
sitting room had an active (not cancelled) ObservationAssignment of the conduct stage placed in it. Where the room
is unknown — the participant has no seat, or the sitting's observer was not placed in a room — the class decides:
the participant is observed when the sitting their class wrote in (the school's schedule: class × date × lesson;
the school's only sitting of the assessment without a schedule row) had an active conduct-stage observer.

Who counts and how the figures are rounded is grading.figures' one definition: the present participants whose
work is complete (they have a mark); shares and the mean rounded half up to one decimal from exact fractions
(`figures_compute`, `percent`). The mean mark is rounded as the mean score is:
`percent(Σ marks, 100 × participants)`, one decimal.
A group under SMALL_SAMPLE participants carries a warning; under HIDDEN_BELOW its percentages and means are not
shown, and then neither are the other group's (`grading.completion.complementary`): the municipality's figures are
published, so one group's would give away the other's."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Q

from grading.completion import complementary
from grading.figures import MARKS, SMALL_SAMPLE, Figures, Tally, figures_compute, percent
from grading.models import Work
from monitoring.models import ObservationAssignment, Stage
from procedures.models import Assessment, Participant, ScheduleEntry, Sitting

OBSERVED = "observed"
UNOBSERVED = "unobserved"
GROUPS = (OBSERVED, UNOBSERVED)


@dataclass(frozen=True)
class EffectGroup:
    """One side of the comparison: its size (participants; rooms known by seats; classes placed by the class
    rule) and its figures (None where hidden)."""

    key: str
    participants: int
    rooms: int
    classes: int
    mark_counts: dict[str, int]
    marks: dict[str, float | None]
    mean_mark: float | None
    mean_score: float | None
    small_sample: bool
    hidden: bool
    figures: Figures

    @property
    def mark_rows(self) -> list[tuple[str, int, float | None]]:
        return [(mark, self.mark_counts[mark], self.marks[mark]) for mark in MARKS]


@dataclass(frozen=True)
class ObserverEffect:
    assessment: Assessment
    observed: EffectGroup
    unobserved: EffectGroup

    @property
    def groups(self) -> tuple[EffectGroup, EffectGroup]:
        return (self.observed, self.unobserved)

    @property
    def mark_table(self) -> list[tuple[str, list[tuple[str, float | None]]]]:
        """«2»…«5» → [(group key, share or None when hidden)] for both groups: the table's rows."""
        return [(mark, [(group.key, group.marks[mark]) for group in self.groups]) for mark in MARKS]

    @property
    def has_observed(self) -> bool:
        return self.observed.participants > 0

    @property
    def difference(self) -> dict | None:
        """Observed minus unobserved, in percentage points per mark and in the mean mark; None when either side
        is hidden or empty."""
        a, b = self.observed, self.unobserved
        if a.hidden or b.hidden or not a.participants or not b.participants:
            return None
        return {
            "marks": {mark: round(a.marks[mark] - b.marks[mark], 1) for mark in MARKS},
            "mean_mark": round(a.mean_mark - b.mean_mark, 1),
        }


def _active_conduct(assessment: Assessment):
    return ObservationAssignment.objects.filter(
        sitting__assessment=assessment, stage=Stage.CONDUCT, cancelled_at__isnull=True
    )


def _observed_places(assessment: Assessment) -> tuple[set[int], set[int]]:
    """(sitting rooms with an observer placed in them, sittings with an observer not placed in a room)."""
    rooms: set[int] = set()
    unplaced: set[int] = set()
    for sitting_id, sitting_room_id in _active_conduct(assessment).values_list("sitting_id", "sitting_room_id"):
        if sitting_room_id is None:
            unplaced.add(sitting_id)
        else:
            rooms.add(sitting_room_id)
    return rooms, unplaced


def _class_sittings(assessment: Assessment) -> tuple[dict, dict]:
    """(school id, class name) → the sitting id of the class by the school's schedule, and school id → its one
    sitting of the assessment (schools with several sittings and no schedule row for a class stay unknown)."""
    sittings = {
        (school_id, date, lesson): pk
        for pk, school_id, date, lesson in Sitting.objects.filter(assessment=assessment).values_list(
            "pk", "school_id", "date", "lesson"
        )
    }
    by_class = {}
    for school_id, grade, letter, date, lesson in ScheduleEntry.objects.filter(assessment=assessment).values_list(
        "schedule__school_id", "school_class__grade", "school_class__letter", "date", "lesson"
    ):
        sitting_id = sittings.get((school_id, date, lesson))
        if sitting_id is not None:
            by_class[(school_id, f"{grade}{letter}")] = sitting_id  # SchoolClass.name, as Participant.class_name
    per_school: dict[int, list[int]] = {}
    for (school_id, _date, _lesson), pk in sittings.items():
        per_school.setdefault(school_id, []).append(pk)
    only = {school_id: pks[0] for school_id, pks in per_school.items() if len(pks) == 1}
    return by_class, only


def observer_effect(assessment: Assessment) -> ObserverEffect:
    """The results of the assessment's participants in the municipality, with an observer and without (see the
    module's docstring for who is which); figures as grading.figures computes them, small groups hidden."""
    observed_rooms, unplaced_sittings = _observed_places(assessment)
    observed_sittings = set(_active_conduct(assessment).values_list("sitting_id", flat=True))
    by_class, only_sitting = _class_sittings(assessment)
    works = Work.objects.filter(
        assessment=assessment,
        participant__status=Participant.Status.WRITES,
        participant__absent=False,
        is_complete=True,
    ).filter(~Q(mark=None))
    tallies = {key: Tally() for key in GROUPS}
    mark_sums = Counter()
    rooms = {key: set() for key in GROUPS}
    classes = {key: set() for key in GROUPS}
    for school_id, class_name, sitting_room_id, room_sitting_id, score, mark, journal in works.values_list(
        "school_id",
        "participant__class_name",
        "participant__seat__sitting_room_id",
        "participant__seat__sitting_room__sitting_id",
        "primary_score",
        "mark",
        "journal_mark",
    ).order_by():
        if sitting_room_id is not None and room_sitting_id not in unplaced_sittings:
            key = OBSERVED if sitting_room_id in observed_rooms else UNOBSERVED
            rooms[key].add(sitting_room_id)
        else:
            sitting_id = room_sitting_id or by_class.get((school_id, class_name)) or only_sitting.get(school_id)
            key = OBSERVED if sitting_id in observed_sittings else UNOBSERVED
            classes[key].add((school_id, class_name))
        tally = tallies[key]
        tally.present += 1
        tally.results[(score, mark, journal)] += 1
        mark_sums[key] += mark
    sizes = {key: sum(tallies[key].results.values()) for key in GROUPS}
    hidden = complementary(sizes)
    groups = {}
    for key in GROUPS:
        figures = figures_compute(tallies[key], tasks=[], hide_small=True)
        n = figures.participants
        is_hidden = key in hidden or figures.percentages_hidden
        groups[key] = EffectGroup(
            key=key,
            participants=n,
            rooms=len(rooms[key]),
            classes=len(classes[key]),
            mark_counts=figures.mark_counts,
            marks={mark: None for mark in MARKS} if is_hidden else figures.marks,
            mean_mark=None if is_hidden or not n else percent(mark_sums[key], 100 * n),
            mean_score=None if is_hidden else figures.mean_score,
            small_sample=0 < n < SMALL_SAMPLE,
            hidden=is_hidden and n > 0,
            figures=figures,
        )
    return ObserverEffect(assessment=assessment, observed=groups[OBSERVED], unobserved=groups[UNOBSERVED])
