"""Preparing several sittings of one day in one step: the rooms of each sitting, the automatic seating and the
organizers of each room, through the same services as the sitting's own pages (`seating.sitting_rooms_set`,
`seating.sitting_seat`, `staffing.organizer_appoint` with its refusals R1, R2, R3, R5 and the same-time check).

A preview runs every step for real inside a transaction that is then rolled back, so it shows exactly what
confirming would do and why a step is refused; confirming runs them again and keeps the result only when no
step is refused (all or nothing). Organizers already appointed stay; a chosen one already in the room is kept.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from procedures.models import Appointment, Room, Sitting
from procedures.services import seating, staffing
from schools.models import Staff, User


@dataclass(frozen=True)
class SittingPlan:
    """What to do with one sitting: its rooms and, per room, the organizers to appoint."""

    sitting: Sitting
    rooms: Sequence[Room]
    organizers: dict[int, Sequence[Staff]] = field(default_factory=dict)  # room id → staff


@dataclass
class SittingOutcome:
    sitting: Sitting
    rooms: list[str] = field(default_factory=list)
    seated: int = 0
    appointed: list[str] = field(default_factory=list)  # «Room: Name»
    problems: list[str] = field(default_factory=list)


@dataclass
class SetupOutcome:
    sittings: list[SittingOutcome]
    applied: bool

    @property
    def problems(self) -> list[str]:
        return [f"{o.sitting}: {p}" for o in self.sittings for p in o.problems]


def _step(outcome: SittingOutcome, run):
    """Runs one service call in its own savepoint; a refusal is recorded on the sitting's outcome."""
    try:
        with transaction.atomic():
            return run()
    except ValidationError as error:
        outcome.problems.extend(error.messages)
        return None


def _prepare(plan: SittingPlan, actor: User) -> SittingOutcome:
    sitting = plan.sitting
    outcome = SittingOutcome(sitting=sitting, rooms=sorted(room.name for room in plan.rooms))
    if not plan.rooms:
        outcome.problems.append(_("не выбрано ни одной аудитории"))
        return outcome
    _step(outcome, lambda: seating.sitting_rooms_set(sitting=sitting, rooms=list(plan.rooms), actor=actor))
    if outcome.problems:
        return outcome
    result = _step(outcome, lambda: seating.sitting_seat(sitting=sitting, actor=actor))
    if result is None:
        return outcome
    outcome.seated = result.seated
    for sitting_room in sitting.rooms.select_related("room").order_by("room__name"):
        for staff in plan.organizers.get(sitting_room.room_id, ()):
            already = Appointment.objects.filter(
                sitting_room=sitting_room, staff=staff, duty=Appointment.Duty.ORGANIZER
            ).exists()
            if already or _step(
                outcome,
                lambda sitting_room=sitting_room, staff=staff: staffing.organizer_appoint(
                    sitting_room=sitting_room, staff=staff, actor=actor
                ),
            ):
                outcome.appointed.append(f"{sitting_room.room.name}: {staff.full_name}")
    return outcome


def sittings_setup(*, plans: Sequence[SittingPlan], actor: User, confirm: bool) -> SetupOutcome:
    """Rooms, seating and organizers for every planned sitting. Without `confirm` (the preview) nothing is
    kept; with it, everything is kept only when no step was refused."""
    with transaction.atomic():
        outcomes = [_prepare(plan, actor) for plan in plans]
        applied = confirm and not any(o.problems for o in outcomes)
        if not applied:
            transaction.set_rollback(True)
    return SetupOutcome(sittings=outcomes, applied=applied)
