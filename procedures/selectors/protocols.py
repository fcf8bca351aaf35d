"""Reads of the room protocols of the day (Регламент 6.5): one room's protocol with its participants (codes and
classes, never names: organizers see codes) and the lists for the school's coordinator and for the organizer.

Which rooms a user may open is `procedures.access.sitting_rooms_with`: an organizer reaches a room only when
their staff record is appointed organizer of it and the room's lists were released (R9); the school's
coordinator and director reach every room of their school. Anything else does not exist for the user (404).
"""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from procedures.models import (
    Appointment,
    Campaign,
    Participant,
    ProtocolIncident,
    RoomProtocol,
    Sitting,
    SittingRoom,
)
from procedures.selectors.rooms import released_sitting_rooms
from schools.access import SCOPES, Capability, Scope, roles_with
from schools.classes import class_name_ordering
from schools.models import AuditEntry, School, User

CORRECTED_ACTION = "protocol.corrected"
# A protocol is filled while its work is written: from an hour before the start to two hours after the planned
# end with extra time; opened outside that (or on another day) the page warns that it may be the wrong sitting.
PROTOCOL_EARLY = datetime.timedelta(hours=1)
PROTOCOL_LATE = datetime.timedelta(hours=2)
EXTRA_MINUTES = 30


class ProtocolStatus:
    NOT_RELEASED = "not_released"
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    LABELS = {
        NOT_RELEASED: gettext_lazy("списки не переданы организаторам"),
        NOT_STARTED: gettext_lazy("не начат"),
        IN_PROGRESS: gettext_lazy("заполняется"),
        SUBMITTED: gettext_lazy("сдан"),
    }
    BADGES = {NOT_RELEASED: "secondary", NOT_STARTED: "warning", IN_PROGRESS: "info", SUBMITTED: "success"}


def protocol_status(sitting_room: SittingRoom, protocol: RoomProtocol | None) -> str:
    if protocol is not None and protocol.submitted_at:
        return ProtocolStatus.SUBMITTED
    if protocol is not None and protocol.started_at:
        return ProtocolStatus.IN_PROGRESS
    if sitting_room.released_at is None:
        return ProtocolStatus.NOT_RELEASED
    return ProtocolStatus.NOT_STARTED


def is_organizer_of(user: User, sitting_room: SittingRoom) -> bool:
    """The user is an appointed organizer of this room and its lists were released to them (R9)."""
    return sitting_room.released_at is not None and released_sitting_rooms(user).filter(pk=sitting_room.pk).exists()


def is_coordinator_of(user: User, sitting_room: SittingRoom) -> bool:
    """The user fills and corrects the room's protocol for its organizers: they correct protocols
    (CORRECT_PROTOCOL) through a role held in the room's school itself, not through an appointment."""
    school_roles = {role for role in roles_with(Capability.CORRECT_PROTOCOL) if SCOPES[role] == Scope.SCHOOL}
    return sitting_room.sitting.school_id in user.school_ids_with_role(*school_roles)


def room_participants(sitting_room: SittingRoom) -> list[Participant]:
    """The participants seated in the room, by class and code, with their seats."""
    return list(
        Participant.objects.filter(seat__sitting_room=sitting_room)
        .select_related("seat")
        .order_by(*class_name_ordering(), "code", "pk")
    )


def needs_extra_time(participant: Participant) -> bool:
    """R7: a participant with ОВЗ / disability, or given extra time, writes 30 minutes longer."""
    return participant.has_disability or participant.extra_minutes > 0


@dataclass
class ProtocolPage:
    """One room's protocol as the page shows it. `protocol` is unsaved until the first save."""

    sitting_room: SittingRoom
    protocol: RoomProtocol
    participants: list[Participant]
    incidents: list[ProtocolIncident]
    corrections: list[AuditEntry]
    is_organizer: bool
    is_coordinator: bool

    @property
    def sitting(self) -> Sitting:
        return self.sitting_room.sitting

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return self.sitting.school.tzinfo

    @property
    def submitted(self) -> bool:
        return bool(self.protocol.submitted_at)

    @property
    def status(self) -> str:
        return protocol_status(self.sitting_room, self.protocol if self.protocol.pk else None)

    @property
    def status_label(self) -> str:
        return str(ProtocolStatus.LABELS[self.status])

    @property
    def status_badge(self) -> str:
        return ProtocolStatus.BADGES[self.status]

    @property
    def may_edit(self) -> bool:
        """The draft of a released room is filled by its organizer (or, for them, the school's coordinator)."""
        released = self.sitting_room.released_at is not None
        return released and not self.submitted and (self.is_organizer or self.is_coordinator)

    @property
    def may_correct(self) -> bool:
        return self.submitted and (self.is_organizer or self.is_coordinator)

    @property
    def absent(self) -> list[Participant]:
        return [p for p in self.participants if p.absent]

    @property
    def present_count(self) -> int:
        return len(self.participants) - len(self.absent)

    @property
    def has_extra_time(self) -> bool:
        return any(needs_extra_time(p) for p in self.participants)

    def local(self, moment: datetime.datetime | None) -> datetime.datetime | None:
        return timezone.localtime(moment, self.tz) if moment else None

    def timing_warning(self, now: datetime.datetime | None = None) -> str:
        """A warning while the protocol is open to be filled outside its sitting's day or time window (in the
        school's time zone): the organizer may have opened another day's protocol."""
        if self.submitted or not self.may_edit:
            return ""
        now = timezone.localtime(now or timezone.now(), self.tz)
        sitting = self.sitting
        day = sitting.date.strftime("%d.%m.%Y")
        if now.date() < sitting.date:
            return gettext(
                "Работа ещё не началась: она пишется {day}. Заполняйте протокол в день и во время проведения."
            ).format(day=day)
        if now.date() > sitting.date:
            return gettext(
                "День проведения прошёл: работа писалась {day}. Проверьте, тот ли это протокол; исправления "
                "после сдачи записываются с причиной."
            ).format(day=day)
        if sitting.starts_at is None:
            return ""
        start = timezone.localtime(sitting.starts_at, self.tz)
        end = start + datetime.timedelta(minutes=sitting.assessment.duration + EXTRA_MINUTES)
        if now < start - PROTOCOL_EARLY:
            return gettext("До начала работы больше часа: начало в {time}.").format(time=start.strftime("%H:%M"))
        if now > end + PROTOCOL_LATE:
            return gettext("Работа должна была закончиться в {time}: протокол заполняется во время проведения.").format(
                time=end.strftime("%H:%M")
            )
        return ""

    def moment(self, time: datetime.time, *, base: datetime.datetime | None = None) -> datetime.datetime:
        """An aware moment from a time of day typed on the page: on the day the work started (or its date)."""
        base = base or self.protocol.started_at
        day = timezone.localtime(base, self.tz).date() if base else self.sitting.date
        return datetime.datetime.combine(day, time, tzinfo=self.tz)


def protocol_page(*, user: User, sitting_room: SittingRoom) -> ProtocolPage:
    protocol = RoomProtocol.objects.filter(sitting_room=sitting_room).select_related("submitted_by").first()
    incidents, corrections = [], []
    if protocol is None:
        protocol = RoomProtocol(sitting_room=sitting_room)
    else:
        incidents = list(protocol.incidents.select_related("participant").order_by("happened_at", "pk"))
        corrections = list(
            AuditEntry.objects.filter(
                action=CORRECTED_ACTION, target_type=RoomProtocol._meta.label_lower, target_id=str(protocol.pk)
            ).order_by("created_at", "pk")
        )
    return ProtocolPage(
        sitting_room=sitting_room,
        protocol=protocol,
        participants=room_participants(sitting_room),
        incidents=incidents,
        corrections=corrections,
        is_organizer=is_organizer_of(user, sitting_room),
        is_coordinator=is_coordinator_of(user, sitting_room),
    )


# Lists ------------------------------------------------------------------------------------------------------


def _rooms_with_status(queryset: QuerySet[SittingRoom]) -> QuerySet[SittingRoom]:
    return (
        queryset.select_related("room", "protocol", "sitting__assessment__subject", "sitting__school")
        .annotate(
            seat_count=Count("seats", distinct=True),
            absent_count=Count("seats", filter=Q(seats__participant__absent=True), distinct=True),
            incident_count=Count("protocol__incidents", distinct=True),
        )
        .prefetch_related(
            Prefetch(
                "organizers",
                queryset=Appointment.objects.filter(duty=Appointment.Duty.ORGANIZER)
                .select_related("staff")
                .order_by("staff__last_name", "staff__first_name"),
            )
        )
    )


@dataclass(frozen=True)
class RoomRow:
    sitting_room: SittingRoom
    protocol: RoomProtocol | None
    status: str

    @property
    def status_label(self) -> str:
        return str(ProtocolStatus.LABELS[self.status])

    @property
    def status_badge(self) -> str:
        return ProtocolStatus.BADGES[self.status]


def _row(sitting_room: SittingRoom) -> RoomRow:
    protocol = getattr(sitting_room, "protocol", None)
    return RoomRow(sitting_room=sitting_room, protocol=protocol, status=protocol_status(sitting_room, protocol))


@dataclass(frozen=True)
class SittingRows:
    sitting: Sitting
    rooms: list[RoomRow]

    @property
    def submitted_count(self) -> int:
        return sum(1 for row in self.rooms if row.status == ProtocolStatus.SUBMITTED)


def school_protocols(*, campaign: Campaign, school: School) -> list[SittingRows]:
    """Every sitting of the school with each room's protocol status (a fixed number of queries)."""
    sittings = list(
        Sitting.objects.filter(campaign=campaign, school=school)
        .select_related("assessment__subject", "school")
        .order_by("date", "lesson", "assessment__grade", "assessment__subject__name")
    )
    rooms = _rooms_with_status(SittingRoom.objects.filter(sitting__in=sittings)).order_by("room__name", "pk")
    by_sitting: dict[int, list[RoomRow]] = {sitting.pk: [] for sitting in sittings}
    for sitting_room in rooms:
        by_sitting[sitting_room.sitting_id].append(_row(sitting_room))
    return [SittingRows(sitting=sitting, rooms=by_sitting[sitting.pk]) for sitting in sittings]


def organizer_rooms(user: User) -> list[RoomRow]:
    """The released rooms the user is appointed organizer of, by date and lesson."""
    rooms = _rooms_with_status(SittingRoom.objects.filter(pk__in=released_sitting_rooms(user).values("pk"))).order_by(
        "sitting__date", "sitting__lesson", "room__name"
    )
    return [_row(sitting_room) for sitting_room in rooms]
