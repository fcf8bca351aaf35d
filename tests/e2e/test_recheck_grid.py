"""A commission expert re-checks blind with the keyboard: the grid (static/js/grid.js on the re-check's cell
endpoint) saves each score, refuses an impossible one in Russian at once, shows the expert's own total and
mark, never the school's; the scores are there after a reload and the works are submitted."""

import time

import pytest
from django.db import OperationalError
from django.utils import timezone
from playwright.sync_api import expect

from grading.models import Score
from monitoring import commission
from monitoring.models import Recheck, RecheckScore, RecheckSelection, RecheckWork
from schools.models import Role
from tests.factories import (
    SchoolFactory,
    StaffFactory,
    StaffSubjectFactory,
    make_assessment,
    make_campaign,
    make_participant,
    make_work,
    user_with_role,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def grid_url(department, school, other_school):
    campaign = make_campaign(department)
    scale = {"3": 10, "4": 25, "5": 35}
    assessment = make_assessment(campaign, code="E2E-R", tasks=[("1", 20), ("2", 20)], scale=scale)
    tasks = list(assessment.tasks.order_by("position"))
    for code in ("30001", "30002"):
        work = make_work(make_participant(assessment, school=school, code=code), primary_score=36, mark=5)
        for task, value in zip(tasks, (17, 19), strict=True):
            Score.objects.create(work=work, task=task, value=value)
    recheck = Recheck.objects.create(department=department, campaign=campaign)
    selection = RecheckSelection.objects.create(
        recheck=recheck, school=school, assessment=assessment, reason="manual", received_at=timezone.now()
    )
    uo = user_with_role(Role.DEPARTMENT_STAFF, department=department)
    third_school = SchoolFactory(department=department, code="sch660003")
    for number, where in enumerate((other_school, third_school)):
        user = user_with_role(Role.EXPERT, school=where, username=f"commission{number}")
        staff = StaffFactory(school=where, user=user)
        StaffSubjectFactory(staff=staff, subject=assessment.subject, experience_years=5)
        commission.member_add(recheck, staff, by=uo, is_chair=number == 0)
    commission.commission_approve(recheck, order="№ 1", by=uo)
    commission.works_distribute(recheck, by=uo)
    return f"/monitoring/recheck/selections/{selection.pk}/grid/"


def first_round() -> dict[str, str]:
    for _attempt in range(100):  # SQLite in memory: a read during the live server's write is «table is locked»
        try:
            return {
                f"{s.task.label}": commission.score_text(s)
                for s in RecheckScore.objects.select_related("task").filter(round="first")
            }
        except OperationalError:
            time.sleep(0.05)
    raise AssertionError("the database stayed locked")


def test_the_commission_expert_types_blind_scores_with_the_keyboard(
    transactional_db, live_server, page, shot, log_in, grid_url
):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, "commission0")
    page.goto(grid_url)
    expect(page.locator("#score-grid[data-ready='1']")).to_be_visible()
    table = page.get_by_test_id("recheck-grid")
    expect(table).not_to_contain_text("36")
    cells = page.locator("tr[data-code] input.grid-cell")
    expect(cells).to_have_count(2)  # one work each: two tasks
    cells.nth(0).focus()
    page.keyboard.type("25")
    expect(cells.nth(0)).to_have_class("grid-cell is-invalid")
    expect(page.get_by_test_id("grid-errors")).to_contain_text("балл 25 больше максимума 20")
    shot(page, "1-refused")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.type("16")
    page.keyboard.press("Tab")
    page.keyboard.type("X")
    page.keyboard.press("Tab")
    expect(page.get_by_test_id("grid-saved")).to_be_visible()
    expect(page.locator("tr[data-code] [data-total]")).to_have_text("16")
    expect(page.locator("tr[data-code] [data-mark]")).to_have_text("3")
    deadline = time.monotonic() + 5
    while first_round() != {"1": "16", "2": "X"} and time.monotonic() < deadline:
        time.sleep(0.05)
    assert first_round() == {"1": "16", "2": "X"}
    page.reload()
    expect(cells.nth(0)).to_have_value("16")
    expect(cells.nth(1)).to_have_value("X")
    shot(page, "2-saved")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Сдать перепроверенные работы").click()
    page.wait_for_load_state()
    expect(page.locator("tr[data-code] input.grid-cell").first).to_have_attribute("readonly", "")
    assert RecheckWork.objects.filter(status="adjudication").count() == 1
    assert not errors
