"""The base cost of every signed-in request: the navbar's unread notices count is kept in the cache per user
(schools/notification_counts.py) and is exact — a notice sent or the notices read shows at once in the bell, of
that user only; a cached page's repeated request takes no notices query; with the cache down the count is read
from the database.

The cache stores only outside a transaction, so these tests run with transactions of their own."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grading import cache as results_cache
from schools import notification_counts
from schools.models import Role
from schools.services import notifications_send
from tests.factories import add_role, make_assessment, make_campaign, user_with_role
from tests.grading.test_results_cache import BROKEN_CACHE
from tests.test_page_cache import signed_in
from vpr_portal import sessions


@pytest.fixture(autouse=True)
def _empty_cache():
    """An empty cache and no pause after an earlier test's broken cache (each helper pauses on its own)."""
    cache.clear()
    results_cache._paused_until = notification_counts._paused_until = sessions._paused_until = 0.0
    yield
    cache.clear()
    results_cache._paused_until = notification_counts._paused_until = sessions._paused_until = 0.0


@pytest.fixture
def url(department) -> str:
    """A cached page of the department's (the campaign's results)."""
    assessment = make_assessment(make_campaign(department))
    return reverse("reports:municipal_results", kwargs={"campaign_code": assessment.campaign.code})


def bell(client, url) -> tuple[int, list[str]]:
    """The unread count the navbar shows, and the SQL of the request."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    nav = body[body.index('data-testid="notifications"') :]
    nav = nav[: nav.index("</a>")]
    found = re.search(r'<span class="badge text-bg-warning">(\d+)</span>', nav)
    return (int(found.group(1)) if found else 0), [each["sql"] for each in queries.captured_queries]


def notice_queries(sql: list[str]) -> int:
    return sum(1 for each in sql if "schools_notification" in each)


@pytest.mark.django_db(transaction=True)
def test_a_cached_page_hit_reads_no_notices_and_few_queries(url, department_user):
    client = signed_in(department_user)
    bell(client, url)
    count, sql = bell(client, url)
    assert count == 0 and notice_queries(sql) == 0
    # the user and their memberships, the campaign, its assessments and their results stamps: nothing more
    assert len(sql) <= 5, sql


@pytest.mark.django_db(transaction=True)
def test_a_notice_sent_or_read_shows_at_once_for_that_user_only(url, department, department_user):
    client = signed_in(department_user)
    colleague = user_with_role(Role.DEPARTMENT_STAFF, department=department, username="colleague")
    other = signed_in(colleague)
    assert bell(client, url)[0] == 0 and bell(other, url)[0] == 0
    notifications_send(users=[department_user], text="Первое", key="t:1")
    assert bell(client, url)[0] == 1
    assert bell(other, url)[0] == 0
    notifications_send(users=[department_user], text="Первое ещё раз", key="t:1")  # once per key: still one
    notifications_send(users=[department_user, colleague], text="Второе", key="t:2")
    assert bell(client, url)[0] == 2 and bell(other, url)[0] == 1
    assert client.post(reverse("schools:notification_list")).status_code == 302
    assert bell(client, url)[0] == 0 and bell(other, url)[0] == 1


@pytest.mark.django_db(transaction=True)
def test_a_flushed_cache_never_brings_back_an_old_count(url, department_user):
    client = signed_in(department_user)
    bell(client, url)
    cache.clear()
    notifications_send(users=[department_user], text="После очистки", key="t:3")
    assert bell(client, url)[0] == 1


@pytest.mark.django_db(transaction=True)
def test_with_the_cache_down_the_count_is_read_from_the_database(url, department_user):
    notifications_send(users=[department_user], text="Без кэша", key="t:4")
    with override_settings(CACHES=BROKEN_CACHE):
        client = signed_in(department_user)
        count, sql = bell(client, url)
    assert count == 1 and notice_queries(sql) >= 1


@pytest.mark.django_db
def test_the_navbar_follows_the_users_memberships_and_their_schools_at_once(school):
    coordinator = user_with_role(Role.SCHOOL_COORDINATOR, school=school, username="coordinator")
    client = signed_in(coordinator)
    page = reverse("schools:notification_list")

    def nav() -> str:
        body = client.get(page).content.decode()
        return body[body.index('data-testid="main-nav"') : body.index('data-testid="notifications"')]

    assert school.short_name in nav() and "Работы на проверку" not in nav()
    school.short_name = "Школа с новым именем"
    school.save(update_fields=["short_name"])
    assert "Школа с новым именем" in nav()
    add_role(coordinator, Role.EXPERT, school=school)
    assert "Работы на проверку" in nav()


@pytest.mark.django_db(transaction=True)
def test_a_kept_navbar_carries_each_requests_own_token_and_log_out_works(url, department, department_user):
    """The navbar is rendered once for what it shows; its log-out form's CSRF token is each request's own."""
    colleague = user_with_role(Role.DEPARTMENT_STAFF, department=department, username="colleague", last_name="Синицына")
    clients = []
    for user in (department_user, colleague):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        clients.append(client)
    bodies = [client.get(url).content.decode() for client in clients * 2]
    tokens = [re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', body) for body in bodies]
    assert all(len(found) == 1 for found in tokens) and len({found[0] for found in tokens}) == 4
    assert "Синицына" in bodies[1] and "Синицына" not in bodies[2]
    response = clients[1].post(reverse("logout"), {"csrfmiddlewaretoken": tokens[3][0]})
    assert response.status_code == 302
    assert clients[1].get(url).status_code == 302  # logged out: back to the log-in page
