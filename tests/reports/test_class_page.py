"""The drill-down municipality → school → class (grading:results_figures, grading:results_class): the class beside
its school and the municipality with the numbers of `results_figures`, links both ways, small classes hidden
with their complement for the department, codes only (R11), classes in class order (R15), flat queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grading.completion import completion_by_level, sum_tallies
from grading.figures import figures_by_class, tallies
from schools.models import Role
from tests.reports.drilldown_data import drilled, more_schools
from tests.reports.test_municipal_report import figures_json


@pytest.fixture
def assessment(campaign, school, other_school, pupil):
    return drilled(campaign, school, other_school, pupil)


def school_url(assessment, school) -> str:
    return reverse("grading:results_figures", args=[assessment.campaign.code, school.code, assessment.code])


def class_url(assessment, school, class_name) -> str:
    return reverse("grading:results_class", args=[assessment.campaign.code, school.code, assessment.code, class_name])


def municipal_url(assessment) -> str:
    return reverse("reports:municipal_assessment", args=[assessment.campaign.code, assessment.code])


def same_figures(figures, expected: dict) -> None:
    assert figures.participants == expected["participants"]
    assert figures.mark_counts == expected["mark_counts"]
    assert figures.marks == expected["marks"]
    assert figures.mean_score == expected["mean_score"]
    assert figures.tasks == expected["tasks"]
    assert figures.histogram == expected["histogram"]


def as_user(client, role_users, role):
    client.force_login(role_users[role])
    return client


@pytest.mark.django_db
def test_the_class_page_shows_the_class_beside_the_school_and_the_municipality(
    client, role_users, campaign, assessment, school
):
    as_user(client, role_users, Role.SCHOOL_COORDINATOR)
    response = client.get(class_url(assessment, school, "4В"))
    assert response.status_code == 200
    group, school_row, municipality = response.context["rows"]
    assert (group.kind, school_row.kind, municipality.kind) == ("class", "school", "municipality")
    assert group.figures == figures_by_class(assessment=assessment, school=school)["4В"]
    assert group.figures.participants == 8
    same_figures(school_row.figures, figures_json(campaign, assessment, school.code))
    same_figures(municipality.figures, figures_json(campaign, assessment))
    assert municipality.figures.participants == 29
    html = response.content.decode()
    # the task table shows the three columns: class, school, municipality
    row = re.search(r'<tr data-task="C">(.*?)</tr>', html, re.S).group(1)
    for figures in (group.figures, school_row.figures, municipality.figures):
        assert f"{figures.tasks['C']:.1f}".replace(".", ",") in row
    # the journal comparison of the class: 8 with a journal mark «4»
    journal = re.search(r'<tr data-group="class"[^>]*><td>Класс 4В</td>(.*?)</tr>', html, re.S).group(1)
    assert ">8<" in journal and f"{group.figures.journal.confirmed:.1f}".replace(".", ",") in journal


@pytest.mark.django_db
def test_the_department_drills_down_from_the_municipality_to_a_class_and_back(client, role_users, assessment, school):
    as_user(client, role_users, Role.DEPARTMENT_STAFF)
    municipal = client.get(municipal_url(assessment)).content.decode()
    assert school_url(assessment, school) in municipal
    school_page = client.get(school_url(assessment, school)).content.decode()
    for name in ("4А", "4Б", "4В"):
        assert class_url(assessment, school, name) in school_page
    assert municipal_url(assessment) in school_page
    class_page = client.get(class_url(assessment, school, "4В")).content.decode()
    assert school_url(assessment, school) in class_page  # back to the school
    assert municipal_url(assessment) in class_page  # and to the municipality
    assert class_url(assessment, school, "4А") in class_page  # the other classes


@pytest.mark.django_db
def test_the_school_page_shows_the_municipality_beside_the_school(client, role_users, campaign, assessment, school):
    as_user(client, role_users, Role.DEPARTMENT_STAFF)
    response = client.get(school_url(assessment, school))
    same_figures(response.context["whole"], figures_json(campaign, assessment, school.code))
    same_figures(response.context["municipality"], figures_json(campaign, assessment))
    html = response.content.decode()
    row = re.search(r'<tr data-group="municipality"[^>]*>(.*?)</tr>', html, re.S).group(1)
    assert ">29<" in row
    # completion by level: the school's and the municipality's, side by side
    tasks = list(assessment.tasks.order_by("position"))
    by_school = tallies(assessment=assessment, group="school")
    expected = zip(
        completion_by_level(by_school[school.pk], tasks),
        completion_by_level(sum_tallies(by_school.values()), tasks),
        strict=True,
    )
    shown = response.context["level_table"]
    assert [(group.key, shares) for group, shares in shown] == [
        (ours.key, [ours.share, theirs.share]) for ours, theirs in expected
    ]
    assert [group.key for group, _shares in shown] == ["Б", "П"]
    assert (
        response.context["mark_group_table"][0][1].participants
        == figures_json(campaign, assessment)["mark_counts"]["2"]
    )


@pytest.mark.django_db
def test_small_classes_are_hidden_with_their_complement_for_the_department(client, role_users, assessment, school):
    as_user(client, role_users, Role.DEPARTMENT_STAFF)
    drill = client.get(school_url(assessment, school)).context["drill"]
    hidden = {group.class_name: group.hidden for group in drill.classes}
    # 4Б has 3 participants; 4А (6) is the smallest other class: hidden too, else 4Б = school − 4А − 4В
    assert hidden == {"4А": True, "4Б": True, "4В": False}
    assert not drill.school.hidden
    page = client.get(class_url(assessment, school, "4А"))
    group = page.context["group"]
    assert group.hidden and set(group.figures.marks.values()) == {None} and group.figures.mean_score is None
    assert all(level.share is None for level in group.levels)
    assert 'data-testid="hidden-complement"' not in page.content.decode()  # 6 < 10: the small-sample warning
    assert 'data-testid="small-sample"' in page.content.decode()
    assert page.context["charts"]["histogram"] is None  # no histogram of a hidden class
    # the school reads every class
    as_user(client, role_users, Role.SCHOOL_COORDINATOR)
    drill = client.get(school_url(assessment, school)).context["drill"]
    assert not any(group.hidden for group in drill.classes)


@pytest.mark.django_db
def test_a_school_hidden_as_a_complement_hides_its_classes(client, role_users, campaign, school, other_school, pupil):
    from tests.factories import make_assessment
    from tests.reports.drilldown_data import people
    from tests.reports.test_figures import SCALE, TASKS, record

    assessment = make_assessment(campaign, code="T-4", tasks=TASKS, scale=SCALE)
    record(assessment, school, people("11", "4А", 7) + people("12", "4Б", 7))  # 14
    record(assessment, other_school, people("21", "4А", 3))  # 3: hidden, sch660001 is its complement
    as_user(client, role_users, Role.DEPARTMENT_STAFF)
    drill = client.get(school_url(assessment, school)).context["drill"]
    assert drill.school.hidden and all(group.hidden for group in drill.classes)


@pytest.mark.django_db
def test_no_pupil_name_on_the_class_page_for_anyone_nor_on_the_school_page_for_the_department(
    client, role_users, assessment, school, pupil
):
    for role in (Role.SCHOOL_COORDINATOR, Role.DIRECTOR, Role.DEPARTMENT_STAFF, Role.MUNICIPAL_COORDINATOR):
        as_user(client, role_users, role)
        html = client.get(class_url(assessment, school, "4А")).content.decode()
        assert pupil.last_name not in html and pupil.first_name not in html, role
    for role in (Role.DEPARTMENT_STAFF, Role.MUNICIPAL_COORDINATOR):
        as_user(client, role_users, role)
        html = client.get(school_url(assessment, school)).content.decode()
        assert pupil.last_name not in html and pupil.first_name not in html, role


@pytest.mark.django_db
def test_classes_come_in_class_order(client, role_users, assessment, school):
    as_user(client, role_users, Role.DEPARTMENT_STAFF)
    html = client.get(school_url(assessment, school)).content.decode()
    links = re.findall(r'data-testid="class-link">([^<]+)<', html)
    assert links == ["4А", "4Б", "4В"]  # 4В has the best results, 4Б the fewest participants


@pytest.mark.django_db
def test_a_class_without_participants_is_404(client, role_users, assessment, school, other_school):
    as_user(client, role_users, Role.DEPARTMENT_STAFF)
    assert client.get(class_url(assessment, school, "4Г")).status_code == 404
    as_user(client, role_users, Role.SCHOOL_COORDINATOR)
    assert client.get(class_url(assessment, other_school, "4А")).status_code == 404  # another school's class


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["school", "class"])
def test_the_queries_do_not_grow_with_the_schools(
    client, role_users, assessment, school, department, django_assert_max_num_queries, page
):
    as_user(client, role_users, Role.DEPARTMENT_STAFF)
    url = school_url(assessment, school) if page == "school" else class_url(assessment, school, "4В")
    with CaptureQueriesContext(connection) as two_schools:
        assert client.get(url).status_code == 200
    more_schools(assessment, department, 4)
    with django_assert_max_num_queries(len(two_schools)):
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["rows" if page == "class" else "drill"] is not None
    municipality = response.context["municipality"] if page == "school" else response.context["rows"][2].figures
    assert municipality.participants == 29 + 4 * 6
