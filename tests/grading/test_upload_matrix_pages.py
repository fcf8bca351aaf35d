"""The department's upload matrix at region scale: fifty schools a page (the late first, the same standing by
code, R15), a search by a school's code or name, the status filter kept across pages, counts over every school
the search keeps, and the same number of queries on any page and for any number of schools."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grading.selectors.uploads import MATRIX_PAGE_SIZE, UploadState, upload_matrix
from schools.models import Role
from tests.factories import SchoolClassFactory, SchoolFactory, user_with_role
from tests.grading.test_uploads import BEFORE, works


@pytest.fixture
def municipal(department):
    return user_with_role(Role.MUNICIPAL_COORDINATOR, department=department, username="mun-matrix")


def schools_writing(department, total: int, *, start: int = 0):
    """`total` schools (codes sch7700NN) with a fourth grade that writes the campaign's assessments."""
    schools = []
    for number in range(start, start + total):
        school = SchoolFactory(
            department=department, code=f"sch77{number:04d}", short_name=f"Школа №{number}", name=f"Школа №{number}"
        )
        SchoolClassFactory(school=school, grade=4, letter="А")
        schools.append(school)
    return schools


def rows_on(page: str) -> list[str]:
    return [part.split('"')[0] for part in page.split('data-testid="school-')[1:]]


@pytest.mark.django_db
def test_the_matrix_shows_fifty_schools_a_page_by_code_and_counts_every_school(
    client, campaign, assessment, department, municipal
):
    schools = schools_writing(department, MATRIX_PAGE_SIZE + 5)
    client.force_login(municipal)
    url = reverse("grading:uploads", args=[campaign.code])

    first = client.get(url).content.decode()
    second = client.get(url, {"page": "2"}).content.decode()

    codes = [school.code for school in schools]
    assert rows_on(first) == codes[:MATRIX_PAGE_SIZE], "the same standing (all overdue): by code"
    assert rows_on(second) == codes[MATRIX_PAGE_SIZE:]
    assert f'data-testid="count-overdue" data-count="{len(schools)}"' in first, "counts cover every page"
    assert "Школы 51–55 из 55" in second
    assert "page=2" in first and "page=1" in second
    # a page out of range shows the last one rather than failing
    assert rows_on(client.get(url, {"page": "99"}).content.decode()) == codes[MATRIX_PAGE_SIZE:]


@pytest.mark.django_db
def test_the_matrix_puts_the_late_first_across_pages(campaign, assessment, department):
    schools = schools_writing(department, 5)
    campaign.upload_deadline = BEFORE.replace(year=2099)
    campaign.save(update_fields=["upload_deadline"])
    # the last school by code has begun grading: it is less late than those not started
    works(assessment, schools[-1].classes.get(), "part")
    works(assessment, schools[0].classes.get(), "done", start=20)

    page_one = upload_matrix(campaign=campaign, per_page=2, page=1)
    page_three = upload_matrix(campaign=campaign, per_page=2, page=3)

    assert [row.school for row in page_one.rows] == schools[1:3]
    assert [row.school for row in page_three.rows] == [schools[0]], "the form ready: least late, last"
    assert page_one.page.paginator.num_pages == 3
    assert {s: n for s, _l, n in page_one.counts}[UploadState.NOT_STARTED] == 3


@pytest.mark.django_db
def test_the_matrix_finds_schools_by_code_or_a_part_of_the_name(client, campaign, assessment, department, municipal):
    schools_writing(department, 3)
    lyceum = SchoolFactory(department=department, code="sch779999", short_name="Лицей «Ёлочка»", name="Лицей «Ёлочка»")
    SchoolClassFactory(school=lyceum, grade=4, letter="А")
    client.force_login(municipal)
    url = reverse("grading:uploads", args=[campaign.code])

    by_name = client.get(url, {"q": "елочк"}).content.decode()
    by_code = client.get(url, {"q": "SCH770001"}).content.decode()

    assert rows_on(by_name) == ["sch779999"]
    assert 'data-testid="count-overdue" data-count="1"' in by_name, "counts over the schools found"
    assert rows_on(by_code) == ["sch770001"]
    assert 'value="SCH770001"' in by_code
    status_link = f"?status={UploadState.OVERDUE}&amp;q=%D0%B5%D0%BB%D0%BE%D1%87%D0%BA"
    assert status_link in by_name, "the status buttons keep the search"
    assert rows_on(client.get(url, {"q": "нет такой школы"}).content.decode()) == []


@pytest.mark.django_db
def test_every_page_of_the_matrix_reads_the_same_number_of_queries(client, campaign, assessment, department, municipal):
    client.force_login(municipal)
    url = reverse("grading:uploads", args=[campaign.code])
    counts = []
    for total, page in ((3, "1"), (MATRIX_PAGE_SIZE + 3, "1"), (MATRIX_PAGE_SIZE + 3, "2")):
        schools_writing(department, total - department.schools.count(), start=department.schools.count())
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"page": page})
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2], counts
