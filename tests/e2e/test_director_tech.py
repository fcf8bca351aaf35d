"""The director at work: the order awaiting approval is the first thing on his start page; he approves it, or
returns it with a comment. The technical specialist prints a class's code slips from his start page."""

import datetime

import pytest
from playwright.sync_api import expect

from procedures.models import SchoolOrder, SchoolOrderStep
from procedures.selectors.orders import order_content
from schools.models import Role
from tests.factories import PupilFactory, SchoolClassFactory, make_assessment, make_campaign, make_participant

pytestmark = pytest.mark.e2e


@pytest.fixture
def submitted(department, school, role_users):
    """Version 1 of the school's order, submitted by the coordinator to the director."""
    campaign = make_campaign(department)
    order = SchoolOrder.objects.create(
        campaign=campaign,
        school=school,
        version=1,
        number="45-о",
        date=datetime.date(2026, 4, 1),
        content=order_content(campaign=campaign, school=school),
        created_by=role_users[Role.SCHOOL_COORDINATOR],
    )
    SchoolOrderStep.objects.create(
        order=order, action=SchoolOrderStep.Action.SUBMITTED, actor=role_users[Role.SCHOOL_COORDINATOR]
    )
    return order


def test_the_director_approves_the_order_awaiting_him(transactional_db, live_server, page, shot, log_in, submitted):
    log_in(page, "director")
    waiting = page.get_by_test_id("director-waiting")
    expect(waiting).to_contain_text("версия 1: утвердить или вернуть")
    shot(page, "1-start")

    waiting.get_by_role("link").first.click()
    expect(page.get_by_test_id("order-awaiting")).to_contain_text("Версия 1 на утверждении у директора")
    shot(page, "2-order")
    page.get_by_role("button", name="Утвердить приказ").click()

    expect(page.get_by_role("alert").filter(has_text="утверждена")).to_be_visible()
    expect(page.get_by_test_id("order-status")).to_contain_text("Действующая версия 1")
    expect(page.get_by_test_id("order-steps-1")).to_contain_text("утверждён")
    shot(page, "3-approved")
    submitted.refresh_from_db()
    assert submitted.status == SchoolOrder.Status.APPROVED


def test_the_director_returns_the_order_with_a_comment(transactional_db, live_server, page, shot, log_in, submitted):
    log_in(page, "director")
    page.get_by_test_id("director-waiting").get_by_role("link").first.click()

    page.get_by_label("Что исправить").fill("Добавьте второго организатора в кабинет 12.")
    page.get_by_role("button", name="Вернуть на доработку").click()

    expect(page.get_by_test_id("order-returned")).to_contain_text("Добавьте второго организатора в кабинет 12.")
    shot(page, "1-returned")
    submitted.refresh_from_db()
    assert submitted.status == SchoolOrder.Status.RETURNED


@pytest.fixture
def coded_class(department, school):
    campaign = make_campaign(department)
    russian = make_assessment(campaign)
    class_4a = SchoolClassFactory(school=school, academic_year=campaign.academic_year, grade=4, letter="А")
    for number, pupil in enumerate(PupilFactory.create_batch(5, school_class=class_4a)):
        # the school, class 4А and sex are the pupil's
        make_participant(russian, pupil, code=f"{42000 + number}")
    return class_4a


def test_the_technical_specialist_prints_the_code_slips_of_a_class(
    transactional_db, live_server, page, shot, log_in, role_users, coded_class, tmp_path
):
    log_in(page, "tech")
    row = page.get_by_test_id("print-class-4А")
    expect(row).to_contain_text("5")
    shot(page, "1-start")

    with page.expect_download() as download_info:
        row.get_by_role("link", name="коды для вырезания").click()

    download = download_info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.suffix == ".pdf" and saved.read_bytes().startswith(b"%PDF")
    shot(page, "2-printed")
