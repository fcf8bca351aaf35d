"""The department's list of a campaign's signals (monitoring/views_cases.py CampaignSignalsView) served from the
page cache (grading/page_cache.py): a repeated request is answered from the cache with the same page, and every
change of what the page shows shows at once — a case asked, answered, closed; a new check (a vanished signal, a
new case); a violation reported; a school renamed; the campaign renamed; another page or assessment filter.

The cache stores only outside a transaction, so these tests run with transactions of their own."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from grading import cache as results_cache
from monitoring.cases import case_answer, case_ask, case_conclude, cases_open
from monitoring.models import SignalCase, ThresholdVersion
from monitoring.violations import violation_record
from schools import notification_counts
from schools.models import Role
from tests.factories import make_assessment, make_campaign, make_sitting
from tests.monitoring.test_signals import bunched, plant, totals
from tests.test_page_cache import cached_pages, get, page

# The key's logic is what these tests read (they count the stored pages), whatever backend the run has: an
# in-process cache here, in the SQLite and the PostgreSQL + Redis runs alike.
IN_PROCESS_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "page-cache-tests"}
}


@pytest.fixture(autouse=True)
def _empty_cache(settings):
    settings.CACHES = IN_PROCESS_CACHE
    cache.clear()
    results_cache._paused_until = notification_counts._paused_until = 0.0
    yield
    cache.clear()
    results_cache._paused_until = notification_counts._paused_until = 0.0


@pytest.fixture
def bunching(department, school, other_school):
    """RU-4: sch660001 bunched at the boundary of «3» (a case opened), sch660002 plain."""
    assessment = make_assessment(make_campaign(department))
    plant(assessment, school, totals(assessment, bunched(10, 10, 0)))
    plant(assessment, other_school, totals(assessment, [12] * 20))
    cases_open(assessment=assessment)
    return assessment


@pytest.fixture
def uo_client(role_users) -> Client:
    client = Client()
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    return client


def signals_url(of, **query) -> str:
    url = reverse("monitoring:campaign_signals", kwargs={"campaign_code": of.campaign.code})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def the_case(assessment, school) -> SignalCase:
    return SignalCase.objects.get(assessment=assessment, school=school, kind="boundary_bunching")


def row(body: str, school) -> str:
    start = body.index(f'<tr data-school="{school.code}"')
    return body[start : body.index("</tr>", start)]


@pytest.mark.django_db(transaction=True)
def test_a_repeated_request_is_answered_from_the_cache_with_the_same_page(bunching, school, uo_client):
    url = signals_url(bunching)
    first, first_queries = get(uo_client, url)
    assert cached_pages() == 1 and 'data-status="open"' in row(first, school)
    again, again_queries = get(uo_client, url)
    assert again_queries < first_queries and cached_pages() == 1
    assert page(uo_client, url) == page(uo_client, url)
    assert 'name="csrfmiddlewaretoken" value="page-shell' not in again  # the request's own token in the form


@pytest.mark.django_db(transaction=True)
def test_a_case_asked_answered_and_closed_shows_at_once(bunching, school, role_users, uo_client):
    url = signals_url(bunching)
    uo, coord = role_users[Role.DEPARTMENT_STAFF], role_users[Role.SCHOOL_COORDINATOR]
    get(uo_client, url)
    case_ask(case=the_case(bunching, school), text="Почему у границы «3» так много работ?", actor=uo)
    assert 'data-status="asked"' in row(get(uo_client, url)[0], school)
    case_answer(case=the_case(bunching, school), text="Проверили, критерии применялись верно.", actor=coord)
    assert 'data-status="answered"' in row(get(uo_client, url)[0], school)
    case_conclude(case=the_case(bunching, school), conclusion="not_confirmed", measures="Наблюдение.", actor=uo)
    closed = row(get(uo_client, url)[0], school)
    assert 'data-status="closed"' in closed


@pytest.mark.django_db(transaction=True)
def test_a_new_check_shows_at_once(bunching, school, department, uo_client):
    url = signals_url(bunching)
    assert 'data-school="sch660001"' in get(uo_client, url)[0]
    # thresholds under which the bunching is no longer a signal: the case stays, its signal is gone from the list
    ThresholdVersion.objects.create(department=department, number=1, values={"bunching_p": 0.0005}, reason="тест")
    cases_open(assessment=bunching)
    assert not the_case(bunching, school).signal_present
    assert 'data-school="sch660001"' not in get(uo_client, url)[0]


@pytest.mark.django_db(transaction=True)
def test_a_violation_reported_shows_at_once_in_the_count(bunching, school, role_users, uo_client):
    url = signals_url(bunching)
    assert '<td data-testid="violation-count">0</td>' in row(get(uo_client, url)[0], school)
    sitting = make_sitting(bunching, school)
    uo = role_users[Role.DEPARTMENT_STAFF]
    violation_record(sitting=sitting, kind="devices", details="Телефон у участника.", actor=uo)
    assert ">1</a></td>" in row(get(uo_client, url)[0], school)


@pytest.mark.django_db(transaction=True)
def test_a_rename_of_the_school_or_the_campaign_shows_at_once(bunching, school, uo_client):
    url = signals_url(bunching)
    get(uo_client, url)
    school.short_name = "Переименованная школа"
    school.save(update_fields=["short_name"])
    assert "Переименованная школа" in row(get(uo_client, url)[0], school)
    campaign = bunching.campaign
    campaign.title = "Переименованная кампания"
    campaign.save(update_fields=["title"])
    assert "Переименованная кампания" in get(uo_client, url)[0]


@pytest.mark.django_db(transaction=True)
def test_the_filter_and_the_page_are_parts_of_the_key_and_a_bad_page_is_404(bunching, school, uo_client):
    assert 'data-school="sch660001"' in get(uo_client, signals_url(bunching))[0]
    assert 'data-school="sch660001"' not in get(uo_client, signals_url(bunching, assessment="NONE"))[0]
    assert cached_pages() == 2
    assert uo_client.get(signals_url(bunching, page="7")).status_code == 404
    assert uo_client.get(signals_url(bunching, page="x")).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_school_person_never_reaches_the_page_and_nothing_is_cached_for_them(bunching, role_users):
    client = Client()
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    assert client.get(signals_url(bunching)).status_code in (403, 404)
    assert cached_pages() == 0


@pytest.mark.django_db
def test_the_lists_codes_and_check_time_are_read_in_one_query(department, django_assert_num_queries):
    """The signals list's key reads its assessment codes and the time of the oldest check in one query (an
    assessment never checked does not count)."""
    import datetime

    from monitoring.models import SignalCheck
    from monitoring.selectors import assessments_checked

    campaign = make_campaign(department)
    math, russian, _never = (make_assessment(campaign, code=code) for code in ("MA-4", "RU-4", "OK-4"))
    early = datetime.datetime(2026, 4, 20, 9, 0, tzinfo=datetime.UTC)
    SignalCheck.objects.create(assessment=russian, checked_at=early + datetime.timedelta(hours=3))
    SignalCheck.objects.create(assessment=math, checked_at=early)
    with django_assert_num_queries(1):
        codes, checked = assessments_checked(campaign)
    assert codes == ["MA-4", "OK-4", "RU-4"]
    assert checked == early
    SignalCheck.objects.all().delete()
    assert assessments_checked(campaign) == (["MA-4", "OK-4", "RU-4"], None)
