"""The department's municipal results pages (reports:municipal_results, reports:municipal_assessment): the figures
of `results_figures --json` for the municipality, every school with results by code (R15), small groups hidden with
complementary suppression, codes without names (R11), the links from the overview and back from a school's page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring.signals import signal_label
from schools.models import Role
from tests.factories import DepartmentFactory, SchoolFactory, make_assessment, make_campaign, user_with_role
from tests.reports.test_figures import PEOPLE, SCALE, TASKS, record
from tests.reports.test_municipal_report import BEST, NO_JOURNAL, figures_json, record_named


def results_url(campaign) -> str:
    return reverse("reports:municipal_results", kwargs={"campaign_code": campaign.code})


def assessment_url(campaign, assessment) -> str:
    return reverse(
        "reports:municipal_assessment", kwargs={"campaign_code": campaign.code, "assessment_code": assessment.code}
    )


def number(value: float) -> str:
    """A figure as the Russian page shows it (one decimal, a decimal comma)."""
    return f"{value:.1f}".replace(".", ",")


def school_rows(html: str) -> dict[str, str]:
    """school code → the HTML of its row in the schools' table, in the page's order."""
    return {
        match.group(1): match.group(2) for match in re.finditer(r'<tr data-school="([^"]+)">(.*?)</tr>', html, re.S)
    }


def six(prefix: str) -> list:
    return [(f"{prefix}{n}", "4А", (2, 1, 2), 4, False, False) for n in range(1, 7)]


@pytest.fixture
def planted(campaign, school, other_school, pupil, department):
    """T-4: sch660000 (4 present, every one «5»), sch660001 (8, one of them a named pupil), sch660002 (2)."""
    small = make_assessment(campaign, code="T-4", tasks=TASKS, scale=SCALE)
    first = SchoolFactory(department=department, code="sch660000", short_name="СШ №0")
    record(small, school, PEOPLE)
    record_named(small, pupil)
    record(small, other_school, NO_JOURNAL)
    record(small, first, BEST)
    return small


@pytest.fixture
def staff_client(client, role_users):
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    return client


@pytest.mark.django_db
def test_the_assessment_page_shows_the_figures_of_results_figures(staff_client, campaign, planted):
    expected = figures_json(campaign, planted)
    response = staff_client.get(assessment_url(campaign, planted))
    assert response.status_code == 200
    whole = response.context["whole"]
    assert whole.participants == expected["participants"] == 14
    assert whole.absent == expected["absent"]
    assert whole.mark_counts == expected["mark_counts"]
    assert whole.marks == expected["marks"]
    assert whole.mean_score == expected["mean_score"]
    assert whole.tasks == expected["tasks"]
    assert whole.histogram == expected["histogram"]
    html = response.content.decode()
    assert f'data-figure="participants">{expected["participants"]}<' in html
    assert f'data-figure="mean">{number(expected["mean_score"])}<' in html
    task = re.search(r'<tr data-task="C">(.*?)</tr>', html, re.S).group(1)
    assert number(expected["tasks"]["C"]) in task
    assert "Б" in re.search(r'<tr data-task="A">(.*?)</tr>', html, re.S).group(1)  # the task's level
    assert "от 4 — «4»" in html  # the histogram marks the boundaries


@pytest.mark.django_db
def test_the_campaign_page_lists_the_assessments_with_the_municipal_figures(staff_client, campaign, planted):
    expected = figures_json(campaign, planted)
    response = staff_client.get(results_url(campaign))
    assert response.status_code == 200
    rows = dict(response.context["rows"])
    assert rows[planted].participants == expected["participants"]
    assert rows[planted].marks == expected["marks"]
    assert assessment_url(campaign, planted) in response.content.decode()
    assert reverse("reports:overview") in response.content.decode()


@pytest.mark.django_db
def test_schools_come_by_code_with_their_own_figures_and_signals(staff_client, campaign, planted):
    html = staff_client.get(assessment_url(campaign, planted)).content.decode()
    rows = school_rows(html)
    # sch660000 has the best results, sch660002 the fewest participants: the order is still the codes'
    assert list(rows) == ["sch660000", "sch660001", "sch660002"]
    shown = figures_json(campaign, planted, "sch660001")
    assert number(shown["marks"]["4"]) in rows["sch660001"]
    assert number(shown["mean_score"]) in rows["sch660001"]
    for code, row in rows.items():
        for signal in figures_json(campaign, planted, code)["signals"]:
            assert signal["kind"] in row and signal_label(signal["kind"]) in row, code
        figures_url = reverse(
            "grading:results_figures",
            kwargs={"campaign_code": campaign.code, "school_code": code, "assessment_code": planted.code},
        )
        assert figures_url in row


@pytest.mark.django_db
def test_schools_under_five_show_no_shares_and_a_warning(staff_client, campaign, planted):
    rows = school_rows(staff_client.get(assessment_url(campaign, planted)).content.decode())
    for code in ("sch660000", "sch660002"):  # 4 and 2 present
        assert "%" not in rows[code] and rows[code].count("—") == 5, code
        assert "мало участников" in rows[code]
    assert "%" in rows["sch660001"] and "мало участников" in rows["sch660001"]  # 8: shown, with the warning


@pytest.mark.django_db
def test_one_hidden_school_hides_the_next_smallest(staff_client, campaign, school, other_school, department):
    small = make_assessment(campaign, code="T-4", tasks=TASKS, scale=SCALE)
    third = SchoolFactory(department=department, code="sch660003", short_name="СШ №3")
    record(small, school, PEOPLE)  # 7 present
    record(small, other_school, NO_JOURNAL)  # 2 present: hidden
    record(small, third, six("600"))  # 6 present: the smallest other school, hidden as its complement
    rows = school_rows(staff_client.get(assessment_url(campaign, small)).content.decode())
    assert "%" not in rows["sch660002"]
    assert "%" not in rows["sch660003"] and rows["sch660003"].count("—") == 5
    assert "%" in rows["sch660001"]


@pytest.mark.django_db
def test_no_pupil_name_on_the_pages(staff_client, campaign, planted, pupil):
    for url in (results_url(campaign), assessment_url(campaign, planted)):
        html = staff_client.get(url).content.decode()
        assert pupil.last_name not in html and pupil.first_name not in html


@pytest.mark.django_db
def test_the_overview_links_to_the_results_and_the_school_page_back(staff_client, campaign, planted, school):
    assert results_url(campaign) in staff_client.get(reverse("reports:overview")).content.decode()
    school_page = reverse(
        "grading:results_figures",
        kwargs={"campaign_code": campaign.code, "school_code": school.code, "assessment_code": planted.code},
    )
    assert assessment_url(campaign, planted) in staff_client.get(school_page).content.decode()


@pytest.mark.django_db
def test_the_school_sees_no_municipal_link(client, coordinator, campaign, planted, school):
    client.force_login(coordinator)
    school_page = reverse(
        "grading:results_figures",
        kwargs={"campaign_code": campaign.code, "school_code": school.code, "assessment_code": planted.code},
    )
    response = client.get(school_page)
    assert response.status_code == 200
    assert assessment_url(campaign, planted) not in response.content.decode()


@pytest.mark.django_db
def test_a_school_coordinator_gets_403(client, coordinator, campaign, planted):
    client.force_login(coordinator)
    assert client.get(results_url(campaign)).status_code == 403
    assert client.get(assessment_url(campaign, planted)).status_code == 403


@pytest.mark.django_db
def test_another_departments_campaign_is_404(staff_client, campaign):
    foreign = make_campaign(DepartmentFactory(code="uo-other"), code="VPR-OTHER")
    foreign_assessment = make_assessment(foreign)
    assert staff_client.get(results_url(foreign)).status_code == 404
    assert staff_client.get(assessment_url(foreign, foreign_assessment)).status_code == 404
    assert staff_client.get(assessment_url(campaign, foreign_assessment)).status_code == 404  # not this campaign's
    stranger = user_with_role(Role.DEPARTMENT_STAFF, department=DepartmentFactory(code="uo-third"))
    staff_client.force_login(stranger)
    assert staff_client.get(results_url(campaign)).status_code == 404


@pytest.mark.django_db
def test_the_queries_do_not_grow_with_the_schools(staff_client, campaign, department, school):
    small = make_assessment(campaign, code="T-4", tasks=TASKS, scale=SCALE)
    record(small, school, PEOPLE)
    counts = []
    for n in (1, 4):
        for index in range(n):
            extra = SchoolFactory(department=department, code=f"sch67{n}{index:03d}")
            record(small, extra, [(f"5{n}{index:03d}", "4А", (2, 1, 2), 4, False, False)])
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(assessment_url(campaign, small)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
