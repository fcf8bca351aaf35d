"""The audit log is rendered for its reader: text typed inside a school never reaches the department (R11)."""

import logging

import pytest
from django.urls import reverse

from schools.models import Role
from schools.services import audit_record
from tests.factories import StaffFactory

SURNAME = "Зюзикова"
REASON = "перепутали Зюзикову с Клюкиной"
FILTERS = [{}, {"action": "pupils"}, {"action": "pupil"}, {"action": "protocol"}, {"action": "staff"}]


def _school_types_names(client, role_users, school, pupil):
    """A coordinator searches, edits a pupil and a staff member, and corrects a protocol with a reason."""
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    assert client.get(reverse("schools:pupil_list", args=[school.code]), {"q": SURNAME}).status_code == 200
    response = client.post(
        reverse("schools:pupil_edit", args=[school.code, pupil.pk]),
        {"last_name": SURNAME, "first_name": "Алиса", "school_class": pupil.school_class_id, "sex": "Ж"},
    )
    assert response.status_code == 302
    audit_record(
        actor=role_users[Role.SCHOOL_COORDINATOR],
        action="protocol.corrected",
        school=school,
        before={"notes": "", "started_at": "09:00"},
        after={"notes": "Зюзикова вышла из класса", "started_at": "09:05"},
        reason=REASON,
    )
    # A field nobody declared: private by default.
    audit_record(
        actor=role_users[Role.SCHOOL_COORDINATOR],
        action="something.new",
        target=StaffFactory(school=school, last_name="Пташкина"),
        after={"whatever_text": "Зюзикова"},
    )


def _pages(client, school):
    for params in FILTERS + [{"school": school.code}, {"school": school.code, "action": "pupil"}]:
        response = client.get(reverse("schools:audit_list"), params)
        assert response.status_code == 200
        yield params, response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.DEPARTMENT_STAFF, Role.MUNICIPAL_COORDINATOR])
def test_the_department_never_reads_what_a_school_typed_in_its_audit(client, role_users, school, pupil, role):
    _school_types_names(client, role_users, school, pupil)
    client.force_login(role_users[role])
    for params, html in _pages(client, school):
        for secret in (SURNAME, "Зюзиков", "Снегир", "Клюкин", "Пташкина", "вышла из класса"):
            assert secret not in html, (params, secret)
    html = client.get(reverse("schools:audit_list")).content.decode()
    # What is safe stays readable: the action, the page number, times, and the masked values.
    assert "pupils.list_viewed" in html and "protocol.corrected" in html and "something.new" in html
    assert "09:05" in html and "•••" in html


@pytest.mark.django_db
def test_the_schools_director_still_reads_everything(client, role_users, school, pupil):
    _school_types_names(client, role_users, school, pupil)
    client.force_login(role_users[Role.DIRECTOR])
    html = client.get(reverse("schools:audit_list")).content.decode()
    assert SURNAME in html and REASON in html and "Зюзикова вышла из класса" in html and "Пташкина" in html


@pytest.mark.django_db
def test_the_department_reads_its_own_entries_and_a_schools_renaming(client, role_users, school, department):
    audit_record(actor=None, action="campaign.updated", department=department, after={"title": "ВПР весной"})
    audit_record(actor=None, action="school.updated", target=school, after={"short_name": "Лицей №7"})
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    html = client.get(reverse("schools:audit_list")).content.decode()
    assert "ВПР весной" in html and "Лицей №7" in html


@pytest.mark.django_db
def test_nothing_typed_in_a_school_is_logged(client, role_users, school, pupil, caplog):
    with caplog.at_level(logging.DEBUG):
        _school_types_names(client, role_users, school, pupil)
        client.force_login(role_users[Role.DEPARTMENT_STAFF])
        list(_pages(client, school))
    assert not [record for record in caplog.records if "Зюзиков" in record.getMessage()]
