"""Pupils' names: found by the school's coordinator, never shown to the department (R11)."""

import pytest
from playwright.sync_api import expect

from tests.factories import PupilFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def crowded_4a(class_4a, pupil):
    """Sixty more pupils in the class, so the list has a second page."""
    PupilFactory.create_batch(60, school_class=class_4a)
    return class_4a


def test_coordinator_finds_a_pupil_by_surname_and_opens_the_card(
    transactional_db, live_server, page, shot, log_in, coordinator, pupil, crowded_4a
):
    log_in(page, "coord")
    expect(page).to_have_url(f"{live_server.url}/procedures/schools/sch660001/checklist/")
    shot(page, "start-page")

    page.get_by_role("navigation").get_by_role("link", name="Обучающиеся").click()
    expect(page).to_have_url(f"{live_server.url}/schools/sch660001/pupils/")
    expect(page.get_by_text("страница 1 из 2")).to_be_visible()
    shot(page, "pupil-list")

    page.get_by_test_id("pupil-search").fill("Снегирёва")
    page.get_by_test_id("pupil-search").press("Enter")
    rows = page.get_by_test_id("pupil-table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Снегирёва Алиса Олеговна")
    expect(page.get_by_text("страница 1 из 2")).to_have_count(0)
    shot(page, "search-result")

    rows.first.get_by_role("link", name="Снегирёва Алиса Олеговна").click()
    expect(page).to_have_url(f"{live_server.url}/schools/sch660001/pupils/{pupil.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Снегирёва Алиса Олеговна")
    shot(page, "pupil-card")


def test_department_specialist_reaches_the_school_but_no_pupil_name(
    transactional_db, live_server, page, shot, log_in, department_user, school, other_school, pupil, crowded_4a
):
    pages_seen: dict[str, str] = {}

    log_in(page, "uo")
    expect(page).to_have_url(f"{live_server.url}/reports/overview/")
    schools = page.get_by_test_id("overview-schools")
    expect(schools).to_contain_text("СШ №1")
    expect(schools).to_contain_text("СШ №2")
    pages_seen["overview"] = page.content()
    shot(page, "overview")

    page.get_by_role("navigation").get_by_role("link", name="Школы").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Школы")
    pages_seen["school list"] = page.content()
    shot(page, "school-list")

    page.get_by_role("link", name="СШ №1", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("СШ №1")
    expect(page.get_by_role("link", name="Обучающиеся")).to_have_count(0)
    expect(page.locator("a[href*='/pupils/']")).to_have_count(0)
    pages_seen["school card"] = page.content()
    shot(page, "school-card")

    page.get_by_role("link", name="Классы", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Классы")
    pages_seen["class list"] = page.content()
    shot(page, "class-list")

    for step, url in [
        ("pupil-list", "/schools/sch660001/pupils/"),
        ("pupil-card", f"/schools/sch660001/pupils/{pupil.pk}/"),
    ]:
        response = page.goto(url)
        assert response.status == 403, url
        expect(page.get_by_role("heading", level=1)).to_have_text("403")
        expect(page.get_by_text("Доступ запрещён: эта страница не для вашей роли.")).to_be_visible()
        pages_seen[url] = page.content()
        shot(page, f"forbidden-{step}")

    assert [name for name, html in pages_seen.items() if "Снегирёва" in html] == []
