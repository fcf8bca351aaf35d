"""The rows a department's request resolves from its URL — campaign, assessment, school — kept per process while
the catalogue is unchanged (vpr_portal/catalogue.py): a repeated request reads none of them; a rename, a campaign
or school changed or deleted shows on the very next request; a row found for one department is never served to
another; a code not found is looked up again (a campaign created in bulk is found at once); nothing is kept inside
a transaction; with the cache down the database answers.

A row is kept only outside a transaction, so these tests run with transactions of their own."""

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from procedures.models import Campaign
from schools.models import Role
from tests.factories import DepartmentFactory, make_assessment, make_campaign, user_with_role
from tests.grading.test_results_cache import BROKEN_CACHE
from vpr_portal import catalogue

pytestmark = pytest.mark.django_db(transaction=True)

LOOKUPS = ('"procedures_campaign"', '"procedures_assessment"', '"schools_school"')


@pytest.fixture(autouse=True)
def _empty():
    cache.clear()
    catalogue.forget()
    catalogue._paused_until = 0.0
    yield
    cache.clear()
    catalogue.forget()
    catalogue._paused_until = 0.0


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def lookups(client: Client, url: str) -> tuple[int, int, str]:
    """The status, how many of the request's queries read a campaign, an assessment or a school by itself (not as
    a join of another table's query), and the body."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    read = sum(1 for q in queries if _main_table(q["sql"]) in LOOKUPS)
    return response.status_code, read, response.content.decode()


def _main_table(sql: str) -> str:
    """The table a query reads rows of: the first after FROM (its joins and subqueries aside)."""
    return sql.split(" FROM ", 1)[1].split(" ", 1)[0] if " FROM " in sql else ""


@pytest.fixture
def staff(department):
    return user_with_role(Role.DEPARTMENT_STAFF, department=department)


@pytest.fixture
def assessment(department):
    return make_assessment(make_campaign(department), code="RU-4")


def school_page(assessment, school) -> str:
    kwargs = {"campaign_code": assessment.campaign.code, "school_code": school.code, "assessment_code": "RU-4"}
    return reverse("grading:results_figures", kwargs=kwargs)


def funnel(assessment) -> str:
    kwargs = {"campaign_code": assessment.campaign.code, "assessment_code": assessment.code}
    return reverse("reports:municipal_funnel", kwargs=kwargs)


def test_a_repeated_request_reads_no_campaign_school_or_assessment(staff, assessment, school):
    client = signed_in(staff)
    status, first, _body = lookups(client, school_page(assessment, school))
    assert status == 200 and first >= 3  # the school, the campaign, the assessment
    assert lookups(client, school_page(assessment, school))[:2] == (200, 0)


def test_a_renamed_campaign_and_school_show_on_the_next_request(staff, assessment, school):
    client = signed_in(staff)
    url = school_page(assessment, school)
    client.get(url)
    campaign = assessment.campaign
    campaign.title = "ВПР весны, переименованная"
    campaign.save()
    school.short_name = "Лицей «Новое имя»"
    school.save()
    _status, read, body = lookups(client, url)
    assert read >= 2 and "ВПР весны, переименованная" in body and "Лицей «Новое имя»" in body


def test_a_deleted_assessment_is_404_on_the_next_request(staff, assessment):
    client = signed_in(staff)
    assert client.get(funnel(assessment)).status_code == 200
    url = funnel(assessment)
    assessment.delete()
    assert client.get(url).status_code == 404


def test_a_row_found_for_one_department_is_never_served_to_another(assessment):
    first = user_with_role(Role.DEPARTMENT_STAFF, department=assessment.campaign.department)
    other_department = DepartmentFactory(code="uo-other", name="Управление образования другого округа")
    other = user_with_role(Role.DEPARTMENT_STAFF, department=other_department)
    url = funnel(assessment)
    assert signed_in(first).get(url).status_code == 200
    assert signed_in(other).get(url).status_code == 404


def test_a_code_not_found_is_looked_up_again(staff, department):
    client = signed_in(staff)
    url = reverse("reports:municipal_results", kwargs={"campaign_code": "VPR-2031"})
    assert client.get(url).status_code == 404
    template = make_campaign(department, code="VPR-2030")
    Campaign.objects.bulk_create([Campaign(**{**_fields(template), "code": "VPR-2031"})])  # no signal
    assert client.get(url).status_code == 200


def _fields(campaign: Campaign) -> dict:
    return {f.attname: getattr(campaign, f.attname) for f in Campaign._meta.concrete_fields if not f.primary_key}


def test_nothing_is_kept_inside_a_transaction(staff, assessment):
    client = signed_in(staff)
    url = funnel(assessment)
    with transaction.atomic():
        assert lookups(client, url)[1] >= 2
    assert lookups(client, url)[1] >= 2  # the first request outside keeps them
    assert lookups(client, url)[1] == 0


def test_a_kept_row_lives_a_few_seconds_at_most(staff, assessment, monkeypatch):
    monkeypatch.setattr(catalogue, "KEPT_SECONDS", 0.0)
    client = signed_in(staff)
    url = funnel(assessment)
    client.get(url)
    assert lookups(client, url)[1] >= 2


def test_with_the_cache_down_the_database_answers(staff, assessment):
    client = signed_in(staff)
    url = funnel(assessment)
    with override_settings(CACHES=BROKEN_CACHE):
        assert lookups(client, url)[:2] == (200, 2)
        assert lookups(client, url)[:2] == (200, 2)
        assert catalogue._paused_until > 0
