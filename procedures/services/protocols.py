"""Writes of the room protocol of the day (Регламент 6.5): the organizer starts the work, marks who is absent,
records incidents, ticks the materials collected and handed to the coordinator, and submits; after that the
protocol is read-only and a correction needs a reason and leaves an audit entry with before and after.

The end of the work is the start plus the assessment's duration; when a participant present in the room has
ОВЗ / a disability or extra time, the extended end is 30 minutes later (R7; longer if the participant's own
extra time is longer). Absent participants are not counted.

The protocol has no field of its own for the absentees: the marks are kept in Participant.absent from the
first save, so that the draft survives a reload; on submission they are final.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procedures.models import Participant, ProtocolIncident, RoomProtocol, SittingRoom
from procedures.selectors.participants import extra_minutes_for
from procedures.selectors.protocols import needs_extra_time, room_participants
from procedures.services.dependants import participants_changed
from schools.models import User
from schools.services import audit_record


@dataclass(frozen=True)
class ProtocolInput:
    """What the protocol form says. `started_at` None keeps the recorded start."""

    started_at: datetime.datetime | None = None
    absent_ids: frozenset[int] = frozenset()
    materials_collected: bool = False
    handed_to_coordinator: bool = False
    notes: str = ""


@dataclass(frozen=True)
class IncidentInput:
    kind: str
    happened_at: datetime.datetime
    participant_id: int | None = None
    note: str = ""


def protocol_end_times(
    *, started_at: datetime.datetime, duration: int, present: list[Participant]
) -> tuple[datetime.datetime, datetime.datetime | None]:
    """(end, extended end or None): the start plus the duration; 30 more minutes when anyone present has ОВЗ or
    extra time (their own extra time when it is longer)."""
    ends_at = started_at + datetime.timedelta(minutes=duration)
    extension = extra_minutes_for(has_disability=True)
    extra = [max(extension, p.extra_minutes) for p in present if needs_extra_time(p)]
    return ends_at, (ends_at + datetime.timedelta(minutes=max(extra)) if extra else None)


def _locked_protocol(sitting_room: SittingRoom) -> RoomProtocol:
    RoomProtocol.objects.get_or_create(sitting_room=sitting_room)
    return RoomProtocol.objects.select_for_update().get(sitting_room=sitting_room)


def _moment(value: datetime.datetime | None, sitting_room: SittingRoom) -> str:
    if value is None:
        return ""
    return timezone.localtime(value, sitting_room.sitting.school.tzinfo).strftime("%d.%m.%Y %H:%M")


def _apply(
    protocol: RoomProtocol, *, sitting_room: SittingRoom, participants: list[Participant], data: ProtocolInput
) -> set[int]:
    """Writes the form's values to the protocol and the participants' absence marks; returns the absentees."""
    ids = {p.pk for p in participants}
    unknown = set(data.absent_ids) - ids
    if unknown:
        raise ValidationError(_("Отмечены участники, которых нет в списке этой аудитории."))
    if data.started_at is not None:
        if timezone.is_naive(data.started_at):
            raise ValidationError(_("Время начала должно быть указано с часовым поясом."))
        protocol.started_at = data.started_at
    protocol.materials_collected = data.materials_collected
    protocol.handed_to_coordinator = data.handed_to_coordinator
    protocol.notes = data.notes.strip()
    absent = set(data.absent_ids)
    if protocol.started_at:
        present = [p for p in participants if p.pk not in absent]
        protocol.ends_at, protocol.ends_at_extended = protocol_end_times(
            started_at=protocol.started_at, duration=sitting_room.sitting.assessment.duration, present=present
        )
    protocol.save()
    newly_absent = [p.pk for p in participants if p.pk in absent and not p.absent]
    back = [p.pk for p in participants if p.pk not in absent and p.absent]
    if newly_absent:
        Participant.objects.filter(pk__in=newly_absent).update(absent=True)
    if back:
        Participant.objects.filter(pk__in=back).update(absent=False)
    for participant in participants:
        participant.absent = participant.pk in absent
    if newly_absent or back:
        participants_changed(p for p in participants if p.pk in newly_absent or p.pk in back)
    return absent


def _incident_add(
    protocol: RoomProtocol, *, participants: list[Participant], incident: IncidentInput
) -> ProtocolIncident:
    if incident.kind not in ProtocolIncident.Kind.values:
        raise ValidationError(_("Выберите, что произошло."))
    if incident.participant_id is not None and incident.participant_id not in {p.pk for p in participants}:
        raise ValidationError(_("Этого участника нет в списке аудитории."))
    if timezone.is_naive(incident.happened_at):
        raise ValidationError(_("Время должно быть указано с часовым поясом."))
    return ProtocolIncident.objects.create(
        protocol=protocol,
        kind=incident.kind,
        participant_id=incident.participant_id,
        note=incident.note.strip(),
        happened_at=incident.happened_at,
    )


def _incident_text(incident: ProtocolIncident, sitting_room: SittingRoom) -> str:
    time = timezone.localtime(incident.happened_at, sitting_room.sitting.school.tzinfo).strftime("%H:%M")
    parts = [time, incident.get_kind_display()]
    if incident.participant_id:
        parts.append(str(incident.participant))
    text = " ".join(parts)
    return f"{text}: {incident.note}" if incident.note else text


def _snapshot(protocol: RoomProtocol, *, sitting_room: SittingRoom, participants: list[Participant]) -> dict:
    """The protocol as the audit records it: codes, never names."""
    incidents = protocol.incidents.select_related("participant").order_by("happened_at", "pk")
    return {
        "started_at": _moment(protocol.started_at, sitting_room),
        "ends_at": _moment(protocol.ends_at, sitting_room),
        "ends_at_extended": _moment(protocol.ends_at_extended, sitting_room),
        "absent": ", ".join(str(p) for p in participants if p.absent),
        "materials_collected": protocol.materials_collected,
        "handed_to_coordinator": protocol.handed_to_coordinator,
        "notes": protocol.notes,
        "incidents": "; ".join(_incident_text(incident, sitting_room) for incident in incidents),
    }


def _refuse_if_submitted(protocol: RoomProtocol) -> None:
    if protocol.submitted_at:
        raise ValidationError(_("Протокол сдан: изменить его можно только исправлением с указанием причины."))


@transaction.atomic
def protocol_save(
    *,
    sitting_room: SittingRoom,
    data: ProtocolInput,
    actor: User,
    start: bool = False,
    add_incident: IncidentInput | None = None,
    remove_incident_id: int | None = None,
    now: datetime.datetime | None = None,
) -> RoomProtocol:
    """Saves the draft protocol of a room. `start` records the actual start now (to the minute, as written on
    the board); `add_incident` / `remove_incident_id` add or remove an incident in the same step, so that nothing
    typed on the page is lost."""
    if sitting_room.released_at is None:
        raise ValidationError(_("Списки аудитории ещё не переданы организаторам."))
    protocol = _locked_protocol(sitting_room)
    _refuse_if_submitted(protocol)
    participants = room_participants(sitting_room)
    if start:
        if protocol.started_at:
            raise ValidationError(
                _("Начало уже записано: {time}.").format(time=_moment(protocol.started_at, sitting_room))
            )
        data = ProtocolInput(
            started_at=(now or timezone.now()).replace(second=0, microsecond=0),
            absent_ids=data.absent_ids,
            materials_collected=data.materials_collected,
            handed_to_coordinator=data.handed_to_coordinator,
            notes=data.notes,
        )
    _apply(protocol, sitting_room=sitting_room, participants=participants, data=data)
    if start:
        audit_record(
            actor=actor,
            action="protocol.started",
            target=protocol,
            school=sitting_room.sitting.school,
            after={
                "started_at": _moment(protocol.started_at, sitting_room),
                "ends_at": _moment(protocol.ends_at, sitting_room),
                "ends_at_extended": _moment(protocol.ends_at_extended, sitting_room),
            },
        )
    if add_incident is not None:
        incident = _incident_add(protocol, participants=participants, incident=add_incident)
        audit_record(
            actor=actor,
            action="protocol.incident_added",
            target=protocol,
            school=sitting_room.sitting.school,
            after={"incident": _incident_text(incident, sitting_room)},
        )
    if remove_incident_id is not None:
        incident = protocol.incidents.select_related("participant").filter(pk=remove_incident_id).first()
        if incident is None:
            raise ValidationError(_("Эта запись о нарушении не найдена."))
        text = _incident_text(incident, sitting_room)
        incident.delete()
        audit_record(
            actor=actor,
            action="protocol.incident_removed",
            target=protocol,
            school=sitting_room.sitting.school,
            before={"incident": text},
        )
    return protocol


def protocol_submit(
    *, sitting_room: SittingRoom, data: ProtocolInput, actor: User, now: datetime.datetime | None = None
) -> RoomProtocol:
    """Saves what the form says, then submits the protocol when it is complete (the start recorded, the materials
    collected and handed to the coordinator). A refused submission keeps the saved draft."""
    protocol_save(sitting_room=sitting_room, data=data, actor=actor)
    return _submit(sitting_room=sitting_room, actor=actor, now=now)


@transaction.atomic
def _submit(*, sitting_room: SittingRoom, actor: User, now: datetime.datetime | None) -> RoomProtocol:
    protocol = _locked_protocol(sitting_room)
    _refuse_if_submitted(protocol)
    problems = []
    if not protocol.started_at:
        problems.append(_("Не записано время начала работы."))
    if not protocol.materials_collected:
        problems.append(_("Не отмечено, что материалы (КИМ и черновики) собраны."))
    if not protocol.handed_to_coordinator:
        problems.append(_("Не отмечено, что материалы переданы школьному координатору."))
    if problems:
        raise ValidationError(problems)
    participants = room_participants(sitting_room)
    protocol.submitted_at = now or timezone.now()
    protocol.submitted_by = actor
    protocol.save(update_fields=["submitted_at", "submitted_by"])
    audit_record(
        actor=actor,
        action="protocol.submitted",
        target=protocol,
        school=sitting_room.sitting.school,
        after=_snapshot(protocol, sitting_room=sitting_room, participants=participants),
    )
    return protocol


@transaction.atomic
def protocol_correct(
    *,
    sitting_room: SittingRoom,
    data: ProtocolInput,
    reason: str,
    actor: User,
    add_incident: IncidentInput | None = None,
) -> RoomProtocol:
    """Corrects a submitted protocol: the reason is required and the audit keeps what changed, before and after.
    A correction that changes nothing is refused."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Укажите причину исправления."))
    protocol = _locked_protocol(sitting_room)
    if not protocol.submitted_at:
        raise ValidationError(_("Протокол ещё не сдан: заполните его и сдайте."))
    participants = room_participants(sitting_room)
    before = _snapshot(protocol, sitting_room=sitting_room, participants=participants)
    _apply(protocol, sitting_room=sitting_room, participants=participants, data=data)
    if add_incident is not None:
        _incident_add(protocol, participants=participants, incident=add_incident)
    after = _snapshot(protocol, sitting_room=sitting_room, participants=participants)
    changed = [key for key in after if before[key] != after[key]]
    if not changed:
        raise ValidationError(_("Исправление ничего не меняет в протоколе."))
    audit_record(
        actor=actor,
        action="protocol.corrected",
        target=protocol,
        school=sitting_room.sitting.school,
        before={key: before[key] for key in changed},
        after={key: after[key] for key in changed},
        reason=reason,
    )
    return protocol
