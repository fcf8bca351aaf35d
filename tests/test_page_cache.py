"""The department's result pages served from a cached rendered shell (grading/page_cache.py): a repeated request
is answered from the cache with fewer queries and the same page; a results import, a thresholds change or a
rename of the URL's objects shows at once; the query string, the scope and the user's own parts (navbar, CSRF
token, messages) are never shared; a school's people and users of another department never get a cached page.

The cache stores only outside a transaction, so these tests run with transactions of their own."""

import re

import pytest
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import path
from django.views.generic import TemplateView

from grading import cache as results_cache
from grading.page_cache import CSRF_MARK, CachedPageMixin
from grading.services.results import results_import
from monitoring.models import ThresholdVersion
from monitoring.signals import DEFAULT_THRESHOLDS, thresholds_values
from procedures.services.participants import codes_issue
from schools.models import Role
from tests.bench.region import url_for
from tests.factories import (
    DepartmentFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    add_role,
    make_assessment,
    make_campaign,
    user_with_role,
)
from tests.grading.test_results_cache import BROKEN_CACHE, NO_CACHE, form
from tests.grading.test_summaries import writers
from vpr_portal import urls as portal_urls

PAGES = [
    "reports:municipal_results",
    "reports:municipal_assessment",
    "reports:municipal_funnel",
    "grading:results_figures",
    "grading:results_class",
]


# The key's logic is what these tests read (they count the stored pages), whatever backend the run has: an
# in-process cache here, in the SQLite and the PostgreSQL + Redis runs alike.
IN_PROCESS_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "page-cache-tests"}
}


@pytest.fixture(autouse=True)
def _empty_cache(settings):
    settings.CACHES = IN_PROCESS_CACHE
    cache.clear()
    results_cache._paused_until = 0.0
    yield
    cache.clear()
    results_cache._paused_until = 0.0


@pytest.fixture
def campaign(department):
    return make_campaign(department)


@pytest.fixture
def results(campaign, school, other_school, class_4a):
    """RU-4: sch660001's 4А (16) and 4Б (12) with full points but two left for the grid, sch660002's 4А (14) with
    1 point a task: sch660001 carries a high results signal under the default thresholds."""
    assessment = make_assessment(campaign)
    class_4b = SchoolClassFactory(school=school, grade=4, letter="Б")
    other_4a = SchoolClassFactory(school=other_school, grade=4, letter="А")
    for school_class, n in ((class_4a, 16), (class_4b, 12), (other_4a, 14)):
        PupilFactory.create_batch(n, school_class=school_class)
    for each in (school, other_school):
        codes_issue(campaign=campaign, school=each, actor=None)
    results_import(
        assessment=assessment, school=school, form=form(assessment, writers(assessment, school), 99, skip=2), actor=None
    )
    results_import(
        assessment=assessment,
        school=other_school,
        form=form(assessment, writers(assessment, other_school), 1),
        actor=None,
    )
    return assessment


def urls(assessment, school) -> dict[str, str]:
    values = {
        "campaign_code": assessment.campaign.code,
        "assessment_code": assessment.code,
        "school_code": school.code,
        "class_name": "4А",
    }
    return {name: url_for([name], values)[1] for name in PAGES}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def get(client, url):
    """The page's body and the queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), len(queries)


def page(client, url) -> str:
    """The page but its user parts (the log-out form's CSRF token differs on every request)."""
    return without_user_parts(get(client, url)[0])


def without_user_parts(body: str) -> str:
    """The page without the navbar's user part and the CSRF token (which differ per user and request)."""
    body = re.sub(r'<div class="collapse navbar-collapse".*?</div>\s*(?=</div>\s*</nav>)', "", body, flags=re.S)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)


def cached_pages() -> int:
    """The rendered pages in the (in-process) cache."""
    return sum(1 for key in cache._cache if key.startswith(":1:grading.cache:v1:page:"))


def school_row(body: str, code: str) -> str:
    match = re.search(rf'<tr data-school="{code}">.*?</tr>', body, flags=re.S)
    return match.group(0) if match else ""


@pytest.mark.django_db(transaction=True)
def test_a_repeated_request_is_answered_from_the_cache_with_the_same_page(results, other_school, department_user):
    client = signed_in(department_user)
    for name, url in urls(results, other_school).items():
        first, computed = get(client, url)
        again, served = get(client, url)
        assert without_user_parts(again) == without_user_parts(first), name
        assert served < computed, (name, computed, served)
        with override_settings(CACHES=NO_CACHE):
            assert page(client, url) == without_user_parts(first), name  # what the page is without any cache


@pytest.mark.django_db(transaction=True)
def test_an_import_shows_at_once_on_every_page(results, other_school, department_user):
    client = signed_in(department_user)
    pages = urls(results, other_school)
    before = {name: page(client, url) for name, url in pages.items()}
    assert cached_pages() == len(pages)
    assert before == {name: page(client, url) for name, url in pages.items()}  # now from the cache
    # the first ten of other_school's 4А now with full points
    results_import(
        assessment=results, school=other_school, form=form(results, writers(results, other_school)[:10], 99), actor=None
    )
    for name, url in pages.items():
        after = page(client, url)
        assert after != before[name], name
        with override_settings(CACHES=NO_CACHE):
            assert page(client, url) == after, name
    assessment_page = get(client, pages["reports:municipal_assessment"])[0]
    assert 'data-figure="mark-5"' in assessment_page
    assert "(36)" in re.search(r'data-figure="mark-5">.*?</td>', assessment_page, flags=re.S).group(0)


@pytest.mark.django_db(transaction=True)
def test_a_thresholds_change_shows_at_once_on_the_assessment_page(results, school, department, department_user):
    client = signed_in(department_user)
    url = urls(results, school)["reports:municipal_assessment"]
    get(client, url)
    assert 'data-signal="high_results"' in school_row(get(client, url)[0], school.code)
    assert cached_pages() == 1
    values = thresholds_values(DEFAULT_THRESHOLDS)
    ThresholdVersion.objects.create(
        department=department, number=1, values={**values, "high_results_points": 40}, reason="строже"
    )
    assert 'data-signal="high_results"' not in school_row(get(client, url)[0], school.code)
    ThresholdVersion.objects.create(
        department=department, number=2, values={**values, "high_results_points": 30}, reason="мягче"
    )
    assert 'data-signal="high_results"' in school_row(get(client, url)[0], school.code)


@pytest.mark.django_db(transaction=True)
def test_a_rename_of_the_campaign_or_the_school_shows_at_once(results, school, department_user):
    client = signed_in(department_user)
    pages = urls(results, school)
    for url in pages.values():
        get(client, url)
    assert cached_pages() == len(pages)
    results.campaign.title = "ВПР весна, исправлено"
    results.campaign.save(update_fields=["title"])
    for name in ("reports:municipal_results", "reports:municipal_assessment", "grading:results_figures"):
        assert "ВПР весна, исправлено" in get(client, pages[name])[0], name
    school.short_name = "Гимназия №1"
    school.save(update_fields=["short_name"])
    assert "Гимназия №1" in get(client, pages["grading:results_figures"])[0]


@pytest.mark.django_db(transaction=True)
def test_the_query_string_is_part_of_the_key(results, school, other_school, department_user):
    client = signed_in(department_user)
    url = urls(results, school)["reports:municipal_assessment"]
    everyone = get(client, url)[0]
    assert cached_pages() == 1
    assert school_row(everyone, school.code) and school_row(everyone, other_school.code)
    searched = get(client, url + "?q=" + other_school.code)[0]
    assert not school_row(searched, school.code) and school_row(searched, other_school.code)
    flagged = get(client, url + "?signals=1")[0]
    assert school_row(flagged, school.code) and not school_row(flagged, other_school.code)
    assert get(client, url)[0].count('data-school="') == everyone.count('data-school="')


@pytest.mark.django_db(transaction=True)
def test_each_user_gets_their_own_navbar_token_and_messages(results, school, department, department_user):
    pages = urls(results, school)
    colleague = user_with_role(Role.DEPARTMENT_STAFF, department=department, username="uo2", last_name="Синицына")
    first, second = signed_in(department_user), signed_in(colleague)
    for url in pages.values():
        mine = first.get(url).content.decode()
        theirs, served = get(second, url)
        assert "Синицына" in theirs and "Синицына" not in mine
        tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', mine + theirs)
        assert len(tokens) == 2 and tokens[0] != tokens[1]  # the log-out forms' own tokens
        assert without_user_parts(theirs) == without_user_parts(mine)
    # a message waiting for the colleague is shown to the colleague, on the cached page, once
    storage = CookieStorage(RequestFactory().get("/"))
    second.cookies[CookieStorage.cookie_name] = storage._encode([Message(constants.SUCCESS, "Сохранено для коллеги")])
    url = pages["reports:municipal_assessment"]
    assert "Сохранено для коллеги" in second.get(url).content.decode()
    assert "Сохранено для коллеги" not in second.get(url).content.decode()
    assert "Сохранено для коллеги" not in first.get(url).content.decode()


@pytest.mark.django_db(transaction=True)
def test_another_department_gets_404_and_never_the_cached_page(results, school, department_user):
    pages = urls(results, school)
    client = signed_in(department_user)
    for url in pages.values():
        get(client, url)
    assert cached_pages() == len(pages)
    elsewhere = DepartmentFactory(code="dep-other")
    stranger = signed_in(user_with_role(Role.DEPARTMENT_STAFF, department=elsewhere, username="uo-other"))
    for name, url in pages.items():
        assert stranger.get(url).status_code == 404, name


@pytest.mark.django_db(transaction=True)
def test_users_of_different_scopes_never_share_an_entry(results, school, department, department_user):
    """A colleague of the same scope is served the page the first user's request rendered; a person who holds a
    second department's role too sees a page keyed by both: its entry is their own."""
    pages = urls(results, school)
    computed = get(signed_in(department_user), pages["reports:municipal_results"])[1]
    colleague = user_with_role(Role.DEPARTMENT_STAFF, department=department, username="uo2")
    assert get(signed_in(colleague), pages["reports:municipal_results"])[1] < computed
    wider = user_with_role(Role.DEPARTMENT_STAFF, department=department, username="uo-wide")
    add_role(wider, Role.MUNICIPAL_COORDINATOR, department=SchoolFactory(code="sch990001").department)
    client = signed_in(wider)
    computed = get(client, pages["reports:municipal_results"])[1]
    served = get(client, pages["reports:municipal_results"])[1]
    assert served < computed  # its own entry, filled by its first request


@pytest.mark.django_db(transaction=True)
def test_a_school_reads_its_page_with_names_never_from_the_cache(results, school, role_users):
    director = signed_in(role_users[Role.DIRECTOR])
    url = urls(results, school)["grading:results_figures"]
    first = get(director, url)[0]
    pupil = writers(results, school)[0].pupil
    assert pupil.last_name in first  # the school reads its participants' names
    assert pupil.last_name in get(director, url)[0]
    assert not any(key.startswith(":1:grading.cache:v1:page:") for key in cache._cache)  # nothing stored


@pytest.mark.django_db(transaction=True)
def test_a_failing_cache_still_answers_the_page(results, school, department_user):
    client = signed_in(department_user)
    pages = urls(results, school)
    expected = {name: without_user_parts(get(client, url)[0]) for name, url in pages.items()}
    assert cached_pages() == len(pages)
    with override_settings(CACHES=BROKEN_CACHE):
        for name, url in pages.items():
            assert without_user_parts(get(client, url)[0]) == expected[name], name


# A page with a form: its CSRF token is the request's own ----------------------------------------------------------


class FormPage(CachedPageMixin, TemplateView):
    """A cached page holding a POST form (the password change form's template) for the test below."""

    template_name = "registration/password_change_form.html"

    def page_key(self):
        return ("form-page",)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "form": PasswordChangeForm(self.request.user)}


urlpatterns = [path("test-form-page/", FormPage.as_view(), name="test_form_page"), *portal_urls.urlpatterns]


@pytest.mark.django_db(transaction=True)
@override_settings(ROOT_URLCONF=__name__)
def test_a_form_on_a_cached_page_carries_the_requests_own_token(department, department_user):
    client = signed_in(department_user)
    first = client.get("/test-form-page/").content.decode()
    assert cached_pages() == 1
    colleague = signed_in(user_with_role(Role.DEPARTMENT_STAFF, department=department, username="uo2"))
    response = colleague.get("/test-form-page/")
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', response.content.decode())
    assert len(tokens) == 2  # the page's form and the log-out form
    assert CSRF_MARK not in response.content.decode() and CSRF_MARK not in first
    # the token is valid for the colleague: the password change is accepted as a request (not refused with 403)
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.cookies = colleague.cookies
    answer = csrf_client.post("/test-form-page/", {"csrfmiddlewaretoken": tokens[0]})
    assert answer.status_code == 405  # through the CSRF check to the view, which has no POST
    assert csrf_client.post("/test-form-page/", {"csrfmiddlewaretoken": "x" * 64}).status_code == 403
