"""What the monitoring card shows beside each item is what the portal knows of the school and sitting: the order,
the rooms and their organizers, the lists' release against the R9 deadline (school's time), the seating, the video
record and the observers, the room protocols' collection and hand-over; a card signed freezes them."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from monitoring import visit_reports as vr
from monitoring.facts import NOTHING_KNOWN, card_facts
from monitoring.items import items_of
from monitoring.models import ObservationAssignment, Person, VideoRecord, VisitReport
from procedures.models import Appointment, RoomProtocol, SchoolOrder, Seat
from schools.models import Role
from tests.factories import (
    StaffFactory,
    make_assessment,
    make_campaign,
    make_participant,
    make_room,
    make_sitting,
    make_sitting_room,
    user_with_role,
)


@pytest.fixture
def sitting(department, school):
    school.time_zone = "Asia/Yekaterinburg"
    school.save(update_fields=["time_zone"])
    campaign = make_campaign(department, window_start=datetime.date(2026, 4, 20))
    starts = datetime.datetime(2026, 4, 21, 10, 0, tzinfo=school.tzinfo)
    return make_sitting(make_assessment(campaign), school, date=datetime.date(2026, 4, 21), starts_at=starts)


@pytest.fixture
def card_assignment(sitting, role_users, department):
    person = Person.objects.create(
        user=role_users[Role.DEPARTMENT_REPRESENTATIVE], department=department, kind=Person.Kind.REPRESENTATIVE
    )
    return ObservationAssignment.objects.create(person=person, sitting=sitting)


def at(sitting, hour, minute):
    return datetime.datetime(2026, 4, 21, hour, minute, tzinfo=sitting.school.tzinfo)


@pytest.mark.django_db
def test_a_sitting_the_portal_knows_nothing_of_says_so_item_by_item(card_assignment):
    facts = card_facts(card_assignment)

    assert set(facts) == {it.code for it in items_of(VisitReport.Kind.CARD)}
    assert facts["1"] == ["Приказ о проведении ВПР в портале не оформлен."]
    assert facts["2"] == ["Аудитории для этой работы в портале не назначены."]
    assert facts["4"] == ["Школа не внесла сведения о видеонаблюдении.", "Общественный наблюдатель не направлен."]
    assert facts["13"] == [NOTHING_KNOWN]


@pytest.mark.django_db
def test_the_cards_facts_are_the_schools_data(card_assignment, sitting, school, department, client):
    order = SchoolOrder.objects.create(
        campaign=sitting.campaign,
        school=school,
        version=1,
        number="12-о",
        date=datetime.date(2026, 4, 1),
        status=SchoolOrder.Status.APPROVED,
    )
    order.signed_scan.save("scan.pdf", ContentFile(b"%PDF-1.4 signed\n"))
    ready = make_sitting_room(sitting, make_room(school, name="Кабинет 12"), released_at=at(sitting, 9, 45))
    late = make_sitting_room(sitting, make_room(school, name="Кабинет 14"), released_at=at(sitting, 9, 55))
    organizer = StaffFactory(school=school, last_name="Синицына", first_name="Наталья", middle_name="Петровна")
    Appointment.objects.create(
        campaign=sitting.campaign, school=school, staff=organizer, duty=Appointment.Duty.ORGANIZER, sitting_room=ready
    )
    for n in range(3):
        participant = make_participant(sitting.assessment, school=school, code=f"9000{n}")
        Seat.objects.create(sitting_room=ready, participant=participant, row=1, column=n + 1)
    RoomProtocol.objects.create(
        sitting_room=ready,
        started_at=at(sitting, 10, 2),
        materials_collected=True,
        handed_to_coordinator=True,
        submitted_at=at(sitting, 10, 50),
    )
    video = VideoRecord.objects.create(sitting=sitting, printing_recorded=True, storage_place="сервер школы")
    video.rooms.add(ready)
    observer = Person.objects.create(
        user=user_with_role(Role.OBSERVER, department=department, username="obs-f"),
        department=department,
        kind=Person.Kind.OBSERVER,
    )
    ObservationAssignment.objects.create(person=observer, sitting=sitting)

    facts = card_facts(card_assignment)

    assert facts["1"] == ["Приказ №12-о от 01.04.2026: утверждён.", "Скан подписанного приказа загружен."]
    assert facts["2"] == [
        "Аудитория Кабинет 12: рассадка и организатор назначены.",
        "Аудитория Кабинет 14: не готова в портале (нет рассадки или организатора).",
    ]
    assert facts["3"] == [
        "Аудитория Кабинет 12: Синицына Наталья Петровна.",
        "Аудитория Кабинет 14: организатор не назначен.",
    ]
    assert facts["4"] == ["Аудитории под видеонаблюдением: Кабинет 12.", "Общественных наблюдателей направлено: 1."]
    assert facts["6"] == ["Распечатка материалов под видеонаблюдением."]
    assert facts["7"] == [
        "Аудитория Кабинет 12: списки переданы в 09:45 — срок: не позже 09:50, за 10 минут до начала (R9).",
        "Аудитория Кабинет 14: списки переданы в 09:55 (позже срока) — срок: не позже 09:50, за 10 минут до "
        "начала (R9).",
    ]
    assert facts["9"] == [
        "Аудитория Кабинет 12: рассажено участников — 3.",
        "Аудитория Кабинет 14: рассажено участников — 0.",
    ]
    assert facts["10"] == ["Аудитория Кабинет 12: работа начата в 10:02 (протокол)."]
    assert facts["11"] == [
        "Аудитория Кабинет 12: материалы собраны.",
        "Аудитория Кабинет 14: протокол аудитории не заполнен.",
    ]
    assert facts["12"][0] == "Аудитория Кабинет 12: материалы переданы координатору; протокол сдан в 10:50."
    assert late.pk and facts["13"] == [NOTHING_KNOWN]
    # no pupil's code or name among them (R11)
    assert not any("9000" in line for lines in facts.values() for line in lines)
    client.force_login(card_assignment.person.user)
    html = client.get(reverse("monitoring:card", args=[card_assignment.pk])).content.decode()
    assert 'data-testid="facts-3"' in html and "Синицына Наталья Петровна" in html and "09:55 (позже срока)" in html


@pytest.mark.django_db
def test_signing_the_card_freezes_what_the_portal_knew(card_assignment, sitting, client):
    report = vr.report_open(assignment=card_assignment)
    report.answers = {it.code: {"value": "yes", "text": ""} for it in items_of(VisitReport.Kind.CARD)}
    report.started_at, report.ended_at = datetime.time(9, 30), datetime.time(11, 0)
    report.save()
    vr.report_submit(report=report, user=card_assignment.person.user)
    make_sitting_room(sitting, make_room(sitting.school, name="Кабинет 30"))  # known only after the signing

    report.refresh_from_db()
    assert report.facts["2"] == ["Аудитории для этой работы в портале не назначены."]
    client.force_login(card_assignment.person.user)
    html = client.get(reverse("monitoring:card", args=[card_assignment.pk])).content.decode()
    assert "Аудитории для этой работы в портале не назначены." in html and "Кабинет 30" not in html
