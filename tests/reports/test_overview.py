"""The department's overview: totals counted by the database, the schools 50 a page by code, searched by code or
name, each page's counts for its own schools only."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.overview import municipality_overview
from schools.models import current_academic_year
from tests.factories import PupilFactory, SchoolClassFactory, SchoolFactory

URL = reverse("reports:overview")


@pytest.mark.django_db
def test_the_overview_counts_only_this_years_classes_and_studying_pupils(school, department_user):
    this_year = SchoolClassFactory(school=school, grade=5, letter="А")
    SchoolClassFactory(school=school, grade=4, letter="А", academic_year=current_academic_year() - 1)
    PupilFactory(school=school, school_class=this_year)
    PupilFactory(school=school, school_class=this_year, is_active=False)
    overview = municipality_overview(department_user)
    row = next(s for s in overview["page_obj"] if s.pk == school.pk)
    assert (row.class_count, row.pupil_count) == (1, 1)
    assert (overview["class_total"], overview["pupil_total"]) == (1, 1)


def _many_schools(department, n: int) -> None:
    # created out of code order: the page must sort them (R15: by code, never by anything else)
    for i in reversed(range(n)):
        SchoolFactory(department=department, code=f"sch7{i:05d}", short_name=f"Школа {i}")


@pytest.mark.django_db
def test_the_overview_lists_the_schools_50_a_page_by_code_with_the_totals_of_all(
    client, department, department_user, school, other_school
):
    _many_schools(department, 60)
    pupil_school = SchoolFactory(department=department, code="sch799999", short_name="Последняя")
    PupilFactory(school=pupil_school, school_class=SchoolClassFactory(school=pupil_school, grade=5, letter="Б"))
    client.force_login(department_user)

    first = client.get(URL)
    codes = [s.code for s in first.context["page_obj"]]
    assert len(codes) == settings.PAGE_SIZE == 50
    assert codes == sorted(codes) and codes[0] == "sch660001"
    assert first.context["school_total"] == 63 and first.context["pupil_total"] == 1
    assert "sch799999" not in first.content.decode()

    last = client.get(URL, {"page": 2})
    rows = list(last.context["page_obj"])
    assert [s.code for s in rows][-1] == "sch799999" and len(rows) == 13
    assert (rows[-1].class_count, rows[-1].pupil_count) == (1, 1)


@pytest.mark.django_db
def test_the_overview_searches_schools_by_code_or_name(client, department, department_user, school, other_school):
    _many_schools(department, 3)
    client.force_login(department_user)
    by_code = client.get(URL, {"q": "SCH70000"})
    assert [s.code for s in by_code.context["page_obj"]] == ["sch700000", "sch700001", "sch700002"]
    by_name = client.get(URL, {"q": "сш №2"})
    assert [s.code for s in by_name.context["page_obj"]] == ["sch660002"]
    assert by_name.context["school_total"] == 5  # the totals stay the municipality's
    assert "Таких школ нет" in client.get(URL, {"q": "нет такой"}).content.decode()


@pytest.mark.django_db
def test_the_overviews_queries_do_not_grow_with_the_schools(client, department, department_user, school):
    client.force_login(department_user)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    _many_schools(department, 70)
    with CaptureQueriesContext(connection) as many:
        assert client.get(URL).status_code == 200
    assert len(many) == len(few)
