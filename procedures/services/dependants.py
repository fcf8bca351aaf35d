"""What depends on an assessment of the catalogue, and what must follow when the catalogue changes.

The catalogue is data the department edits, but records hang off it: participants, sittings and
appointments here in procedures, works and scores in grading. Nothing that has such dependants may be
deleted or reshaped silently, and a safe change (a scale, a raised maximum, a corrected skill) must carry
every derived figure along. Procedures cannot import the apps above it, so they register here from their
AppConfig.ready():

- a dependants counter, `count(assessment_ids) -> {assessment_id: n}`, under a kind with its phrase,
  `phrase(n) -> str` through ngettext (shown as «160 участников, 2 сеанса»);
- task results, `results(assessment) -> {task_id: {points: n}}`: the recorded scores of each task by
  value (an «X» counts as 0), so that a task is not removed under its scores nor its maximum lowered
  below one of them;
- a recompute callback, `recompute(assessment) -> int`, called in the same transaction after the
  assessment's tasks or scale changed (grading recomputes every work's primary score and mark);
- a participants callback, `changed(school_id, assessment_ids)`, called last in the same transaction after
  participants of a school were added, removed, or changed in status, absence or class (`participants_changed`;
  grading refreshes the summary rows its figures read).
"""

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils.translation import ngettext

from procedures.models import Appointment, Assessment, Campaign, Participant, ParticipantCode, SchoolOrder, Sitting

DependantCount = Callable[[Sequence[int]], Mapping[int, int]]
TaskResults = Callable[[Assessment], Mapping[int, Mapping[int, int]]]
Recompute = Callable[[Assessment], int]


@dataclass(frozen=True)
class DependantKind:
    key: str
    order: int
    phrase: Callable[[int], str]  # «1 участник», «2 участника», «5 участников»
    count: DependantCount


_KINDS: dict[str, DependantKind] = {}
_TASK_RESULTS: dict[str, TaskResults] = {}
_RECOMPUTE: dict[str, Recompute] = {}
_LOCKS: dict[str, Callable[[Assessment], None]] = {}
_PARTICIPANTS_CHANGED: dict[str, Callable[[int, list[int]], None]] = {}


def register_dependants(key: str, *, order: int, phrase: Callable[[int], str], count: DependantCount) -> None:
    """Registers a kind of record that depends on assessments (idempotent per key)."""
    _KINDS[key] = DependantKind(key=key, order=order, phrase=phrase, count=count)


def register_task_results(key: str, results: TaskResults) -> None:
    _TASK_RESULTS[key] = results


def register_recompute(key: str, recompute: Recompute) -> None:
    _RECOMPUTE[key] = recompute


def register_lock(key: str, lock: Callable[[Assessment], None]) -> None:
    """`lock(assessment)` takes the row locks that a catalogue change must hold before it checks what depends
    on the assessment (inside the change's transaction)."""
    _LOCKS[key] = lock


def assessment_lock_dependants(assessment: Assessment) -> None:
    for lock in _LOCKS.values():
        lock(assessment)


def register_participants_changed(key: str, changed: Callable[[int, list[int]], None]) -> None:
    _PARTICIPANTS_CHANGED[key] = changed


def participants_changed(participants: Iterable[Participant]) -> None:
    """Tells the apps above that these participants were added, removed, or changed in status, absence or class;
    call it last in the writing transaction."""
    by_school: dict[int, set[int]] = {}
    for participant in participants:
        by_school.setdefault(participant.school_id, set()).add(participant.assessment_id)
    for school_id, assessment_ids in sorted(by_school.items()):
        for changed in _PARTICIPANTS_CHANGED.values():
            changed(school_id, sorted(assessment_ids))


@dataclass(frozen=True)
class Dependants:
    """Counts of what depends on an assessment (or a campaign), in a fixed order; false when nothing does."""

    items: tuple[tuple[str, int, Callable[[int], str]], ...] = ()

    def __bool__(self) -> bool:
        return any(n for _key, n, _phrase in self.items)

    def counts(self) -> dict[str, int]:
        """For audit entries: {"participants": 160, "works": 160, …} (only what is there)."""
        return {key: n for key, n, _phrase in self.items if n}

    def text(self) -> str:
        return ", ".join(phrase(n) for _key, n, phrase in self.items if n)

    def __add__(self, other: "Dependants") -> "Dependants":
        return Dependants(self.items + other.items)


def _kinds() -> list[DependantKind]:
    return sorted(_KINDS.values(), key=lambda kind: kind.order)


def dependants_by_assessment(assessment_ids: Iterable[int]) -> dict[int, Dependants]:
    """What depends on each of the assessments, one query per registered kind."""
    ids = list(assessment_ids)
    counted = [(kind, kind.count(ids)) for kind in _kinds()] if ids else []
    return {pk: Dependants(tuple((kind.key, counts.get(pk, 0), kind.phrase) for kind, counts in counted)) for pk in ids}


def assessment_dependants(assessment: Assessment) -> Dependants:
    return dependants_by_assessment([assessment.pk])[assessment.pk]


def campaign_dependants(campaign: Campaign) -> Dependants:
    """What depends on a campaign: its assessments' dependants summed, the campaign's appointments (the
    coordinator's too, not only those of an assessment), participant codes and school orders."""
    ids = list(campaign.assessments.values_list("pk", flat=True))
    totals: Counter[str] = Counter()
    for kind in _kinds():
        if kind.key != "appointments" and ids:
            totals[kind.key] += sum(kind.count(ids).values())
    items = [(kind.key, totals[kind.key], kind.phrase) for kind in _kinds() if kind.key != "appointments"]
    items += [
        ("appointments", campaign.appointments.count(), _appointments_phrase),
        ("codes", ParticipantCode.objects.filter(campaign=campaign).count(), _codes_phrase),
        ("orders", SchoolOrder.objects.filter(campaign=campaign).count(), _orders_phrase),
    ]
    return Dependants(tuple(items))


def task_results(assessment: Assessment) -> dict[int, Counter[int]]:
    """{task_id: Counter({points: how many scores})} of the recorded scores of the assessment's tasks."""
    merged: dict[int, Counter[int]] = {}
    for results in _TASK_RESULTS.values():
        for task_id, by_value in results(assessment).items():
            merged.setdefault(task_id, Counter()).update(by_value)
    return merged


def assessment_recompute(assessment: Assessment) -> int:
    """Lets every app recompute what it derives from the assessment's tasks and scale; returns how many
    records changed."""
    return sum(recompute(assessment) for recompute in _RECOMPUTE.values())


# What procedures itself keeps against an assessment.


def _participants_phrase(n: int) -> str:
    return ngettext("{n} участник", "{n} участников", n).format(n=n)


def _sittings_phrase(n: int) -> str:
    return ngettext("{n} сеанс", "{n} сеансов", n).format(n=n)


def _appointments_phrase(n: int) -> str:
    return ngettext("{n} назначение", "{n} назначений", n).format(n=n)


def _codes_phrase(n: int) -> str:
    return ngettext("{n} код участника", "{n} кодов участников", n).format(n=n)


def _orders_phrase(n: int) -> str:
    return ngettext("{n} приказ школы", "{n} приказов школ", n).format(n=n)


def _count_by(queryset, field: str, ids: Sequence[int]) -> dict[int, int]:
    rows = queryset.filter(**{f"{field}__in": ids}).values(field).annotate(n=Count("pk")).values_list(field, "n")
    return dict(rows)


def _participants(ids: Sequence[int]) -> dict[int, int]:
    return _count_by(Participant.objects.all(), "assessment_id", ids)


def _sittings(ids: Sequence[int]) -> dict[int, int]:
    return _count_by(Sitting.objects.all(), "assessment_id", ids)


def _appointments(ids: Sequence[int]) -> dict[int, int]:
    """Experts appointed for the assessment and organizers of the rooms of its sittings."""
    rows = (
        Appointment.objects.filter(Q(assessment_id__in=ids) | Q(sitting_room__sitting__assessment_id__in=ids))
        .annotate(of=Coalesce("assessment_id", "sitting_room__sitting__assessment_id"))
        .values("of")
        .annotate(n=Count("pk"))
        .values_list("of", "n")
    )
    return dict(rows)


register_dependants("participants", order=10, phrase=_participants_phrase, count=_participants)
register_dependants("sittings", order=20, phrase=_sittings_phrase, count=_sittings)
register_dependants("appointments", order=90, phrase=_appointments_phrase, count=_appointments)
