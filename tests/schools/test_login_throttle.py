"""Failed log-ins: the lockout is per username AND address, and one address is throttled across accounts."""

import datetime

import pytest
from axes.models import AccessFailureLog
from django.urls import reverse
from django.utils import timezone

from schools.models import Role
from tests.factories import PASSWORD, user_with_role

ATTACKER = "203.0.113.66"
VICTIM = "198.51.100.7"


def log_in(client, username, password, address):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(response) -> bool:
    return response.status_code == 302 and not response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_the_victim_logs_in_from_their_own_address_after_an_attackers_five_failures(client, department_user):
    for _ in range(5):
        log_in(client, "uo", "guess", ATTACKER)
    assert "заблокирован" in log_in(client, "uo", PASSWORD, ATTACKER).content.decode()

    assert signed_in(log_in(client, "uo", PASSWORD, VICTIM))


@pytest.mark.django_db
def test_an_address_guessing_across_25_accounts_is_throttled_with_a_russian_429(client, school):
    users = [user_with_role(Role.ORGANIZER, school=school, username=f"teacher{n}") for n in range(25)]
    statuses = [log_in(client, user.username, "guess", ATTACKER).status_code for user in users for _ in range(4)]

    assert statuses[:20] == [200] * 20  # the ordinary «wrong password» form; no account was locked (4 < 5)
    assert set(statuses[20:]) == {429}
    response = log_in(client, users[0].username, PASSWORD, ATTACKER)  # even the right password
    assert response.status_code == 429 and not signed_in(response)
    html = response.content.decode()
    assert "Слишком много попыток входа с этого адреса, попробуйте через 15 мин." in html
    assert response["Retry-After"] == "900"
    # Only the first 20 failures were counted: the refused ones do not extend the wait.
    assert AccessFailureLog.objects.filter(ip_address=ATTACKER).count() == 20
    # Another address is not affected.
    assert signed_in(log_in(client, users[0].username, PASSWORD, VICTIM))


@pytest.mark.django_db
def test_the_throttle_lifts_when_the_failures_age_out(client, department_user):
    for _ in range(20):
        AccessFailureLog.objects.create(ip_address=ATTACKER, username="x", user_agent="", http_accept="", path_info="/")
    assert log_in(client, "uo", PASSWORD, ATTACKER).status_code == 429
    AccessFailureLog.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert signed_in(log_in(client, "uo", PASSWORD, ATTACKER))


@pytest.mark.django_db
def test_a_successful_log_in_from_the_right_place_works(client, department_user):
    response = log_in(client, "uo", PASSWORD, VICTIM)
    assert signed_in(response)
    assert client.get(response["Location"], follow=True).status_code == 200


@pytest.mark.django_db
def test_behind_a_proxy_the_address_comes_only_from_the_trusted_header(client, settings, department_user):
    settings.TRUSTED_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    for _ in range(5):
        client.post(
            reverse("login"),
            {"username": "uo", "password": "guess"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_REAL_IP=ATTACKER,
            HTTP_X_FORWARDED_FOR=VICTIM,  # what a client may send: ignored
        )
    assert set(AccessFailureLog.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    response = client.post(
        reverse("login"), {"username": "uo", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP=VICTIM
    )
    assert signed_in(response)
