"""The school's order (procedures/views/orders.py) and the room protocols of the day (procedures/views/protocols.py).

The order names staff, not pupils: the school's coordinator and director submit it, the director approves it,
they and the department read and download it. A room protocol is opened by its appointed organizer once the room
is released, and by the school's coordinator and director; it shows participant codes, never names.

Each school gets its own sitting, room, seated participant, organizer and a submitted protocol here (the
organizer of the role users' school is the role users' organizer, who exists by the time the objects are built:
the matrix tests ask for `role_users` before `objects`).
"""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from procedures.models import Appointment, ProtocolIncident, RoomProtocol, SchoolOrder, Seat, Sitting, SittingRoom
from schools.access import Capability as C
from schools.models import Role, Staff, User
from tests.factories import make_assessment, make_campaign, make_participant, make_room, make_sitting_room

from .base import Page


def order_kwargs(objs):
    return {"campaign_code": objs["campaign"].code, "school_code": objs["school"].code}


def version_kwargs(objs):
    return {**order_kwargs(objs), "version": objs["order"].version}


def room_kwargs(objs):
    return {"pk": objs["sitting_room"].pk}


def _order(objs) -> SchoolOrder:
    from procedures.selectors.orders import order_content

    order = SchoolOrder.objects.create(
        campaign=objs["campaign"],
        school=objs["school"],
        version=1,
        number="12-о",
        date=datetime.date(2026, 4, 1),
        content=order_content(campaign=objs["campaign"], school=objs["school"]),
        status=SchoolOrder.Status.APPROVED,
    )
    order.signed_scan.save("scan.pdf", ContentFile(b"%PDF-1.4 signed\n"))
    return order


def _submitted_room(objs) -> SittingRoom:
    school, campaign, assessment = objs["school"], objs["campaign"], objs["assessment"]
    # a date and lesson of our own, so that other parts' sittings of the same assessment do not collide
    sitting, _created = Sitting.objects.get_or_create(
        campaign=campaign, school=school, assessment=assessment, date=datetime.date(2026, 4, 22), lesson=3
    )
    room = make_room(school, name="Протокол-1", rows=2, columns=2)
    now = timezone.now()
    sitting_room = make_sitting_room(sitting, room, released_at=now)
    # no pupil: the anonymous record cannot collide with another part's participant of the same pupil
    participant = make_participant(assessment, school=school, class_name="4А", sex="Ж", code="90001")
    Seat.objects.create(sitting_room=sitting_room, participant=participant, row=1, column=1)
    organizer = User.objects.filter(
        memberships__role=Role.ORGANIZER, memberships__school=school, memberships__is_active=True
    ).first()
    staff = Staff.objects.create(
        school=school, user=organizer, last_name="Синицына", first_name="Наталья", position="учитель"
    )
    Appointment.objects.create(
        campaign=campaign, school=school, staff=staff, duty=Appointment.Duty.ORGANIZER, sitting_room=sitting_room
    )
    protocol = RoomProtocol.objects.create(
        sitting_room=sitting_room,
        started_at=now,
        ends_at=now + datetime.timedelta(minutes=assessment.duration),
        materials_collected=True,
        handed_to_coordinator=True,
        submitted_at=now,
    )
    ProtocolIncident.objects.create(protocol=protocol, kind=ProtocolIncident.Kind.LEFT_ROOM, participant=participant)
    return sitting_room


def build_objects(own: dict, other: dict) -> None:
    if "campaign" not in own:
        own["campaign"] = other["campaign"] = make_campaign(own["department"])
    if "assessment" not in own:
        own["assessment"] = other["assessment"] = make_assessment(own["campaign"])
    for objs in (own, other):
        objs["order"] = _order(objs)
        objs["sitting_room"] = _submitted_room(objs)


PAGES = {
    "procedures:order": Page(C.VIEW_ORDER, kwargs=order_kwargs, scoped=True),
    "procedures:order_submit": Page(C.ISSUE_ORDER, kwargs=order_kwargs, scoped=True, ok=405),  # POST only
    "procedures:order_approve": Page(C.APPROVE_ORDER, kwargs=version_kwargs, scoped=True, ok=405),  # POST only
    "procedures:order_return": Page(C.APPROVE_ORDER, kwargs=version_kwargs, scoped=True, ok=405),  # POST only
    "procedures:order_pdf": Page(C.VIEW_ORDER, kwargs=version_kwargs, scoped=True),
    "procedures:order_docx": Page(C.VIEW_ORDER, kwargs=version_kwargs, scoped=True),
    "procedures:order_scan": Page(C.VIEW_ORDER, kwargs=version_kwargs, scoped=True),
    "procedures:order_scan_upload": Page(C.ISSUE_ORDER, kwargs=version_kwargs, scoped=True, ok=405),  # POST only
    "procedures:protocol_list": Page(C.VIEW_PROTOCOLS, kwargs=order_kwargs, scoped=True),
    "procedures:my_protocols": Page(C.WORK_IN_ROOM),
    # the school's coordinator and director open every room's protocol, the organizer his released rooms'
    "procedures:room_protocol": Page(C.OPEN_ROOM_PROTOCOL, kwargs=room_kwargs, scoped=True),
    "procedures:room_protocol_correct": Page(C.CORRECT_PROTOCOL, kwargs=room_kwargs, scoped=True),
}
