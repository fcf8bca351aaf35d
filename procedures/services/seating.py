"""Rooms, sittings, seating and the release of room lists (Регламент 6.4.5–6.4.8).

Sittings. One sitting per assessment × date × lesson of the school's schedule (`sittings_sync`, safe to run
again). Its start is the date at the lesson's start in the school's time zone, from the default bell table
`LESSON_STARTS` (45-minute lessons):

    урок 1 — 08:30, 2 — 09:25, 3 — 10:20, 4 — 11:25, 5 — 12:20, 6 — 13:15 (7 — 14:10, 8 — 15:05)

and the coordinator may change it (`sitting_set_start`). The coordinator chooses the sitting's rooms.

Seating (`sitting_seat`). Who writes at the sitting (participants «пишет» of its classes) is placed into its
rooms within their capacity; re-running gives the same seats (the placement is a deterministic function of the
participants and rooms, and only differences are written). Then the coordinator may move a participant to
another seat or room, or swap two (`seat_move`).
- Desks: a room has `rows` × `columns` seats; in each row columns (1, 2), (3, 4), … form a desk of two seats (an
  odd last column is a desk of one). Row 1 is at the board.
- Variants: two, in a checkerboard — variant 1 where row + column is even, 2 where odd — so desk neighbours and
  the neighbours in front and behind have different variants. Participant.variant is set from the seat.
- Rooms are filled in proportion to their capacity, and every class is spread over the rooms in the same
  proportion: each room mixes the sitting's classes, so classmates can be kept apart at its desks. (R1 reads every
  class seated in a room, so the teachers of the sitting's classes organize none of its rooms.)
- Within a room, a participant sits alone at a desk while there are free desks; desk-mates are paired so that no
  two classmates share a desk when the room holds more than one class (when a class alone is larger than the
  number of desks, the fewest such desks possible), and the classes are interleaved across desks.

Release (R9). The coordinator releases a sitting room's lists to its organizers no later than 10 minutes before
the start (`sitting_room_release`); released_at is recorded, a late release is kept as late and shown so. A
release needs at least two organizers (R2), none of them kept out by R1/R5, and every participant of the
sitting seated. After the release the room's seating is frozen until the release is withdrawn
(`sitting_room_recall`).

The module registers the checker of the plan-graph stage «аудитории и рассадка готовы» (Stage.Kind.ROOMS_SET): it
must be imported at startup (procedures' AppConfig.ready()).
"""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from procedures.models import (
    Appointment,
    Campaign,
    Participant,
    Room,
    ScheduleEntry,
    Seat,
    Sitting,
    SittingRoom,
    Stage,
)
from procedures.selectors.rooms import (
    organizer_refusals,
    organizers_enough,
    release_due,
    sitting_classes,
    sitting_participants,
)
from procedures.services.plan import CheckResult, register_stage_check
from schools.models import School, User
from schools.services import audit_record, notifications_send

# Default bell table: lesson → local start time (45-minute lessons with the usual breaks).
LESSON_STARTS: dict[int, datetime.time] = {
    1: datetime.time(8, 30),
    2: datetime.time(9, 25),
    3: datetime.time(10, 20),
    4: datetime.time(11, 25),
    5: datetime.time(12, 20),
    6: datetime.time(13, 15),
    7: datetime.time(14, 10),
    8: datetime.time(15, 5),
}
VARIANTS = 2


def lesson_start(*, school: School, date: datetime.date, lesson: int) -> datetime.datetime | None:
    """The lesson's start by the default bell table, in the school's time zone (None for an unknown lesson)."""
    at = LESSON_STARTS.get(lesson)
    return datetime.datetime.combine(date, at, tzinfo=school.tzinfo) if at is not None else None


def variant_for(row: int, column: int) -> int:
    """The checkerboard: desk neighbours and front/back neighbours get different variants."""
    return 1 if (row + column) % 2 == 0 else 2


# Rooms -----------------------------------------------------------------------------------------------------

ROOM_FIELDS = ("name", "rows", "columns", "is_active")


@transaction.atomic
def room_save(*, room: Room, actor: User) -> Room:
    """Creates or edits a room of the school. A room may not shrink below a seat someone is placed at."""
    creating = room.pk is None
    before = {}
    if not creating:
        stored = Room.objects.select_for_update().get(pk=room.pk)
        before = {f: getattr(stored, f) for f in ROOM_FIELDS}
        outside = Seat.objects.filter(sitting_room__room=room).filter(Q(row__gt=room.rows) | Q(column__gt=room.columns))
        if outside.exists():
            raise ValidationError(
                _(
                    "В аудитории «{room}» рассажены участники на местах за пределами новых размеров: сначала "
                    "пересадите их."
                ).format(room=stored.name)
            )
    room.full_clean()
    room.save()
    after = {f: getattr(room, f) for f in ROOM_FIELDS}
    if creating or before != after:
        audit_record(
            actor=actor,
            action="room.created" if creating else "room.updated",
            target=room,
            before={k: v for k, v in before.items() if after[k] != v} or None,
            after={k: v for k, v in after.items() if before.get(k) != v},
        )
    return room


@transaction.atomic
def room_delete(*, room: Room, actor: User) -> None:
    """Removes a room no sitting uses; a used room is kept (mark it unused instead)."""
    if room.sittings.exists():
        raise ValidationError(
            _(
                "Аудитория «{room}» уже выбрана для проведения работ: удалить её нельзя, отметьте её неиспользуемой."
            ).format(room=room.name)
        )
    audit_record(actor=actor, action="room.deleted", target=room, before={f: getattr(room, f) for f in ROOM_FIELDS})
    room.delete()


# Sittings --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SittingSync:
    created: int
    removed: int
    # Sittings no longer in the schedule but kept, because lists of their rooms were released already.
    kept: list[Sitting]


def _unseat(seats) -> None:
    """Deletes seats and clears the variants they gave."""
    participant_ids = list(seats.values_list("participant_id", flat=True))
    Participant.objects.filter(pk__in=participant_ids).update(variant=None)
    seats.delete()


@transaction.atomic
def sittings_sync(*, campaign: Campaign, school: School, actor: User) -> SittingSync:
    """Brings the school's sittings in line with its schedule: one per assessment × date × lesson, starting
    by the bell table. Existing sittings keep their start and rooms; sittings the schedule no longer has are
    removed with their seats and organizers, unless lists of their rooms were released."""
    wanted = set(
        ScheduleEntry.objects.filter(schedule__campaign=campaign, schedule__school=school).values_list(
            "assessment_id", "date", "lesson"
        )
    )
    existing = {
        (s.assessment_id, s.date, s.lesson): s
        for s in Sitting.objects.select_for_update().filter(campaign=campaign, school=school)
    }
    created = [
        Sitting(
            campaign=campaign,
            school=school,
            assessment_id=assessment_id,
            date=date,
            lesson=lesson,
            starts_at=lesson_start(school=school, date=date, lesson=lesson),
        )
        for assessment_id, date, lesson in sorted(wanted - set(existing))
    ]
    Sitting.objects.bulk_create(created)
    obsolete = [existing[key] for key in set(existing) - wanted]
    released = set(
        SittingRoom.objects.filter(sitting__in=obsolete, released_at__isnull=False).values_list("sitting_id", flat=True)
    )
    removed = [s for s in obsolete if s.pk not in released]
    if removed:
        _unseat(Seat.objects.filter(sitting_room__sitting__in=removed))
        Sitting.objects.filter(pk__in=[s.pk for s in removed]).delete()
    if created or removed:
        audit_record(
            actor=actor,
            action="sittings.synced",
            target=campaign,
            school=school,
            target_label=str(campaign),
            after={"created": len(created), "removed": len(removed)},
        )
    return SittingSync(created=len(created), removed=len(removed), kept=[s for s in obsolete if s.pk in released])


@transaction.atomic
def sitting_set_start(*, sitting: Sitting, starts_at: datetime.datetime, actor: User) -> Sitting:
    """Changes the start of a sitting (on its own date in the school's time zone); the lists' due time moves
    with it."""
    if timezone.is_naive(starts_at):
        raise ValidationError(_("Время начала должно быть указано с часовым поясом."))
    if timezone.localtime(starts_at, sitting.school.tzinfo).date() != sitting.date:
        raise ValidationError(
            _("Начало работы должно быть в день проведения — {date}.").format(date=sitting.date.strftime("%d.%m.%Y"))
        )
    before = sitting.starts_at
    if before == starts_at:
        return sitting
    sitting.starts_at = starts_at
    sitting.save(update_fields=["starts_at"])
    audit_record(
        actor=actor,
        action="sitting.start_changed",
        target=sitting,
        school=sitting.school,
        before={"starts_at": before.isoformat() if before else None},
        after={"starts_at": starts_at.isoformat()},
    )
    return sitting


def _refuse_released(sitting_rooms: Sequence[SittingRoom]) -> None:
    released = [sr.room.name for sr in sitting_rooms if sr.released_at is not None]
    if released:
        raise ValidationError(
            _(
                "Списки аудитории «{rooms}» уже переданы организаторам: чтобы изменить рассадку, сначала отзовите "
                "передачу."
            ).format(rooms=", ".join(sorted(released)))
        )


@transaction.atomic
def sitting_rooms_set(*, sitting: Sitting, rooms: Sequence[Room], actor: User) -> None:
    """Chooses the sitting's rooms. A room busy with another sitting at the same date and lesson is refused;
    a removed room loses its seats and organizers, unless its lists were released."""
    chosen = {room.pk: room for room in rooms}
    for room in rooms:
        if room.school_id != sitting.school_id:
            raise ValidationError(_("Аудитория «{room}» другой школы.").format(room=room.name))
    current = {sr.room_id: sr for sr in sitting.rooms.select_for_update().select_related("room")}
    added = [room for pk, room in chosen.items() if pk not in current]
    dropped = [sr for pk, sr in current.items() if pk not in chosen]
    for room in added:
        if not room.is_active:
            raise ValidationError(_("Аудитория «{room}» отмечена неиспользуемой.").format(room=room.name))
    busy = (
        SittingRoom.objects.filter(
            room__in=added,
            sitting__school_id=sitting.school_id,
            sitting__date=sitting.date,
            sitting__lesson=sitting.lesson,
        )
        .exclude(sitting=sitting)
        .select_related("room", "sitting__assessment__subject")
    )
    for other in busy:
        raise ValidationError(
            _("Аудитория «{room}» в это время занята: {sitting}.").format(room=other.room.name, sitting=other.sitting)
        )
    _refuse_released(dropped)
    removed_organizers = sorted(
        Appointment.objects.filter(sitting_room__in=dropped, duty=Appointment.Duty.ORGANIZER).values_list(
            "staff__last_name", flat=True
        )
    )
    if dropped:
        _unseat(Seat.objects.filter(sitting_room__in=dropped))
        SittingRoom.objects.filter(pk__in=[sr.pk for sr in dropped]).delete()
    SittingRoom.objects.bulk_create([SittingRoom(sitting=sitting, room=room) for room in added])
    if added or dropped:
        audit_record(
            actor=actor,
            action="sitting.rooms_changed",
            target=sitting,
            school=sitting.school,
            before={
                "rooms": ", ".join(sorted(sr.room.name for sr in current.values())),
                "organizers_removed": ", ".join(removed_organizers),
            },
            after={"rooms": ", ".join(sorted(room.name for room in chosen.values()))},
        )


# The placement (pure: rows in, seats out) ------------------------------------------------------------------


@dataclass(frozen=True)
class Seatable:
    """Someone to seat: `group` is the class, `order` the stable order inside it (code, id)."""

    id: int
    group: str
    order: tuple = ()


@dataclass(frozen=True)
class RoomShape:
    id: int
    rows: int
    columns: int

    @property
    def capacity(self) -> int:
        return self.rows * self.columns


Placement = dict[int, tuple[int, int, int]]  # seatable id → (room id, row, column)


class NotEnoughSeats(ValidationError):
    pass


def _group_key(group: str) -> tuple:
    digits = "".join(ch for ch in group if ch.isdigit())
    return (int(digits) if digits else 0, group)


def _shares(total: int, capacities: Sequence[int]) -> list[int]:
    """How many to put in each room: proportional to capacity (largest remainders), never over it."""
    whole = sum(capacities)
    shares = [total * c // whole for c in capacities]
    rest = total - sum(shares)
    by_remainder = sorted(range(len(capacities)), key=lambda i: (-(total * capacities[i] % whole), i))
    for i in by_remainder:
        if rest == 0:
            break
        if shares[i] < capacities[i]:
            shares[i] += 1
            rest -= 1
    return shares


def _interleaved(units: list[tuple[str, tuple]]) -> list[tuple]:
    """Round-robin over the groups (in group order) so that neighbouring desks hold different classes."""
    by_group: dict[str, list[tuple]] = defaultdict(list)
    for group, unit in units:
        by_group[group].append(unit)
    queues = [by_group[g] for g in sorted(by_group, key=_group_key)]
    result = []
    while any(queues):
        for queue in queues:
            if queue:
                result.append(queue.pop(0))
    return result


def place_in_room(people: Sequence[Seatable], room: RoomShape) -> dict[int, tuple[int, int]]:
    """Seats `people` in one room (len(people) ≤ capacity): alone at a desk while desks are free, classmates
    apart at shared desks, classes interleaved. Returns id → (row, column)."""
    n = len(people)
    if n == 0:
        return {}
    desks = [(row, left) for row in range(1, room.rows + 1) for left in range(1, room.columns + 1, 2)]
    double = [(row, left) for row, left in desks if left + 1 <= room.columns]
    used = min(n, len(desks))
    pairs = n - used
    # Grouped by class, the largest first: partners j and used + j are in different classes unless one class
    # alone outnumbers the desks, and then the fewest classmate desks result.
    sizes: dict[str, int] = defaultdict(int)
    for person in people:
        sizes[person.group] += 1
    ordered = sorted(people, key=lambda p: (-sizes[p.group], _group_key(p.group), p.order, p.id))
    pair_units = [(ordered[j].group, (ordered[j], ordered[used + j])) for j in range(pairs)]
    single_units = [(ordered[j].group, (ordered[j],)) for j in range(pairs, used)]
    pair_desks = double[:pairs]
    taken = set(pair_desks)
    single_desks = [desk for desk in desks if desk not in taken][: len(single_units)]
    seats: dict[int, tuple[int, int]] = {}
    for (row, left), (first, second) in zip(pair_desks, _interleaved(pair_units), strict=True):
        if (row + left // 2) % 2:  # alternate sides, so columns do not repeat one class
            first, second = second, first
        seats[first.id] = (row, left)
        seats[second.id] = (row, left + 1)
    for (row, left), (person,) in zip(single_desks, _interleaved(single_units), strict=True):
        seats[person.id] = (row, left)
    return seats


def plan_seating(people: Sequence[Seatable], rooms: Sequence[RoomShape]) -> Placement:
    """Places everyone into the rooms within capacity; deterministic, so the same input gives the same seats."""
    capacity = sum(room.capacity for room in rooms)
    if len(people) > capacity:
        raise NotEnoughSeats(
            _("Не хватает мест: участников {n}, мест в выбранных аудиториях {m}. Добавьте аудиторию.").format(
                n=len(people), m=capacity
            )
        )
    if not people:
        return {}
    ordered = sorted(people, key=lambda p: (_group_key(p.group), p.order, p.id))
    shares = _shares(len(ordered), [r.capacity for r in rooms])
    # Dealt in class order to the room furthest from its share, so that every class is spread over the rooms in
    # the rooms' proportion: each room mixes the classes and classmates can be kept apart at its desks.
    in_room: list[list[Seatable]] = [[] for _room in rooms]
    for person in ordered:
        open_rooms = [i for i, share in enumerate(shares) if len(in_room[i]) < share]
        chosen = max(open_rooms, key=lambda i: ((shares[i] - len(in_room[i])) / shares[i], -i))
        in_room[chosen].append(person)
    placement: Placement = {}
    for room, group in zip(rooms, in_room, strict=True):
        for person_id, (row, column) in place_in_room(group, room).items():
            placement[person_id] = (room.id, row, column)
    return placement


# Seating ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeatingResult:
    seated: int
    changed: int
    removed: int


def _seatable(participant: Participant) -> Seatable:
    return Seatable(participant.pk, participant.class_name, (participant.code, participant.pk))


@transaction.atomic
def sitting_seat(*, sitting: Sitting, actor: User) -> SeatingResult:
    """Seats every participant of the sitting automatically (see the module's docstring); the coordinator's
    moves are replaced. Running it again changes nothing."""
    sitting_rooms = list(sitting.rooms.select_for_update().select_related("room").order_by("room__name", "pk"))
    if not sitting_rooms:
        raise ValidationError(_("Сначала выберите аудитории для этой работы."))
    _refuse_released(sitting_rooms)
    participants = list(sitting_participants(sitting))
    placement = plan_seating(
        [_seatable(p) for p in participants],
        [RoomShape(sr.pk, sr.room.rows, sr.room.columns) for sr in sitting_rooms],
    )
    ids = [p.pk for p in participants]
    existing = list(
        Seat.objects.filter(Q(sitting_room__sitting=sitting) | Q(participant_id__in=ids)).select_related("sitting_room")
    )
    stale = [s for s in existing if placement.get(s.participant_id) != (s.sitting_room_id, s.row, s.column)]
    _refuse_released([s.sitting_room for s in stale if s.sitting_room.sitting_id != sitting.pk])
    kept = {s.participant_id for s in existing if s not in stale}
    removed_ids = [s.participant_id for s in stale if s.participant_id not in placement]
    Seat.objects.filter(pk__in=[s.pk for s in stale]).delete()
    new_seats = [
        Seat(participant_id=pid, sitting_room_id=room_id, row=row, column=column)
        for pid, (room_id, row, column) in placement.items()
        if pid not in kept
    ]
    Seat.objects.bulk_create(new_seats)
    Participant.objects.filter(pk__in=removed_ids).update(variant=None)
    changed_variants = []
    for participant in participants:
        _room, row, column = placement[participant.pk]
        variant = variant_for(row, column)
        if participant.variant != variant:
            participant.variant = variant
            changed_variants.append(participant)
    Participant.objects.bulk_update(changed_variants, ["variant"])
    result = SeatingResult(seated=len(placement), changed=len(new_seats), removed=len(removed_ids))
    if new_seats or removed_ids:
        audit_record(
            actor=actor,
            action="seating.automatic",
            target=sitting,
            school=sitting.school,
            after={"seated": result.seated, "changed": result.changed, "removed": result.removed},
        )
    return result


@transaction.atomic
def seat_move(*, participant: Participant, sitting_room: SittingRoom, row: int, column: int, actor: User) -> None:
    """Moves a participant of the sitting to a seat of one of its rooms; an occupied seat swaps the two."""
    sitting_room = (
        SittingRoom.objects.select_for_update().select_related("room", "sitting__school").get(pk=sitting_room.pk)
    )
    sitting = sitting_room.sitting
    if not sitting_participants(sitting).filter(pk=participant.pk).exists():
        raise ValidationError(_("Участник {who} не пишет эту работу в это время.").format(who=participant))
    room = sitting_room.room
    if not (1 <= row <= room.rows and 1 <= column <= room.columns):
        raise ValidationError(
            _("В аудитории «{room}» рядов {rows} и мест в ряду {columns}: места ряд {row}, место {column} нет.").format(
                room=room.name, rows=room.rows, columns=room.columns, row=row, column=column
            )
        )
    own = Seat.objects.select_for_update().select_related("sitting_room__room").filter(participant=participant).first()
    occupant = (
        Seat.objects.select_for_update()
        .select_related("participant")
        .filter(sitting_room=sitting_room, row=row, column=column)
        .first()
    )
    if own is not None and occupant is not None and own.pk == occupant.pk:
        return
    _refuse_released([sitting_room] + ([own.sitting_room] if own else []))
    if occupant is not None and own is None:
        raise ValidationError(
            _("Место ряд {row}, место {column} занято участником {who}: выберите свободное место.").format(
                row=row, column=column, who=occupant.participant
            )
        )
    before = {"participant": str(participant), "seat": str(own) if own else None}
    if occupant is not None:
        swapped = occupant.participant
        old_room, old_row, old_column = own.sitting_room_id, own.row, own.column
        Seat.objects.filter(pk__in=[own.pk, occupant.pk]).delete()
        Seat.objects.create(participant=swapped, sitting_room_id=old_room, row=old_row, column=old_column)
        swapped.variant = variant_for(old_row, old_column)
        swapped.save(update_fields=["variant"])
        before["swapped_with"] = str(swapped)
    elif own is not None:
        own.delete()
    Seat.objects.create(participant=participant, sitting_room=sitting_room, row=row, column=column)
    participant.variant = variant_for(row, column)
    participant.save(update_fields=["variant"])
    audit_record(
        actor=actor,
        action="seating.swapped" if occupant is not None else "seating.moved",
        target=sitting,
        school=sitting.school,
        before=before,
        after={"participant": str(participant), "seat": f"{room.name}: {row}-{column}"},
    )


# Release (R9) ----------------------------------------------------------------------------------------------


def _my_room_url(sitting_room: SittingRoom) -> str:
    try:
        return reverse("procedures:my_room", kwargs={"pk": sitting_room.pk})
    except NoReverseMatch:
        return ""


@transaction.atomic
def sitting_room_release(
    *, sitting_room: SittingRoom, actor: User, now: datetime.datetime | None = None
) -> SittingRoom:
    """Releases the room's list and seating plan to its organizers and records when (R9). Refused with fewer
    than two organizers (R2), with an organizer kept out by R1/R5, or while participants are unseated. A
    release after the due time (start − 10 min) is recorded all the same and shows as late."""
    sitting_room = (
        SittingRoom.objects.select_for_update().select_related("room", "sitting__school").get(pk=sitting_room.pk)
    )
    if sitting_room.released_at is not None:
        return sitting_room
    sitting = sitting_room.sitting
    organizers = list(sitting_room.organizers.filter(duty=Appointment.Duty.ORGANIZER).select_related("staff__user"))
    problems = []
    if not organizers_enough(len(organizers)):
        problems.append(
            _(
                "В аудитории «{room}» организаторов: {n}. Нужно не менее двух (Регламент 6.4.6) — назначьте "
                "организаторов, затем передавайте списки."
            ).format(room=sitting_room.room.name, n=len(organizers))
        )
    refusals = organizer_refusals(sitting_room=sitting_room, staff=[a.staff for a in organizers])
    for appointment in organizers:
        problems.extend(refusals[appointment.staff_id])
    if not sitting_room.seats.exists():
        problems.append(_("В аудитории «{room}» никто не рассажен.").format(room=sitting_room.room.name))
    unseated = sitting_participants(sitting, classes=sitting_classes(sitting)).filter(seat__isnull=True).count()
    if unseated:
        problems.append(_("Не рассажено участников этой работы: {n}. Сначала рассадите всех.").format(n=unseated))
    if problems:
        raise ValidationError(problems)
    now = now or timezone.now()
    sitting_room.released_at = now
    sitting_room.released_by = actor
    sitting_room.save(update_fields=["released_at", "released_by"])
    due = release_due(sitting)
    audit_record(
        actor=actor,
        action="room_lists.released",
        target=sitting_room,
        school=sitting.school,
        after={
            "released_at": now.isoformat(),
            "due": due.isoformat() if due else None,
            "late": bool(due and now > due),
        },
    )
    users = [a.staff.user for a in organizers if a.staff.user_id]
    if users:
        notifications_send(
            users=users,
            text=_("Списки аудитории «{room}» переданы: {sitting}.").format(
                room=sitting_room.room.name, sitting=sitting
            ),
            url=_my_room_url(sitting_room),
            key=f"room-lists-{sitting_room.pk}-{now.timestamp():.0f}",
        )
    return sitting_room


@transaction.atomic
def sitting_room_recall(*, sitting_room: SittingRoom, actor: User) -> SittingRoom:
    """Withdraws the release (to correct the seating or the organizers); the lists are released again after."""
    sitting_room = (
        SittingRoom.objects.select_for_update().select_related("room", "sitting__school").get(pk=sitting_room.pk)
    )
    if sitting_room.released_at is None:
        return sitting_room
    before = {"released_at": sitting_room.released_at.isoformat()}
    sitting_room.released_at = None
    sitting_room.released_by = None
    sitting_room.save(update_fields=["released_at", "released_by"])
    audit_record(
        actor=actor,
        action="room_lists.recalled",
        target=sitting_room,
        school=sitting_room.sitting.school,
        before=before,
    )
    return sitting_room


# The plan-graph stage «аудитории и рассадка готовы» ---------------------------------------------------------


def _sittings_link(campaign: Campaign, school: School) -> str | None:
    try:
        return reverse("procedures:sittings", kwargs={"campaign_code": campaign.code, "school_code": school.code})
    except NoReverseMatch:
        return None


@register_stage_check(Stage.Kind.ROOMS_SET, link=_sittings_link)
def rooms_set(campaign: Campaign, schools: Sequence[School]) -> CheckResult:
    """Done when the school has participants, every one of them (status «пишет») has a seat, and every
    sitting room has at least two organizers (R2). Two queries whatever the number of schools."""
    school_ids = [s.pk for s in schools]
    seated = {
        school_id: (total, with_seat)
        for school_id, total, with_seat in Participant.objects.filter(
            campaign=campaign, school_id__in=school_ids, status=Participant.Status.WRITES
        )
        .values("school_id")
        .annotate(total=Count("id"), with_seat=Count("seat"))
        .values_list("school_id", "total", "with_seat")
        .order_by()
    }
    staffed: dict[int, bool] = {}
    for school_id, organizers in (
        SittingRoom.objects.filter(sitting__campaign=campaign, sitting__school_id__in=school_ids)
        .annotate(n=Count("organizers", filter=Q(organizers__duty=Appointment.Duty.ORGANIZER)))
        .values_list("sitting__school_id", "n")
    ):
        staffed[school_id] = staffed.get(school_id, True) and organizers_enough(organizers)
    return {
        school_id: (True, None)
        for school_id, (total, with_seat) in seated.items()
        if total and total == with_seat and staffed.get(school_id, False)
    }
