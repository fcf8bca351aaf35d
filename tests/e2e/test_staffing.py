"""The coordinator staffs a room: a teacher of 4А is refused as organizer in 4А's room with the reason in Russian
(R1, Регламент 4.3.3); a teacher of another grade is appointed, and the room still warns it needs two (R2)."""

import datetime

import pytest
from playwright.sync_api import expect

from procedures.models import ScheduleEntry, SchoolSchedule
from procedures.services.seating import lesson_start, sitting_seat
from schools.models import Role, Subject
from tests.factories import (
    PupilFactory,
    SchoolClassFactory,
    StaffFactory,
    SubjectFactory,
    TeachingLoadFactory,
    make_assessment,
    make_campaign,
    make_participant,
    make_room,
    make_sitting,
    make_sitting_room,
)

pytestmark = pytest.mark.e2e

DAY = datetime.date(2026, 4, 21)


@pytest.fixture
def room_of_4a(department, school, role_users):
    campaign = make_campaign(department)
    russian = make_assessment(campaign)
    class_4a = SchoolClassFactory(school=school, academic_year=campaign.academic_year, grade=4, letter="А")
    schedule = SchoolSchedule.objects.create(campaign=campaign, school=school, status=SchoolSchedule.Status.APPROVED)
    ScheduleEntry.objects.create(schedule=schedule, assessment=russian, school_class=class_4a, date=DAY, lesson=2)
    sitting = make_sitting(
        russian, school, date=DAY, lesson=2, starts_at=lesson_start(school=school, date=DAY, lesson=2)
    )
    sitting_room = make_sitting_room(sitting, make_room(school, name="Кабинет 12", rows=3, columns=4))
    for number, pupil in enumerate(PupilFactory.create_batch(8, school_class=class_4a)):
        make_participant(
            russian,
            pupil,
            school=school,
            school_class=class_4a,
            class_name="4А",
            sex=pupil.sex,
            code=f"{41000 + number}",
        )
    sitting_seat(sitting=sitting, actor=role_users[Role.SCHOOL_COORDINATOR])
    teacher = StaffFactory(
        school=school, last_name="Берёзкина", first_name="Анна", position="учитель начальных классов"
    )
    TeachingLoadFactory(staff=teacher, school_class=class_4a, subject=SubjectFactory(name=Subject.PRIMARY))
    StaffFactory(
        school=school, last_name="Кедров", first_name="Павел", middle_name="Андреевич", position="учитель физкультуры"
    )
    return sitting_room


def test_a_teacher_of_4a_is_refused_as_organizer_in_4as_room_with_the_reason(
    transactional_db, live_server, page, shot, log_in, role_users, room_of_4a
):
    log_in(page, "coord")
    page.goto(f"/procedures/campaigns/VPR-2026/schools/sch660001/sitting-rooms/{room_of_4a.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Аудитория Кабинет 12")
    expect(page.get_by_test_id("room-warnings")).to_contain_text("Организаторов в аудитории: 0.")
    expect(page.get_by_test_id("seating-plan")).to_contain_text("41000")
    shot(page, "1-room")

    page.get_by_label("Назначить организатора").select_option(
        label="Берёзкина Анна Сергеевна, учитель начальных классов"
    )
    page.get_by_role("button", name="Назначить", exact=True).click()

    refusal = page.get_by_role("alert").filter(has_text="Берёзкина")
    expect(refusal).to_contain_text(
        "Берёзкина Анна Сергеевна преподаёт в классе 4А, который пишет работу в аудитории «Кабинет 12»: "
        "организатор не может преподавать в классах, которые пишут работу (Регламент 4.3.3)."
    )
    expect(page.get_by_test_id("organizer")).to_have_count(0)
    shot(page, "2-refused-with-reason")

    page.get_by_label("Назначить организатора").select_option(label="Кедров Павел Андреевич, учитель физкультуры")
    page.get_by_role("button", name="Назначить", exact=True).click()

    expect(page.get_by_test_id("organizer")).to_have_count(1)
    expect(page.get_by_test_id("organizer")).to_contain_text("Кедров Павел Андреевич")
    expect(page.get_by_test_id("room-warnings")).to_contain_text(
        "Организаторов в аудитории: 1. Нужно не менее двух (Регламент 6.4.6)."
    )
    shot(page, "3-one-organizer-appointed")
