"""Sessions in the database with a short-lived copy in the cache (vpr_portal/sessions.py): a signed-in request
reads the copy instead of the session table; a flushed or failing cache logs nobody out and log-in and log-out
still work; a log-out removes the copy."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.grading.test_results_cache import BROKEN_CACHE
from vpr_portal import sessions


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    sessions._paused_until = 0.0
    yield
    cache.clear()
    sessions._paused_until = 0.0


def session_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return sum(1 for query in queries if "django_session" in query["sql"])


def logged_in(client: Client) -> bool:
    return SESSION_KEY in client.session


@pytest.mark.django_db
def test_a_signed_in_request_reads_the_session_from_the_cache(client, department_user):
    client.force_login(department_user)
    url = reverse("schools:notification_list")
    cache.clear()
    assert session_queries(client, url) == 1  # read from the database, then kept
    assert session_queries(client, url) == 0
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_a_flushed_cache_logs_nobody_out(client, department_user):
    client.force_login(department_user)
    url = reverse("schools:notification_list")
    assert client.get(url).status_code == 200
    cache.clear()
    assert client.get(url).status_code == 200
    assert logged_in(client)


@pytest.mark.django_db
def test_a_copy_lives_a_few_seconds_at_most(client, department_user, settings):
    settings.SESSION_CACHE_SECONDS = 0  # no copy kept: every request reads the database
    client.force_login(department_user)
    url = reverse("schools:notification_list")
    assert session_queries(client, url) == 1
    assert session_queries(client, url) == 1


@pytest.mark.django_db
def test_a_log_out_removes_the_copy(department_user):
    client = Client()
    client.force_login(department_user)
    url = reverse("schools:notification_list")
    assert client.get(url).status_code == 200  # the copy is in the cache now
    old_cookie = client.cookies["sessionid"].value
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=old_cookie).exists()
    replay = Client()
    replay.cookies["sessionid"] = old_cookie
    assert replay.get(url).status_code == 302  # to the log-in page


@pytest.mark.django_db
def test_with_the_cache_down_log_in_pages_and_log_out_work(department_user):
    department_user.set_password("Пароль-для-теста-1")
    department_user.save()
    client = Client()
    url = reverse("schools:notification_list")
    with override_settings(CACHES=BROKEN_CACHE):
        response = client.post(
            reverse("login"), {"username": department_user.username, "password": "Пароль-для-теста-1"}
        )
        assert response.status_code == 302
        assert sessions._paused_until > 0  # left alone for a while after it failed
        sessions._paused_until = 0.0
        assert client.get(url).status_code == 200
        client.post(reverse("logout"))
        assert client.get(url).status_code == 302
