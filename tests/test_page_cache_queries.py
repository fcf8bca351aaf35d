"""What a cached department page costs per request: a fixed, small number of queries that does not grow with the
municipality's schools; the campaign's scoped query built once per department scope (procedures.selectors.
campaigns.department_scope) and still read afresh on every request, so that a new campaign, a draft or a rename
is seen at once; the results stamps read with the assessments, as grading.cache.stamps reads them, so that an
import still shows at once.

The cache stores only outside a transaction, so the page tests run with transactions of their own."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grading import cache as results_cache
from grading.cache import stamp_version
from grading.models import ResultsStamp
from grading.services.results import results_import
from procedures import access as procedures_access
from procedures.models import Campaign
from procedures.selectors import campaigns as campaign_selectors
from procedures.selectors.campaigns import campaigns_visible_to, department_scope
from schools.access import Capability
from schools.models import Role
from tests.factories import DepartmentFactory, SchoolFactory, add_role, make_assessment, make_campaign, user_with_role
from tests.grading.test_results_cache import form
from tests.grading.test_summaries import writers
from tests.test_page_cache import IN_PROCESS_CACHE, signed_in, urls

# The queries of a cached page: what the page's key reads (the assessments with their stamps; the stamp of the
# URL's assessment; the thresholds and the earlier assessments its signals compare with, with their stamps; the
# management decisions beside the results on the assessment's and the school's pages: their version, one). The
# user and their memberships come from their copy in the cache (schools/accounts_cache.py), the campaign, school
# and assessment of the URL from the rows kept while the catalogue is unchanged (vpr_portal/catalogue.py).
MOST_QUERIES = {
    "reports:municipal_results": 1,
    "reports:municipal_funnel": 1,
    "reports:municipal_assessment": 4,
    "grading:results_figures": 2,
    "grading:results_class": 1,
}


@pytest.fixture(autouse=True)
def _empty_caches(settings):
    settings.CACHES = IN_PROCESS_CACHE
    cache.clear()
    results_cache._paused_until = 0.0
    campaign_selectors._department_queries.clear()
    procedures_access._department_queries.clear()
    yield
    cache.clear()
    results_cache._paused_until = 0.0


@pytest.fixture
def results(department, school, other_school, class_4a):
    from procedures.services.participants import codes_issue
    from tests.factories import PupilFactory

    campaign = make_campaign(department)
    assessment = make_assessment(campaign)
    PupilFactory.create_batch(12, school_class=class_4a)
    codes_issue(campaign=campaign, school=school, actor=None)
    results_import(
        assessment=assessment, school=school, form=form(assessment, writers(assessment, school), 99), actor=None
    )
    return assessment


def cached_queries(client, url) -> int:
    """The queries of a request answered from the cache (the page requested twice before)."""
    for _warm in range(2):
        assert client.get(url).status_code == 200, url
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.django_db(transaction=True)
def test_a_cached_page_takes_a_few_queries_whatever_the_schools(results, school, department, department_user):
    client = signed_in(department_user)
    pages = urls(results, school)
    before = {name: cached_queries(client, url) for name, url in pages.items()}
    for name, count in before.items():
        assert count <= MOST_QUERIES[name], before
    for index in range(20):
        SchoolFactory(department=department, code=f"sch6602{index:02d}", short_name=f"СШ №2{index:02d}")
    assert {name: cached_queries(client, url) for name, url in pages.items()} == before


@pytest.mark.django_db(transaction=True)
def test_an_import_still_shows_at_once_on_every_cached_page(results, school, department_user):
    """Each page reads its stamps with its assessments (no query of their own): a new import is a new key."""
    client = signed_in(department_user)
    pages = urls(results, school)
    first = {name: client.get(url).content for name, url in pages.items()}
    version = ResultsStamp.objects.get(assessment=results).version
    results_import(assessment=results, school=school, form=form(results, writers(results, school)[:6], 1), actor=None)
    assert ResultsStamp.objects.get(assessment=results).version > version
    for name, body in first.items():
        assert client.get(pages[name]).content != body, name


@pytest.mark.django_db
def test_the_stamp_read_with_the_assessments_is_the_one_the_cache_reads(department):
    campaign = make_campaign(department)
    written = make_assessment(campaign, code="RU-4")
    fresh = make_assessment(campaign, code="MA-4")
    ResultsStamp.objects.create(assessment=written, version=7)
    annotated = dict(campaign.assessments.annotate(v=stamp_version()).values_list("pk", "v"))
    assert annotated == results_cache.stamps([written.pk, fresh.pk]) == {written.pk: 7, fresh.pk: 0}


@pytest.mark.django_db
def test_the_campaigns_query_is_built_once_per_scope_and_reads_every_change_at_once(department, school):
    staff = user_with_role(Role.DEPARTMENT_STAFF, department=department, username="uo1")
    colleague = user_with_role(Role.DEPARTMENT_STAFF, department=department, username="uo2")
    representative = user_with_role(Role.DEPARTMENT_REPRESENTATIVE, department=department, username="rep1")
    active = make_campaign(department, code="VPR-2026")
    assert set(campaigns_visible_to(staff)) == {active}
    assert set(campaigns_visible_to(colleague)) == {active}
    assert len(campaign_selectors._department_queries) == 1  # one scope, one query built
    # a campaign created, a draft, a rename: read at once by the kept query
    draft = make_campaign(department, code="VPR-2027", status=Campaign.Status.DRAFT)
    assert set(campaigns_visible_to(staff)) == {active, draft}  # the department's editors see drafts
    assert set(campaigns_visible_to(representative)) == {active}  # readers do not
    Campaign.objects.filter(pk=active.pk).update(title="Переименованная")
    assert campaigns_visible_to(staff).get(pk=active.pk).title == "Переименованная"
    Campaign.objects.filter(pk=active.pk).update(status=Campaign.Status.DRAFT)
    assert set(campaigns_visible_to(representative)) == set()
    assert set(procedures_access.campaigns_with(staff, Capability.VIEW_OVERVIEW)) == {active, draft}


@pytest.mark.django_db
def test_scopes_never_share_the_campaigns_query(department, school):
    other = DepartmentFactory(code="uo-other", short_name="УО другого ГО")
    mine = make_campaign(department, code="VPR-2026")
    theirs = make_campaign(other, code="VPR-2026-B")
    staff = user_with_role(Role.DEPARTMENT_STAFF, department=department, username="uo1")
    stranger = user_with_role(Role.DEPARTMENT_STAFF, department=other, username="uo9")
    assert set(campaigns_visible_to(staff)) == {mine}
    assert set(campaigns_visible_to(stranger)) == {theirs}
    assert set(procedures_access.campaigns_with(staff, Capability.VIEW_OVERVIEW)) == {mine}
    assert set(procedures_access.campaigns_with(stranger, Capability.VIEW_OVERVIEW)) == {theirs}
    # a school's people are never memoized (their campaigns depend on their schools' rows): read as before
    coordinator = user_with_role(Role.SCHOOL_COORDINATOR, school=school, username="coord1")
    assert department_scope(coordinator) is None
    assert set(campaigns_visible_to(coordinator)) == {mine}
    # a department's person who also holds a school role: not a department-only scope
    add_role(staff, Role.SCHOOL_COORDINATOR, school=school)
    assert department_scope(staff) is None
    # a membership taken away changes the scope at the next request (memberships are read per request)
    assert department_scope(user_with_role(Role.MUNICIPAL_COORDINATOR, department=other, username="mun9")) == (
        (Role.MUNICIPAL_COORDINATOR, other.pk),
    )
