"""The page frame: navigation on a phone, vendored static files instead of a CDN."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_navigation_collapses_on_a_phone_and_still_leads_to_pupils(
    transactional_db, live_server, phone_page, shot, log_in, coordinator
):
    page = phone_page
    log_in(page, "coord")
    toggler = page.get_by_role("button", name="Меню")
    pupils_link = page.get_by_role("navigation").get_by_role("link", name="Обучающиеся")
    expect(toggler).to_be_visible()
    expect(pupils_link).to_be_hidden()
    shot(page, "menu-collapsed")

    toggler.click()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#mainNav")).to_have_class(re.compile(r"\bcollapse show\b"))  # the slide has ended
    expect(pupils_link).to_be_visible()
    shot(page, "menu-open")

    pupils_link.click()
    expect(page).to_have_url(f"{live_server.url}/schools/sch660001/pupils/")
    expect(page.get_by_test_id("pupil-table")).to_be_visible()
    shot(page, "pupil-list")


def test_static_files_come_from_the_portal_itself_and_bootstrap_applies(
    transactional_db, live_server, page, shot, log_in, coordinator
):
    responses = []
    page.on("response", lambda response: responses.append(response))
    log_in(page, "coord")
    page.wait_for_load_state("networkidle")
    shot(page, "start-page")

    portal_host = urlsplit(live_server.url).netloc
    assets = page.eval_on_selector_all("link[href], script[src]", "elements => elements.map(e => e.href || e.src)")
    assert assets, "the page links no stylesheets or scripts"
    assert [url for url in assets if urlsplit(url).netloc != portal_host] == []
    assert [r.url for r in responses if urlsplit(r.url).netloc != portal_host] == []
    static_responses = [r for r in responses if urlsplit(r.url).path.startswith("/static/")]
    assert {urlsplit(url).path for url in assets} <= {urlsplit(r.url).path for r in static_responses}
    assert [(r.url, r.status) for r in static_responses if r.status != 200] == []

    navbar_background = page.locator("nav.navbar").evaluate("nav => getComputedStyle(nav).backgroundColor")
    assert navbar_background not in {"rgba(0, 0, 0, 0)", "transparent"}
    assert page.evaluate("typeof window.bootstrap?.Collapse") == "function"


@pytest.mark.parametrize("width", [1366, 1200])
@pytest.mark.parametrize("who", ["uo", "coord"])
def test_a_long_menu_wraps_and_the_page_fits_a_desktop_screen(
    transactional_db, live_server, page, shot, log_in, role_users, who, width
):
    """The department's and a coordinator's menus are long: on a desktop screen they wrap onto a second row, the
    page does not scroll sideways and the notifications and the user's menu stay on screen."""
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, who)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    for testid in ("notifications", "user-menu"):
        box = page.get_by_test_id(testid).bounding_box()
        assert box is not None and box["x"] + box["width"] <= width, (testid, box)
    expect(page.get_by_role("navigation").get_by_role("link", name="Отчёты")).to_be_visible()
    shot(page, f"menu-{who}-{width}")
