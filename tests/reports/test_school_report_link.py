"""The way to a school's справка from its results page (reports/results_panel.py): the department and the school's
coordinator see the link, a role that does not read the справка (the technical specialist) does not."""

from django.urls import reverse

from reports.results_panel import school_report_panel
from schools.models import Role
from tests.reports.school_report_data import plant


def _page(client, user, data, school):
    client.force_login(user)
    url = reverse("grading:results_figures", args=[data["campaign"].code, school.code, data["assessment"].code])
    return client.get(url)


def test_the_results_page_leads_to_the_schools_spravka(client, department, school, other_school, role_users):
    data = plant(department, school, other_school)
    report = reverse("reports:school_report", args=[school.code, data["campaign"].code])
    for role in (Role.SCHOOL_COORDINATOR, Role.DEPARTMENT_STAFF):
        response = _page(client, role_users[role], data, school)
        assert response.status_code == 200
        assert report in response.content.decode(), role
    response = _page(client, role_users[Role.DIRECTOR], data, school)
    assert report in response.content.decode()


def test_a_role_that_does_not_read_the_spravka_gets_no_panel(department, school, other_school, role_users):
    data = plant(department, school, other_school)
    arguments = {"campaign": data["campaign"], "school": school, "assessment": data["assessment"]}
    assert school_report_panel(viewer=role_users[Role.TECHNICAL_SPECIALIST], **arguments) is None
    assert school_report_panel(viewer=role_users[Role.DEPARTMENT_REPRESENTATIVE], **arguments) is None
    assert school_report_panel(viewer=role_users[Role.SCHOOL_COORDINATOR], **arguments) is not None
