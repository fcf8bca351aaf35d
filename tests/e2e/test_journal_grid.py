"""The school coordinator types a class's journal marks with the keyboard only (a digit saves, Enter and the
arrows move), an impossible mark is refused in Russian at once, and every mark is there after a reload."""

import time

import pytest
from django.db import OperationalError
from playwright.sync_api import expect

from grading.models import Work
from tests.factories import PupilFactory, SchoolClassFactory, make_assessment, make_campaign, make_participant

pytestmark = pytest.mark.e2e

# rows follow the class journal (by name): Алексеева, Борисов, Волков
PUPILS = {"10003": "Алексеева", "10001": "Борисов", "10002": "Волков"}


@pytest.fixture
def journal_url(department, school, role_users):
    campaign = make_campaign(department)
    assessment = make_assessment(campaign, code="E2E-4")
    school_class = SchoolClassFactory(school=school, grade=4, letter="А")
    for code, last_name in PUPILS.items():
        pupil = PupilFactory(school_class=school_class, last_name=last_name)
        make_participant(
            assessment, pupil, school=school, school_class=school_class, class_name="4А", sex="М", code=code
        )
    return f"/grading/check/{campaign.code}/{school.code}/{assessment.code}/journal/4А/"


def cell(page, code):
    return page.locator(f'tr[data-code="{code}"] input.grid-cell')


def marks() -> dict[str, int | None]:
    for _attempt in range(100):  # SQLite in memory: a read during the live server's write is «table is locked»
        try:
            return {w.participant.code: w.journal_mark for w in Work.objects.select_related("participant")}
        except OperationalError:
            time.sleep(0.05)
    raise AssertionError("the database stayed locked")


def wait_for(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_the_coordinator_types_journal_marks_with_the_keyboard(
    transactional_db, live_server, page, shot, log_in, journal_url
):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, "coord")
    page.goto(journal_url)
    expect(page.locator("#journal-grid[data-ready='1']")).to_be_visible()
    rows = page.locator("#journal-grid tbody tr")
    expect(rows.nth(0)).to_contain_text("Алексеева")
    shot(page, "1-empty")

    cell(page, "10003").focus()
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    expect(cell(page, "10001")).to_be_focused()
    page.keyboard.type("7")  # not a mark: refused here with the reason, nothing is sent
    expect(cell(page, "10001")).to_have_class("grid-cell is-invalid")
    expect(page.get_by_test_id("grid-errors")).to_contain_text(
        "10001 · отметка по журналу: Отметка по журналу — 2, 3, 4 или 5 (или пусто), а не «7»."
    )
    shot(page, "2-refused")
    page.keyboard.press("Backspace")
    expect(page.get_by_test_id("grid-errors")).to_be_hidden()
    page.keyboard.type("4")
    page.keyboard.press("ArrowDown")
    expect(cell(page, "10002")).to_be_focused()
    page.keyboard.type("3")
    page.keyboard.press("ArrowUp")
    expect(cell(page, "10001")).to_be_focused()
    wait_for(lambda: marks() == {"10003": 5, "10001": 4, "10002": 3})
    expect(page.get_by_test_id("grid-saved")).to_be_visible()
    shot(page, "3-saved")

    page.keyboard.press("Delete")  # clearing is a change too
    wait_for(lambda: marks()["10001"] is None)
    page.reload()
    expect(page.locator("#journal-grid[data-ready='1']")).to_be_visible()
    expect(cell(page, "10003")).to_have_value("5")
    expect(cell(page, "10001")).to_have_value("")
    expect(cell(page, "10002")).to_have_value("3")
    shot(page, "4-after-reload")
    assert not errors
