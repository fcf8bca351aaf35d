"""An expert fills a class's scores with the keyboard only (digits, Enter down the first column, Tab along the
rows, one «Х»), reloads and finds every value; a value typed while the server cannot be reached stays in the
unsaved queue, is shown as unsaved, and is saved once the connection is back and the page reloaded."""

import datetime
import time

import pytest
from django.db import OperationalError
from django.utils import timezone
from playwright.sync_api import expect

from grading.models import Score, Work
from grading.services.distribution import BY_CLASS, works_distribute
from procedures.models import Appointment
from schools.models import Role
from tests.factories import StaffFactory, make_assessment, make_campaign, make_participant, make_sitting

pytestmark = pytest.mark.e2e

TASKS = [("1", 2, "Б"), ("2", 1, "Б"), ("3", 3, "П"), ("4", 2, "В")]  # max 8
SCALE = {"3": 3, "4": 5, "5": 7}
# What the expert types, row by row (code order); «Х» is Cyrillic and comes back as «X».
TYPED = {
    "10001": ["2", "1", "3", "2"],
    "10002": ["1", "0", "Х", "1"],
    "10003": ["0", "1", "2", "2"],
    "10004": ["2", "0", "1", "0"],
}
SHOWN = {code: ["X" if v == "Х" else v for v in values] for code, values in TYPED.items()}
TOTALS = {"10001": ("8", "5"), "10002": ("2", "2"), "10003": ("5", "4"), "10004": ("3", "3")}


@pytest.fixture
def class_to_check(department, school, role_users):
    campaign = make_campaign(department)
    assessment = make_assessment(campaign, code="E2E-4", tasks=TASKS, scale=SCALE)
    yesterday = timezone.localdate(timezone.now(), school.tzinfo) - datetime.timedelta(days=1)
    make_sitting(assessment, school, date=yesterday, lesson=2)
    for code in TYPED:
        make_participant(assessment, school=school, class_name="4А", sex="М", code=code, variant=1)
    expert = StaffFactory(school=school, user=role_users[Role.EXPERT], last_name="Проверкина", is_administration=True)
    Appointment.objects.create(
        campaign=campaign, school=school, staff=expert, duty=Appointment.Duty.EXPERT, assessment=assessment
    )
    works_distribute(assessment=assessment, school=school, mode=BY_CLASS, actor=role_users[Role.SCHOOL_COORDINATOR])
    return assessment


def cell(page, code, column):
    return page.locator(f'tr[data-code="{code}"] input.grid-cell[data-col="{column}"]')


def wait_for(condition, timeout=5.0):
    """Polls the database while the live server writes to it (SQLite in memory answers «table is locked» to a
    read during another connection's write: try again)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OperationalError:
            pass
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def grid_ready(page):
    """The grid's script has started (it marks the table): what is typed from now on is queued."""
    expect(page.locator("#score-grid[data-ready='1']")).to_be_visible()


def open_grid(page, log_in) -> list[str]:
    """Opens the expert's grid from their start page; returns the list the page's script errors go into."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, "expert")
    page.goto("/grading/works/")
    page.get_by_role("link", name="Вносить баллы").click()
    grid_ready(page)
    return errors


def test_an_expert_fills_a_class_with_the_keyboard_and_finds_every_value_after_reload(
    transactional_db, live_server, page, shot, log_in, class_to_check
):
    errors = open_grid(page, log_in)
    expect(page.get_by_role("columnheader", name="3 (3б)")).to_be_visible()
    shot(page, "1-empty-grid")
    codes = list(TYPED)
    cell(page, codes[0], 0).focus()
    for code in codes:  # the first column downwards with Enter; below the last row Enter goes to the next column
        page.keyboard.type(TYPED[code][0])
        page.keyboard.press("Enter")
    expect(cell(page, codes[0], 1)).to_be_focused()
    for number, code in enumerate(codes):  # then each row along with Tab
        for value in TYPED[code][1:]:
            page.keyboard.type(value)
            page.keyboard.press("Tab")
        if number + 1 < len(codes):
            expect(cell(page, codes[number + 1], 0)).to_be_focused()
            page.keyboard.press("Tab")  # the first column is filled already
    wait_for(lambda: Score.objects.count() == len(codes) * len(TASKS))
    expect(page.get_by_test_id("grid-saved")).to_be_visible()
    expect(page.get_by_test_id("grid-unsaved")).to_be_hidden()
    for code, (total, mark) in TOTALS.items():
        row = page.locator(f'tr[data-code="{code}"]')
        expect(row.locator("[data-total]")).to_have_text(total)
        expect(row.locator("[data-mark]")).to_have_text(mark)
    shot(page, "2-filled")

    page.reload()
    grid_ready(page)
    for code, values in SHOWN.items():
        for column, value in enumerate(values):
            expect(cell(page, code, column)).to_have_value(value)
    assert {w.participant.code: (w.primary_score, w.mark) for w in Work.objects.select_related("participant")} == {
        code: (int(total), int(mark)) for code, (total, mark) in TOTALS.items()
    }
    assert Score.objects.filter(not_attempted=True).count() == 1
    shot(page, "3-after-reload")
    assert not errors


def test_an_impossible_value_is_marked_at_once_with_the_reason(
    transactional_db, live_server, page, shot, log_in, class_to_check
):
    errors = open_grid(page, log_in)
    cell(page, "10001", 0).focus()
    page.keyboard.type("5")
    expect(cell(page, "10001", 0)).to_have_class("grid-cell is-invalid")
    expect(page.get_by_test_id("grid-errors")).to_contain_text("10001 · 1: балл 5 больше максимума 2")
    page.keyboard.press("Backspace")
    expect(page.get_by_test_id("grid-errors")).to_be_hidden()
    shot(page, "cleared")
    assert not Score.objects.filter(value__isnull=False).exists()
    assert not errors


def test_a_value_typed_while_the_server_is_unreachable_is_kept_and_saved_later(
    transactional_db, live_server, page, shot, log_in, class_to_check
):
    errors = open_grid(page, log_in)
    page.route("**/grading/cell/", lambda route: route.abort())
    cell(page, "10003", 2).focus()
    page.keyboard.type("3")
    page.keyboard.press("Tab")
    expect(page.get_by_test_id("grid-unsaved")).to_have_text("не сохранено: 1")
    expect(page.get_by_test_id("grid-unsaved-list")).to_contain_text("10003 · 3")
    expect(cell(page, "10003", 2)).to_have_class("grid-cell is-unsaved")
    expect(page.locator("#grid-retry")).to_contain_text("Нет связи с сервером")
    shot(page, "1-unsaved")
    assert not Score.objects.exists()

    page.reload()  # still offline: the queue survives the reload and the cell shows the typed value
    grid_ready(page)
    expect(cell(page, "10003", 2)).to_have_value("3")
    expect(page.get_by_test_id("grid-unsaved")).to_have_text("не сохранено: 1")
    assert not Score.objects.exists()

    page.unroute("**/grading/cell/")
    page.reload()
    grid_ready(page)
    expect(page.get_by_test_id("grid-saved")).to_be_visible()
    expect(page.get_by_test_id("grid-unsaved")).to_be_hidden()
    wait_for(lambda: Score.objects.filter(value=3).count() == 1)
    score = Score.objects.get()
    assert (score.work.participant.code, score.task.label, score.value) == ("10003", "3", 3)
    expect(cell(page, "10003", 2)).to_have_value("3")
    shot(page, "2-saved")
    assert not errors


def test_a_queued_value_over_a_cell_changed_meanwhile_is_shown_as_a_conflict(
    transactional_db, live_server, page, shot, log_in, class_to_check, role_users
):
    """Offline, the expert types 1; meanwhile the coordinator saves 2 in that cell. Back online, the expert's 1
    is not written over the 2: the conflict is shown with both values."""
    from grading.services.scores import score_set

    errors = open_grid(page, log_in)
    page.route("**/grading/cell/", lambda route: route.abort())
    cell(page, "10002", 0).focus()
    page.keyboard.type("1")
    page.keyboard.press("Tab")
    expect(page.get_by_test_id("grid-unsaved")).to_have_text("не сохранено: 1")
    work = Work.objects.get(participant__code="10002")
    score_set(work=work, task=work.assessment.tasks.get(label="1"), raw=2, actor=role_users[Role.SCHOOL_COORDINATOR])
    page.unroute("**/grading/cell/")
    page.reload()
    grid_ready(page)
    expect(page.get_by_test_id("grid-conflicts")).to_contain_text("10002 · 1: ваше «1», сейчас «2»")
    expect(cell(page, "10002", 0)).to_have_value("2")
    assert Score.objects.get(work=work).value == 2
    shot(page, "conflict")
    page.get_by_role("button", name="Записать моё").click()
    expect(page.get_by_test_id("grid-conflicts")).to_be_hidden()
    wait_for(lambda: Score.objects.get(work=work).value == 1)
    assert not errors
