"""The signed-in user and their memberships read from a short copy in the cache (schools/accounts_cache.py,
schools.backends.AccountBackend): a repeated request takes no user or membership query, and every change of the
account, its memberships or their school or department shows on the very next request — a deactivated account
is signed out, a withdrawn role opens nothing, a new password ends the other sessions; with the cache down the
database answers.

The copy is stored only outside a transaction, so these tests run with transactions of their own."""

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from schools import accounts_cache
from schools.models import Membership, Role
from tests.factories import add_role, make_campaign, user_with_role
from tests.grading.test_results_cache import BROKEN_CACHE

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    accounts_cache._paused_until = 0.0
    yield
    cache.clear()
    accounts_cache._paused_until = 0.0


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def account_queries(client: Client, url: str) -> tuple[int, int]:
    """The request's status and how many of its queries read the user or their memberships."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    read = sum(1 for q in queries if 'FROM "schools_user"' in q["sql"] or 'FROM "schools_membership"' in q["sql"])
    return response.status_code, read


@pytest.fixture
def staff(department):
    return user_with_role(Role.DEPARTMENT_STAFF, department=department)


@pytest.fixture
def url(department) -> str:
    """A page only the department's people open (a campaign's results)."""
    return reverse("reports:municipal_results", kwargs={"campaign_code": make_campaign(department).code})


def test_a_repeated_request_reads_no_user_or_membership(staff, url):
    client = signed_in(staff)
    assert account_queries(client, url) == (200, 2)  # read and kept
    assert account_queries(client, url) == (200, 0)
    assert account_queries(client, url) == (200, 0)


def test_a_withdrawn_role_opens_nothing_on_the_next_request(staff, url):
    client = signed_in(staff)
    assert account_queries(client, url) == (200, 2)
    Membership.objects.filter(user=staff).get().delete()
    status, read = account_queries(client, url)
    assert status in (403, 404) and read == 2


def test_a_deactivated_membership_shows_at_once(staff, url):
    client = signed_in(staff)
    client.get(url)
    membership = Membership.objects.get(user=staff)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    assert client.get(url).status_code in (403, 404)


def test_a_new_role_shows_at_once(department, url):
    user = user_with_role(Role.OBSERVER, department=department)
    client = signed_in(user)
    client.get(reverse("schools:notification_list"))
    add_role(user, Role.DEPARTMENT_STAFF, department=department)
    assert client.get(url).status_code == 200


def test_a_deactivated_account_is_signed_out(staff, url):
    client = signed_in(staff)
    assert client.get(url).status_code == 200
    staff.is_active = False
    staff.save(update_fields=["is_active"])
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_new_password_ends_the_other_sessions(staff, url):
    client = signed_in(staff)
    assert client.get(url).status_code == 200
    staff.set_password("another-Secret-2026")
    staff.save()
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_school_renamed_shows_in_the_navbar_at_once(school):
    coordinator = user_with_role(Role.SCHOOL_COORDINATOR, school=school)
    client = signed_in(coordinator)
    page = reverse("schools:notification_list")
    client.get(page)
    school.short_name = "Лицей «Переименованный»"
    school.save()
    assert "Лицей «Переименованный»" in client.get(page).content.decode()


def test_a_copy_is_not_stored_inside_a_transaction(staff, url):
    client = signed_in(staff)
    with transaction.atomic():
        assert account_queries(client, url) == (200, 2)
    assert account_queries(client, url) == (200, 2)  # the first request outside stores it
    assert account_queries(client, url) == (200, 0)


def test_a_copy_lives_a_few_seconds_at_most(staff, url, settings):
    settings.SESSION_CACHE_SECONDS = 0  # no copy kept
    client = signed_in(staff)
    assert account_queries(client, url) == (200, 2)
    assert account_queries(client, url) == (200, 2)


def test_with_the_cache_down_the_database_answers(staff, url):
    client = signed_in(staff)
    with override_settings(CACHES=BROKEN_CACHE):
        assert account_queries(client, url) == (200, 2)
        assert account_queries(client, url) == (200, 2)
        assert accounts_cache._paused_until > 0
