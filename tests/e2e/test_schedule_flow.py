"""A school's schedule from the first date to approval: warning confirmed, returned with a comment, corrected,
approved (Регламент 5.2)."""

import pytest
from playwright.sync_api import expect

from procedures.models import SchoolSchedule
from tests.factories import SchoolClassFactory, make_assessment, make_campaign

pytestmark = pytest.mark.e2e


@pytest.fixture
def campaign_with_4a(department, school):
    campaign = make_campaign(department)
    make_assessment(campaign)
    make_assessment(campaign, code="MA-4", subject="Математика", scale={"3": 6, "4": 10, "5": 14})
    SchoolClassFactory(school=school, academic_year=campaign.academic_year, grade=4, letter="А")
    return campaign


def switch_user(page, log_in, username):
    page.context.clear_cookies()
    log_in(page, username)


def test_a_schedule_is_confirmed_returned_corrected_and_approved(
    transactional_db, live_server, page, shot, log_in, role_users, campaign_with_4a, school
):
    schedule_url = "/procedures/campaigns/VPR-2026/schools/sch660001/schedule/"
    russian = page.get_by_test_id("row-4А-RU-4")
    maths = page.get_by_test_id("row-4А-MA-4")
    status = page.get_by_test_id("schedule-status")

    # The school coordinator sets the dates; the Russian language on the 4th lesson is a warning.
    log_in(page, "coord")
    page.goto(schedule_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("График проведения: СШ №1")
    expect(status).to_have_text("черновик")
    russian.locator("input[type=date]").fill("2026-04-21")
    russian.locator("input[type=number]").fill("4")
    maths.locator("input[type=date]").fill("2026-04-23")
    maths.locator("input[type=number]").fill("2")
    shot(page, "1-dates-typed")
    page.get_by_role("button", name="Сохранить").click()
    warning = russian.get_by_label("4-й урок: рекомендовано проводить работу на 2–3 уроке (Регламент 5.2)", exact=False)
    expect(warning).not_to_be_checked()
    expect(page.get_by_role("button", name="Отправить на согласование")).to_be_disabled()
    expect(page.get_by_test_id("submit-blockers")).to_contain_text("Не подтверждено 1 предупреждение.")
    shot(page, "2-warning-shown")

    warning.check()
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("График сохранён.")).to_be_visible()
    expect(warning).to_be_checked()
    shot(page, "3-warning-confirmed")

    page.get_by_role("button", name="Отправить на согласование").click()
    expect(status).to_have_text("на согласовании")
    expect(page.get_by_test_id("schedule-form")).to_have_count(0)
    shot(page, "4-submitted")

    # The department specialist returns it with a comment.
    switch_user(page, log_in, "uo")
    page.goto("/procedures/campaigns/VPR-2026/schedules/")
    page.get_by_test_id("schedule-list").get_by_role("link", name="СШ №1").click()
    expect(status).to_have_text("на согласовании")
    expect(russian).to_contain_text("подтверждено школой")
    page.get_by_label("Комментарий для школы").fill("Русский язык в 4А перенесите на 2-й урок.")
    shot(page, "5-department-returns")
    page.get_by_role("button", name="Вернуть на доработку").click()
    expect(status).to_have_text("возвращён на доработку")
    shot(page, "6-returned")

    # The coordinator reads the comment, corrects the lesson and submits again.
    switch_user(page, log_in, "coord")
    page.goto(schedule_url)
    expect(page.get_by_test_id("schedule-comment")).to_contain_text("Русский язык в 4А перенесите на 2-й урок.")
    shot(page, "7-comment-seen")
    russian.locator("input[type=number]").fill("2")
    page.get_by_role("button", name="Сохранить").click()
    expect(russian.locator("input[type=checkbox]")).to_have_count(0)
    page.get_by_role("button", name="Отправить на согласование").click()
    expect(status).to_have_text("на согласовании")
    shot(page, "8-resubmitted")

    # The department approves; the school can no longer change it.
    switch_user(page, log_in, "uo")
    page.goto(schedule_url)
    page.get_by_role("button", name="Согласовать").click()
    expect(status).to_have_text("согласован")
    shot(page, "9-approved")

    switch_user(page, log_in, "coord")
    page.goto(schedule_url)
    expect(status).to_have_text("согласован")
    expect(page.get_by_test_id("schedule-form")).to_have_count(0)
    expect(russian).to_contain_text("21.04.2026")
    shot(page, "10-school-sees-approval")
    schedule = SchoolSchedule.objects.get()
    assert schedule.status == SchoolSchedule.Status.APPROVED
    assert schedule.entries.get(assessment__code="RU-4").lesson == 2
