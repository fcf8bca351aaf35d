"""An organizer fills the room protocol on a phone (Регламент 6.5): opens the room, presses «Начать», marks an
absentee, records an incident, ticks the materials, submits and reads the protocol, now read-only."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from procedures.models import (
    Appointment,
    Participant,
    ProtocolIncident,
    RoomProtocol,
    Seat,
)
from schools.models import Role
from tests.factories import (
    StaffFactory,
    make_assessment,
    make_campaign,
    make_participant,
    make_room,
    make_sitting,
    make_sitting_room,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def released_room(department, school, role_users):
    campaign = make_campaign(department)
    assessment = make_assessment(campaign)
    sitting = make_sitting(assessment, school, date=timezone.localdate(), lesson=2)
    sitting_room = make_sitting_room(
        sitting, make_room(school, name="Каб. 12", rows=3, columns=4), released_at=timezone.now()
    )
    for column, (code, disability) in enumerate((("10001", False), ("10002", False), ("10003", True)), start=1):
        participant = make_participant(
            assessment, school=school, class_name="4А", sex="Ж", code=code, has_disability=disability
        )
        Seat.objects.create(sitting_room=sitting_room, participant=participant, row=1, column=column)
    staff = StaffFactory(school=school, user=role_users[Role.ORGANIZER], last_name="Синицына")
    Appointment.objects.create(
        campaign=campaign, school=school, staff=staff, duty=Appointment.Duty.ORGANIZER, sitting_room=sitting_room
    )
    return sitting_room


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_organizer_fills_and_submits_the_room_protocol_on_a_phone(
    transactional_db, live_server, phone_page, shot, log_in, released_room
):
    page = phone_page
    log_in(page, "org")
    page.goto("/procedures/protocols/mine/")
    shot(page, "1-my-rooms")
    page.get_by_test_id("my-rooms").get_by_role("link", name=re.compile("Аудитория Каб. 12")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Протокол: аудитория Каб. 12")
    expect(page.get_by_test_id("protocol-status")).to_have_text("не начат")
    assert no_horizontal_scroll(page)
    shot(page, "2-room-opened")

    page.get_by_role("button", name="Начать").click()
    expect(page.get_by_text("Начало работы записано.")).to_be_visible()
    started = RoomProtocol.objects.get().started_at
    local = timezone.localtime(started, released_room.sitting.school.tzinfo)
    expect(page.get_by_test_id("ends-at")).to_have_text(f"{local + datetime.timedelta(minutes=45):%H:%M}")
    expect(page.get_by_test_id("ends-at-extended")).to_have_text(f"{local + datetime.timedelta(minutes=75):%H:%M}")
    shot(page, "3-started")

    page.get_by_test_id("absent-list").get_by_text("10002").click()
    page.get_by_label("Что произошло").select_option(label="пользовался телефоном или иным средством связи")
    page.get_by_label("Участник").select_option(label="10001 · 4А")
    page.get_by_label("Подробности").fill("Телефон изъят до конца работы")
    shot(page, "4-incident-typed")
    page.get_by_role("button", name="Записать нарушение").click()
    expect(page.get_by_text("Нарушение записано в протокол.")).to_be_visible()
    expect(page.get_by_test_id("incident-list")).to_contain_text("Телефон изъят до конца работы")
    expect(page.get_by_test_id("absent-list").locator("input[value]").nth(1)).to_be_checked()
    shot(page, "5-incident-recorded")

    page.get_by_text("КИМ и черновики собраны").click()
    page.get_by_text("Материалы переданы школьному координатору").click()
    assert no_horizontal_scroll(page)
    shot(page, "6-materials-ticked")
    page.get_by_role("button", name="Сдать протокол").click()

    expect(page.get_by_text("Протокол сдан.")).to_be_visible()
    expect(page.get_by_test_id("protocol-status")).to_have_text("сдан")
    expect(page.get_by_test_id("protocol-form")).to_have_count(0)
    expect(page.get_by_test_id("summary-absent")).to_have_text(re.compile(r"^\s*10002 · 4А\s*$"))
    expect(page.get_by_test_id("summary-incidents")).to_contain_text("пользовался телефоном")
    expect(page.get_by_test_id("summary-incidents")).to_contain_text("10001")
    expect(page.get_by_role("link", name="Исправить")).to_be_visible()
    assert no_horizontal_scroll(page)
    shot(page, "7-read-only")

    protocol = RoomProtocol.objects.get()
    assert protocol.submitted_at and protocol.materials_collected and protocol.handed_to_coordinator
    assert list(Participant.objects.filter(absent=True).values_list("code", flat=True)) == ["10002"]
    assert ProtocolIncident.objects.get().participant.code == "10001"
