"""Log-in failures: a Russian error for a wrong password, a lock after five of them (django-axes)."""

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

WRONG_PASSWORD = "not-the-password"


def test_wrong_password_is_refused_in_russian(transactional_db, live_server, page, shot, log_in, coordinator):
    log_in(page, "coord", WRONG_PASSWORD)

    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.locator(".alert-danger")).to_contain_text("Пожалуйста, введите правильные имя пользователя и пароль")
    expect(page.get_by_test_id("user-menu")).to_have_count(0)
    shot(page, "wrong-password")


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(
    transactional_db, live_server, page, shot, log_in, coordinator
):
    for attempt in range(1, 5):
        log_in(page, "coord", WRONG_PASSWORD)
        expect(page.locator(".alert-danger")).to_be_visible()
        expect(page.get_by_text("заблокирован")).to_have_count(0)
        shot(page, f"wrong-password-{attempt}")

    log_in(page, "coord", WRONG_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("заблокирован")
    shot(page, "locked")

    log_in(page, "coord", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("заблокирован")
    expect(page.get_by_test_id("user-menu")).to_have_count(0)
    shot(page, "right-password-still-locked")

    page.goto("/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
