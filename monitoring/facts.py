"""What the portal already knows about a sitting, item by item of the monitoring card (приложение 1), so that the
department's representative confirms rather than retypes: the school's order, the rooms and their readiness, the
organizers appointed to them, the lists' release (R9), the seating, the video record and the observers, the room
protocols' collection and hand-over. Staff names are shown (the card is the department's); pupils never (R11)."""

import datetime

from django.db.models import Count, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from monitoring.models import ObservationAssignment, Person
from monitoring.video import video_record_for
from procedures.models import Appointment, SchoolOrder, SittingRoom
from procedures.selectors.rooms import release_due

NOTHING_KNOWN = "нет сведений в портале"


def _time(value: datetime.datetime | None, tz) -> str:
    return timezone.localtime(value, tz).strftime("%H:%M") if value is not None else ""


def _order_lines(sitting) -> list[str]:
    order = SchoolOrder.objects.filter(campaign_id=sitting.campaign_id, school_id=sitting.school_id).first()
    if order is None:
        return [_("Приказ о проведении ВПР в портале не оформлен.")]
    line = _("Приказ №{number} от {date}: {status}.").format(
        number=order.number, date=order.date.strftime("%d.%m.%Y"), status=order.get_status_display()
    )
    if order.signed_scan:
        scan = _("Скан подписанного приказа загружен.")
    else:
        scan = _("Скан подписанного приказа не загружен.")
    return [line, scan]


def _rooms(sitting) -> list[SittingRoom]:
    organizers = Prefetch(
        "organizers",
        queryset=Appointment.objects.filter(duty=Appointment.Duty.ORGANIZER).select_related("staff"),
        to_attr="organizer_list",
    )
    return list(
        SittingRoom.objects.filter(sitting=sitting)
        .select_related("room", "protocol")
        .annotate(seated=Count("seats"))
        .prefetch_related(organizers)
        .order_by("room__name")
    )


def _protocol(sitting_room: SittingRoom):
    try:
        return sitting_room.protocol
    except SittingRoom.protocol.RelatedObjectDoesNotExist:
        return None


def card_facts(assignment: ObservationAssignment) -> dict[str, list[str]]:
    """For each item of the monitoring card (its code in monitoring.items), lines of what the portal knows of the
    assignment's sitting at this moment; «нет сведений в портале» where it knows nothing. Submitting a card freezes
    them in `VisitReport.facts`."""
    sitting = assignment.sitting
    tz = sitting.school.tzinfo
    rooms = _rooms(sitting)
    video = video_record_for(sitting)
    due = release_due(sitting)
    facts: dict[str, list[str]] = {code: [] for code in map(str, range(1, 14))}

    facts["1"] = _order_lines(sitting)

    if not rooms:
        facts["2"] = [_("Аудитории для этой работы в портале не назначены.")]
    for sr in rooms:
        ready = sr.seated and sr.organizer_list
        facts["2"].append(
            _("Аудитория {room}: {state}.").format(
                room=sr.room.name,
                state=_("рассадка и организатор назначены")
                if ready
                else _("не готова в портале (нет рассадки или организатора)"),
            )
        )
        names = ", ".join(a.staff.full_name for a in sr.organizer_list)
        facts["3"].append(
            _("Аудитория {room}: {names}.").format(room=sr.room.name, names=names or _("организатор не назначен"))
        )
        if sr.released_at is None:
            release = _("списки организатору не переданы")
        else:
            release = _("списки переданы в {time}").format(time=_time(sr.released_at, tz))
            if due is not None and sr.released_at > due:
                release += " " + _("(позже срока)")
        if due is not None:
            release += " " + _("— срок: не позже {time}, за 10 минут до начала (R9)").format(time=_time(due, tz))
        facts["7"].append(_("Аудитория {room}: {release}.").format(room=sr.room.name, release=release))
        facts["9"].append(_("Аудитория {room}: рассажено участников — {n}.").format(room=sr.room.name, n=sr.seated))
        protocol = _protocol(sr)
        if protocol is None:
            facts["11"].append(_("Аудитория {room}: протокол аудитории не заполнен.").format(room=sr.room.name))
            facts["12"].append(_("Аудитория {room}: протокол аудитории не заполнен.").format(room=sr.room.name))
            continue
        if protocol.started_at is not None:
            facts["10"].append(
                _("Аудитория {room}: работа начата в {time} (протокол).").format(
                    room=sr.room.name, time=_time(protocol.started_at, tz)
                )
            )
        facts["11"].append(
            _("Аудитория {room}: материалы {state}.").format(
                room=sr.room.name, state=_("собраны") if protocol.materials_collected else _("не отмечены собранными")
            )
        )
        handed = _("переданы координатору") if protocol.handed_to_coordinator else _("не отмечены переданными")
        submitted = (
            _("протокол сдан в {time}").format(time=_time(protocol.submitted_at, tz))
            if protocol.submitted_at
            else _("протокол не сдан")
        )
        facts["12"].append(
            _("Аудитория {room}: материалы {handed}; {submitted}.").format(
                room=sr.room.name, handed=handed, submitted=submitted
            )
        )

    if video is None:
        facts["4"].append(_("Школа не внесла сведения о видеонаблюдении."))
        facts["6"].append(_("Школа не внесла сведения о видеонаблюдении."))
    else:
        video_rooms = ", ".join(sr.room.name for sr in video.rooms.all()) or _("ни одна")
        facts["4"].append(_("Аудитории под видеонаблюдением: {rooms}.").format(rooms=video_rooms))
        facts["6"].append(
            _("Распечатка материалов под видеонаблюдением.")
            if video.printing_recorded
            else _("Распечатка материалов под видеонаблюдением не отмечена.")
        )
    observers = ObservationAssignment.objects.filter(
        sitting=sitting, person__kind=Person.Kind.OBSERVER, person__is_active=True, cancelled_at__isnull=True
    ).count()
    facts["4"].append(
        _("Общественных наблюдателей направлено: {n}.").format(n=observers)
        if observers
        else _("Общественный наблюдатель не направлен.")
    )
    for code, lines in facts.items():
        if not lines:
            facts[code] = [_(NOTHING_KNOWN)]
    return facts
