"""The second factor in a browser (OTP_REQUIRED on): a school coordinator enrols an authenticator from the secret
shown on the page, keeps the recovery codes and reaches the start page; at the next log-in a wrong code is
refused in Russian and a recovery code lets them in once. Once on a desktop, once on a 390 px phone."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

START_PAGE = "/procedures/schools/sch660001/checklist/"  # where "/" leads a school coordinator
VERIFY_PAGE = re.compile(r"/accounts/otp/verify/\?next=%2F$")


@pytest.fixture
def otp_required(settings):
    # The live server runs in a thread of this process and reads the same settings object.
    settings.OTP_REQUIRED = True
    # django-otp makes a device wait after a wrong code (1 s, then 2 s, …); a person typing a recovery code
    # takes longer than that, the test does not.
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def code_from_the_app(secret: str) -> str:
    """What an authenticator app shows for the key typed from the page (base32, as in the otpauth:// URL)."""
    return f"{TOTP(b32decode(secret)).token():06d}"


def a_wrong_code(secret: str) -> str:
    """Six digits accepted at no time step the portal tolerates (the current one ± 1)."""
    totp = TOTP(b32decode(secret))
    valid = set()
    for drift in (-1, 0, 1):
        totp.drift = drift
        valid.add(f"{totp.token():06d}")
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)


def log_out(page: Page) -> None:
    toggler = page.get_by_role("button", name="Меню")
    if toggler.is_visible():  # on a phone the user menu sits in the collapsed navigation
        toggler.click()
        expect(toggler).to_have_attribute("aria-expanded", "true")
        expect(page.locator("#mainNav")).to_have_class(re.compile(r"\bcollapse show\b"))  # the slide has ended
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Выйти").click()
    page.wait_for_load_state()


def fits_the_width(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_a_coordinator_enrols_then_logs_in_with_a_recovery_code_once(
    request, transactional_db, live_server, otp_required, shot, log_in, coordinator, screen
):
    page: Page = request.getfixturevalue("page" if screen == "desktop" else "phone_page")
    code_field = page.get_by_role("textbox", name="Код")

    log_in(page, "coord")
    expect(page).to_have_url(f"{live_server.url}/accounts/otp/setup/?next=%2F")
    expect(page.get_by_role("heading", level=1)).to_have_text("Подключение второго фактора")
    expect(page.get_by_test_id("otp-qr").locator("svg")).to_be_visible()
    secret = page.get_by_test_id("otp-secret").inner_text().strip()
    assert len(b32decode(secret)) == 20
    assert fits_the_width(page)
    shot(page, "1-enrol")

    page.get_by_label("Код из приложения").fill(code_from_the_app(secret))
    page.get_by_role("button", name="Подтвердить").click()
    codes = page.get_by_test_id("recovery-codes").locator("li")
    expect(codes).to_have_count(10)
    expect(page.get_by_text("Второй фактор подключён.")).to_be_visible()
    recovery_code = codes.first.inner_text().strip()
    assert fits_the_width(page)
    shot(page, "2-recovery-codes")

    page.get_by_role("link", name="Я сохранил коды, продолжить").click()
    expect(page).to_have_url(f"{live_server.url}{START_PAGE}")
    expect(page.get_by_role("heading", level=1)).to_have_text("План работ: СШ №1")
    expect(page.get_by_test_id("user-menu")).to_have_count(1)
    shot(page, "3-start-page")

    log_out(page)
    log_in(page, "coord")
    expect(page).to_have_url(VERIFY_PAGE)
    expect(page.get_by_role("heading", level=1)).to_have_text("Код подтверждения")
    shot(page, "4-asked-for-the-code")

    code_field.fill(a_wrong_code(secret))
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_text("Код не подошёл.")).to_be_visible()
    expect(page).to_have_url(VERIFY_PAGE)
    shot(page, "5-wrong-code")

    code_field.fill(recovery_code)
    page.get_by_role("button", name="Войти").click()
    expect(page).to_have_url(f"{live_server.url}{START_PAGE}")
    expect(page.get_by_text("Вход по коду восстановления: этот код больше не действует.")).to_be_visible()
    assert fits_the_width(page)
    shot(page, "6-in-with-a-recovery-code")

    log_out(page)
    log_in(page, "coord")
    code_field.fill(recovery_code)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_text("Код не подошёл.")).to_be_visible()
    expect(page).to_have_url(VERIFY_PAGE)
    page.goto(START_PAGE)
    expect(page).to_have_url(re.compile(r"/accounts/otp/verify/\?next="))
    shot(page, "7-recovery-code-spent")
