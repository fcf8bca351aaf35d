"""The seating plan fits a 390 px phone without scrolling sideways, and the sitting page asks for confirmation
only when something would be lost."""

import pytest
from django.urls import reverse
from django.utils import timezone

from procedures.models import Appointment, Seat, SittingRoom
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
def full_room(department, school, role_users):
    """A released room of 4 rows × 4 columns, every seat taken, with the organizer «org» appointed."""
    campaign = make_campaign(department)
    assessment = make_assessment(campaign)
    sitting = make_sitting(assessment, school, date=timezone.localdate(), lesson=2)
    sitting_room = make_sitting_room(
        sitting, make_room(school, name="Каб. 12", rows=4, columns=4), released_at=timezone.now()
    )
    for index in range(16):
        participant = make_participant(
            assessment,
            school=school,
            class_name="10А" if index % 2 else "4Б",
            sex="М",
            code=f"{10001 + index}",
            variant=1 + index % 2,
        )
        Seat.objects.create(
            sitting_room=sitting_room, participant=participant, row=1 + index // 4, column=1 + index % 4
        )
    staff = StaffFactory(school=school, user=role_users[Role.ORGANIZER], last_name="Синицына")
    Appointment.objects.create(
        campaign=campaign, school=school, staff=staff, duty=Appointment.Duty.ORGANIZER, sitting_room=sitting_room
    )
    return sitting_room


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= 390")


def test_the_seating_plan_fits_a_phone(transactional_db, live_server, phone_page, shot, log_in, full_room):
    page = phone_page
    sitting = full_room.sitting
    log_in(page, "coord")
    page.goto(
        reverse(
            "procedures:sitting_room",
            kwargs={"campaign_code": sitting.campaign.code, "school_code": sitting.school.code, "pk": full_room.pk},
        )
    )
    plan = page.get_by_test_id("seating-plan")
    plan.scroll_into_view_if_needed()
    assert plan.get_by_test_id("seat-4-4").is_visible()
    assert fits(page)
    assert plan.evaluate("plan => plan.scrollWidth <= plan.clientWidth")
    shot(page, "1-coordinator-plan")

    page.context.clear_cookies()
    log_in(page, "org")
    page.goto(reverse("procedures:my_room", kwargs={"pk": full_room.pk}))
    page.get_by_test_id("seating-plan").scroll_into_view_if_needed()
    assert fits(page)
    shot(page, "2-organizer-plan")


def test_the_rooms_are_saved_without_a_question_unless_a_room_is_removed(
    transactional_db, live_server, page, shot, log_in, full_room
):
    sitting = full_room.sitting
    make_room(sitting.school, name="Каб. 14", rows=2, columns=2)
    questions = []
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    log_in(page, "coord")
    url = reverse(
        "procedures:sitting",
        kwargs={"campaign_code": sitting.campaign.code, "school_code": sitting.school.code, "pk": sitting.pk},
    )
    page.goto(url)
    rooms = page.get_by_test_id("rooms-form")
    rooms.get_by_label("Каб. 14").check()
    rooms.get_by_role("button", name="Сохранить аудитории").click()
    page.wait_for_load_state()
    assert questions == []
    assert SittingRoom.objects.filter(sitting=sitting).count() == 2
    shot(page, "1-added-without-question")

    page.goto(url)
    page.get_by_test_id("rooms-form").get_by_label("Каб. 12").uncheck()
    page.get_by_test_id("rooms-form").get_by_role("button", name="Сохранить аудитории").click()
    assert len(questions) == 1 and "пересажены" in questions[0]
    assert SittingRoom.objects.filter(sitting=sitting, room__name="Каб. 12").exists()  # dismissed: nothing lost
