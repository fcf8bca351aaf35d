"""Browser tests: headless Debian Chromium driven by Playwright's sync API against pytest-django's live server.

Every test keeps its screenshots in test-artifacts/e2e/<test name>-<step>.png; a failing test adds
<test name>-failure.png of every page it opened.
"""

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
TIMEOUT_MS = 5_000

opened_pages = pytest.StashKey[list[Page]]()


def artifacts_dir(config: pytest.Config) -> Path:
    path = config.rootpath / "test-artifacts" / "e2e"
    path.mkdir(parents=True, exist_ok=True)
    return path


def artifact_name(item: pytest.Item, step: str) -> str:
    return f"{safe_name(item.name)}-{safe_name(step)}.png"


def safe_name(text: str) -> str:
    return re.sub(r"[^\w.-]+", "_", text)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    # Playwright's sync API keeps an asyncio loop running in this thread, so Django would take every ORM
    # call from the test (factories, the database flush between tests) for a call from async code.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()


def _open_page(request: pytest.FixtureRequest, browser: Browser, live_server, **options) -> Iterator[Page]:
    context: BrowserContext = browser.new_context(base_url=live_server.url, locale="ru-RU", **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    request.node.stash.setdefault(opened_pages, []).append(page)
    for stale in artifacts_dir(request.config).glob(f"{safe_name(request.node.name)}-*.png"):
        stale.unlink()
    yield page
    context.close()


@pytest.fixture
def page(request, transactional_db, live_server, browser) -> Iterator[Page]:
    """A desktop-sized page in a fresh browser context (no cookies from other tests)."""
    yield from _open_page(request, browser, live_server, **DESKTOP)


@pytest.fixture
def phone_page(request, transactional_db, live_server, browser) -> Iterator[Page]:
    """A phone-sized page (390×844, touch) in a fresh browser context."""
    yield from _open_page(request, browser, live_server, **PHONE)


@pytest.fixture
def shot(request) -> Callable[[Page, str], Path]:
    """shot(page, "step") keeps a screenshot of the page as test-artifacts/e2e/<test name>-<step>.png."""

    def take(page: Page, step: str) -> Path:
        path = artifacts_dir(request.config) / artifact_name(request.node, step)
        page.screenshot(path=path, full_page=True)
        return path

    return take


@pytest.fixture
def log_in() -> Callable[..., None]:
    """log_in(page, username) goes through the log-in form as a person would."""

    def fill_and_submit(page: Page, username: str, password: str = PASSWORD) -> None:
        page.goto("/accounts/login/")
        page.get_by_label("Имя пользователя").fill(username)
        page.get_by_label("Пароль").fill(password)
        page.get_by_role("button", name="Войти").click()
        page.wait_for_load_state()

    return fill_and_submit


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    for number, page in enumerate(item.stash.get(opened_pages, []), start=1):
        step = "failure" if number == 1 else f"failure-{number}"
        try:
            page.screenshot(path=artifacts_dir(item.config) / artifact_name(item, step), full_page=True)
        except Exception as error:  # a crashed page must not hide the test's own failure
            report.sections.append(("e2e screenshot", f"no failure screenshot: {error}"))
