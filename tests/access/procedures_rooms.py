"""Rooms, sittings, seating, staffing and the release of room lists (procedures/views/rooms.py) and the
organizer's start page (procedures/views/start.py).

The school's coordinator changes everything here; the director and the technical specialist read it; the
technical specialist also prints the room documents (the capabilities are the table's, schools.access). An
organizer opens only the rooms they are appointed to (another room: 404), and sees codes, never names. The
department has no business with a school's seating (403).

Each school gets its own room, sitting (a date and lesson of our own, so that other parts' sittings do not
collide), released sitting room with a seated participant, its organizer — in the role users' school the role
users' organizer, who exists by the time the objects are built (the matrix tests ask for `role_users` before
`objects`) — and an expert's appointment.
"""

import datetime

from django.utils import timezone

from procedures.models import Appointment, Seat
from schools.access import Capability as C
from schools.models import Role, Staff, User
from tests.factories import make_assessment, make_campaign, make_participant, make_room, make_sitting, make_sitting_room

from .base import Page

COORDINATOR = C.PREPARE_ROOMS
READERS = C.VIEW_ROOMS
PRINTERS = C.PRINT_MATERIALS
ORGANIZER = C.WORK_IN_ROOM


def school_kwargs(objs):
    return {"school_code": objs["school"].code}


def room_kwargs(objs):
    return {"school_code": objs["school"].code, "pk": objs["rooms_room"].pk}


def campaign_school_kwargs(objs):
    return {"campaign_code": objs["campaign"].code, "school_code": objs["school"].code}


def sitting_kwargs(objs):
    return {**campaign_school_kwargs(objs), "pk": objs["rooms_sitting"].pk}


def sitting_room_kwargs(objs):
    return {**campaign_school_kwargs(objs), "pk": objs["rooms_sitting_room"].pk}


def appointment_kwargs(objs):
    return {**campaign_school_kwargs(objs), "pk": objs["rooms_appointment"].pk}


def my_room_kwargs(objs):
    return {"pk": objs["rooms_sitting_room"].pk}


def _build(objs: dict) -> None:
    from procedures.services.seating import lesson_start

    school, campaign, assessment = objs["school"], objs["campaign"], objs["assessment"]
    day = datetime.date(2026, 4, 23)
    room = make_room(school, name="Кабинет 21", rows=3, columns=4)
    sitting = make_sitting(
        assessment, school, date=day, lesson=2, starts_at=lesson_start(school=school, date=day, lesson=2)
    )
    sitting_room = make_sitting_room(sitting, room, released_at=timezone.now())
    # no pupil: the anonymous record cannot collide with another part's participant of the same pupil
    participant = make_participant(assessment, school=school, class_name="4А", sex="Ж", code="90101", variant=1)
    Seat.objects.create(sitting_room=sitting_room, participant=participant, row=1, column=1)
    user = User.objects.filter(
        memberships__role=Role.ORGANIZER, memberships__school=school, memberships__is_active=True
    ).first()
    organizer = Staff.objects.filter(school=school, user=user).first() if user else None
    if organizer is None:
        organizer = Staff.objects.create(
            school=school, user=user, last_name="Клёнова", first_name="Вера", position="учитель технологии"
        )
    Appointment.objects.create(
        campaign=campaign, school=school, staff=organizer, duty=Appointment.Duty.ORGANIZER, sitting_room=sitting_room
    )
    expert = Staff.objects.create(
        school=school,
        last_name="Орешкина",
        first_name="Галина",
        position="заместитель директора",
        is_administration=True,
    )
    objs.update(
        rooms_room=room,
        rooms_sitting=sitting,
        rooms_sitting_room=sitting_room,
        rooms_appointment=Appointment.objects.create(
            campaign=campaign, school=school, staff=expert, duty=Appointment.Duty.EXPERT, assessment=assessment
        ),
    )


def build_objects(own: dict, other: dict) -> None:
    if "campaign" not in own:
        own["campaign"] = other["campaign"] = make_campaign(own["department"])
    if "assessment" not in own:
        own["assessment"] = other["assessment"] = make_assessment(own["campaign"])
    for objs in (own, other):
        _build(objs)


POST_ONLY = 405

PAGES = {
    "procedures:rooms": Page(READERS, kwargs=school_kwargs, scoped=True),
    "procedures:room_edit": Page(COORDINATOR, kwargs=room_kwargs, scoped=True),
    "procedures:room_delete": Page(COORDINATOR, kwargs=room_kwargs, scoped=True, ok=POST_ONLY),
    "procedures:staffing": Page(READERS, kwargs=campaign_school_kwargs, scoped=True),
    "procedures:school_duty_appoint": Page(COORDINATOR, kwargs=campaign_school_kwargs, scoped=True, ok=POST_ONLY),
    "procedures:expert_appoint": Page(COORDINATOR, kwargs=campaign_school_kwargs, scoped=True, ok=POST_ONLY),
    "procedures:appointment_remove": Page(COORDINATOR, kwargs=appointment_kwargs, scoped=True, ok=POST_ONLY),
    "procedures:sittings": Page(READERS, kwargs=campaign_school_kwargs, scoped=True),
    "procedures:sittings_setup": Page(COORDINATOR, kwargs=campaign_school_kwargs, scoped=True),
    "procedures:sittings_sync": Page(COORDINATOR, kwargs=campaign_school_kwargs, scoped=True, ok=POST_ONLY),
    "procedures:sitting": Page(READERS, kwargs=sitting_kwargs, scoped=True),
    "procedures:sitting_start": Page(COORDINATOR, kwargs=sitting_kwargs, scoped=True, ok=POST_ONLY),
    "procedures:sitting_rooms": Page(COORDINATOR, kwargs=sitting_kwargs, scoped=True, ok=POST_ONLY),
    "procedures:sitting_seat": Page(COORDINATOR, kwargs=sitting_kwargs, scoped=True, ok=POST_ONLY),
    "procedures:sitting_room": Page(READERS, kwargs=sitting_room_kwargs, scoped=True),
    "procedures:organizer_add": Page(COORDINATOR, kwargs=sitting_room_kwargs, scoped=True, ok=POST_ONLY),
    "procedures:seat_move": Page(COORDINATOR, kwargs=sitting_room_kwargs, scoped=True, ok=POST_ONLY),
    "procedures:sitting_room_release": Page(COORDINATOR, kwargs=sitting_room_kwargs, scoped=True, ok=POST_ONLY),
    "procedures:sitting_room_list_pdf": Page(PRINTERS, kwargs=sitting_room_kwargs, scoped=True),
    "procedures:sitting_room_plan_pdf": Page(PRINTERS, kwargs=sitting_room_kwargs, scoped=True),
    "procedures:my_rooms": Page(ORGANIZER),
    "procedures:my_room": Page(ORGANIZER, kwargs=my_room_kwargs, scoped=True),
    "procedures:my_room_list_pdf": Page(ORGANIZER, kwargs=my_room_kwargs, scoped=True),
    "procedures:my_room_plan_pdf": Page(ORGANIZER, kwargs=my_room_kwargs, scoped=True),
}
