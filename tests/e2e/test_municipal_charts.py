"""The department's results in a browser: municipality → assessment → funnel plot → school → class, by links as a
person would follow them; every chart drawn (a canvas with pixels), no console error (a CSP violation included),
and at a phone's width no page wider than the screen."""

import pytest
from playwright.sync_api import Page, expect

from schools.models import Role
from tests.factories import make_campaign
from tests.reports.drilldown_data import drilled, more_schools

pytestmark = pytest.mark.e2e

DRAWN = """() => Array.from(document.querySelectorAll('canvas[data-chart]')).map(canvas => {
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) { painted += 1; } }
  return {id: canvas.id, width: canvas.width, height: canvas.height, painted: painted};
})"""


@pytest.fixture
def results(transactional_db, role_users, department, school, other_school, pupil):
    campaign = make_campaign(department)
    assessment = drilled(campaign, school, other_school, pupil)
    more_schools(assessment, department, 3)
    return assessment


def watch_console(page: Page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def charts_drawn(page: Page, expected: int) -> None:
    page.wait_for_load_state("networkidle")
    canvases = page.evaluate(DRAWN)
    assert len(canvases) == expected, canvases
    for canvas in canvases:
        assert canvas["width"] > 100 and canvas["height"] > 100, canvas
        assert canvas["painted"] > 500, canvas  # something is drawn, not a blank canvas


def test_the_department_follows_the_results_down_to_a_class(live_server, page, shot, log_in, results, pupil):
    problems = watch_console(page)
    log_in(page, "uo")
    page.goto(f"/reports/campaigns/{results.campaign.code}/results/")
    shot(page, "1-campaign")
    page.locator(f'tr[data-assessment="{results.code}"]').get_by_role("link", name=results.code).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("муниципалитет")
    charts_drawn(page, 5)  # marks, tasks, levels, mark groups, histogram
    expect(page.get_by_test_id("completion-levels")).to_be_visible()
    expect(page.get_by_test_id("completion-mark-groups")).to_be_visible()
    shot(page, "2-assessment")

    page.get_by_test_id("funnel-link").click()
    expect(page.get_by_test_id("funnel-low")).to_be_visible()
    charts_drawn(page, 2)
    shot(page, "3-funnel")
    page.get_by_test_id("assessment-link").click()

    page.locator('tr[data-school="sch660001"]').get_by_test_id("school-link").click()
    expect(page.get_by_test_id("mark-stats")).to_contain_text("Муниципалитет")
    charts_drawn(page, 4)  # marks, tasks, levels, histogram
    assert pupil.last_name not in page.content()
    shot(page, "4-school")

    page.get_by_test_id("class-link").filter(has_text="4В").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Класс 4В")
    charts_drawn(page, 4)
    assert pupil.last_name not in page.content()
    shot(page, "5-class")
    page.get_by_test_id("back-to-school").click()
    expect(page.get_by_test_id("task-completion")).to_be_visible()

    assert problems == []


def test_the_results_pages_fit_a_phone(live_server, phone_page, shot, log_in, results, school):
    page = phone_page
    problems = watch_console(page)
    log_in(page, "uo")
    code, campaign = results.code, results.campaign.code
    pages = {
        "assessment": f"/reports/campaigns/{campaign}/results/{code}/",
        "funnel": f"/reports/campaigns/{campaign}/results/{code}/funnel/",
        "school": f"/grading/results/{campaign}/{school.code}/{code}/",
        "class": f"/grading/results/{campaign}/{school.code}/{code}/classes/4В/",
    }
    for step, url in pages.items():
        page.goto(url)
        page.wait_for_load_state("networkidle")
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], (step, width)
        drawn = page.evaluate(DRAWN)
        assert drawn and all(canvas["painted"] > 500 and canvas["width"] <= width[1] for canvas in drawn), step
        shot(page, f"phone-{step}")
    assert problems == []


@pytest.fixture
def role_users(role_users):
    assert role_users[Role.DEPARTMENT_STAFF].username == "uo"
    return role_users
