"""The observer's and the coordinator's observation pages on a 390×844 phone: the observer's schedule (school,
address, start in the school's time, room) fits the screen with a full-width button to the act; the coordinator
places the observer in a room from the phone."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from monitoring.models import OBSERVER_INSTRUCTION_VERSION, InstructionAcknowledgement, ObservationAssignment
from tests.factories import make_assessment, make_campaign, make_room, make_sitting, make_sitting_room
from tests.factories_observation import make_person

pytestmark = pytest.mark.e2e


@pytest.fixture
def observation(department, school, role_users):
    school.address = "г. Екатеринбург, ул. Ленина, 1"
    school.save(update_fields=["address"])
    today = timezone.localdate(timezone=school.tzinfo)
    campaign = make_campaign(department, window_start=today - datetime.timedelta(days=5))
    starts = datetime.datetime.combine(today, datetime.time(9, 25), tzinfo=school.tzinfo)
    sitting = make_sitting(make_assessment(campaign), school, date=today, lesson=2, starts_at=starts)
    make_sitting_room(sitting, make_room(school, name="Кабинет 21"))
    person = make_person(department, username="zorina", last_name="Зорина", first_name="Анна")
    InstructionAcknowledgement.objects.create(
        user=person.user, instruction="observer", version=OBSERVER_INSTRUCTION_VERSION
    )
    return ObservationAssignment.objects.create(person=person, sitting=sitting)


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_coordinator_places_and_the_observer_reads_where_on_a_phone(phone_page, log_in, shot, observation):
    page = phone_page
    log_in(page, "coord")
    page.goto(f"/monitoring/schools/{observation.sitting.school.code}/observers/")
    card = page.get_by_test_id(f"observer-{observation.pk}")
    expect(card).to_contain_text("Зорина")
    card.get_by_label("Аудитория").select_option(label="Кабинет 21")
    card.get_by_role("button", name="Разместить").click()
    expect(page.get_by_text("Размещение сохранено.")).to_be_visible()
    shot(page, "coordinator")
    assert no_horizontal_scroll(page)

    page.context.clear_cookies()
    log_in(page, "zorina")
    page.goto("/monitoring/assignments/")
    visit = page.get_by_test_id(f"assignment-{observation.pk}")
    expect(visit).to_contain_text("09:25")
    expect(visit).to_contain_text("ул. Ленина")
    expect(visit).to_contain_text("Кабинет 21")
    button = page.get_by_test_id(f"open-{observation.pk}")
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300  # a big tap target across the screen
    shot(page, "observer")
    assert no_horizontal_scroll(page)
