"""The trends in a browser: the department opens an assessment's trend over three campaigns and sees the charts
drawn by static/js/trends.js beside their tables; the school's coordinator opens the school's trend and follows a
year to the same pupils a year later. No script or style is refused by the Content-Security-Policy."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import PupilFactory, SchoolClassFactory
from tests.reports.test_trends import campaign_of, work_of, write, write_many

pytestmark = pytest.mark.e2e


@pytest.fixture
def years(department, school, other_school, role_users):
    works = {year: work_of(campaign_of(department, year)) for year in (2024, 2025, 2026)}
    later = work_of(works[2026].campaign, grade=6)
    for year, marks in ((2024, [5, 4, 4, 3, 3, 2]), (2025, [4, 4, 3, 3, 3, 2, 2]), (2026, [5, 5, 4, 4, 3, 3, 2])):
        write_many(works[year], other_school, marks)
    six_a = SchoolClassFactory(school=school, grade=6, letter="А")
    for then, now in ((5, 5), (4, 5), (4, 3), (3, 3), (3, 4), (2, 3)):
        pupil = PupilFactory(school_class=six_a)
        write(works[2025], school, then, pupil=pupil, class_name="5А")
        write(later, school, now, pupil=pupil, class_name="6А")
    write_many(works[2024], school, [4, 4, 3, 3, 3])
    return works


def watch(page) -> list[str]:
    """Console errors (a CSP refusal is one) of the page, collected as they come."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def charts_drawn(page) -> int:
    return page.evaluate("() => Object.keys(Chart.instances).length")


def test_the_department_and_the_school_read_the_trend_and_the_cohort(page, shot, log_in, years, school):
    errors = watch(page)
    log_in(page, "uo")
    page.goto(reverse("reports:municipal_trend", kwargs={"campaign_code": "VPR-2026", "assessment_code": "T-5"}))
    expect(page.get_by_test_id("municipal-trend")).to_contain_text("ВПР-2024")
    page.wait_for_function("() => Object.keys(Chart.instances).length === 2")
    shot(page, "1-municipal-trend")
    page.emulate_media(media="print")
    shot(page, "2-municipal-trend-print")
    page.emulate_media(media="screen")
    page.locator(f'tr[data-school="{school.code}"]').get_by_role("link", name="Динамика школы").click()
    expect(page.get_by_test_id("school-trend")).to_contain_text("Муниципалитет")
    assert charts_drawn(page) == 3
    shot(page, "3-school-trend-department")

    page.context.clear_cookies()
    log_in(page, "coord")
    page.goto(
        reverse(
            "reports:school_trend",
            kwargs={"campaign_code": "VPR-2025", "school_code": school.code, "assessment_code": "T-5"},
        )
    )
    page.wait_for_function("() => Object.keys(Chart.instances).length === 3")
    shot(page, "4-school-trend")
    page.get_by_role("link", name="через год (ВПР-2026)").click()
    expect(page.get_by_test_id("transitions").first).to_contain_text("Всего")
    expect(page.locator('section[data-cohort="5А"]')).to_contain_text("В обоих годах: 6 из 6")
    shot(page, "5-cohort")
    assert not errors, errors
