"""Editing a school's details in the browser: the change is stored and audited, only within the user's scope."""

import pytest
from django.urls import reverse

from schools.models import AuditEntry, Role, School
from schools.services import school_update
from tests.factories import user_with_role

FORM = {
    "name": "Муниципальное автономное общеобразовательное учреждение «Средняя школа № 1»",
    "short_name": "МАОУ СШ №1",
    "time_zone": "Asia/Yekaterinburg",
    "address": "ул. Ленина, 1",
    "director_name": "Иванова Мария Петровна",
    "phone": "+7 343 000-00-01",
    "email": "school1@example.org",
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.SCHOOL_COORDINATOR, Role.DEPARTMENT_STAFF])
def test_posting_the_school_form_stores_the_details_and_audits_them(client, role_users, school, role):
    old_short_name = school.short_name
    client.force_login(role_users[role])
    response = client.post(reverse("schools:school_edit", args=[school.code]), FORM, follow=True)
    assert response.status_code == 200
    assert "Сведения о школе сохранены" in response.content.decode()
    stored = School.objects.get(pk=school.pk)
    for field, value in FORM.items():
        assert getattr(stored, field) == value
    entry = AuditEntry.objects.get(action="school.updated", target_id=str(school.pk))
    assert entry.actor == role_users[role]
    assert entry.before["short_name"] == old_short_name
    assert entry.after["short_name"] == "МАОУ СШ №1"
    assert entry.after["phone"] == "+7 343 000-00-01"


@pytest.mark.django_db
def test_the_stored_school_is_found_by_its_new_name(client, coordinator, school):
    client.force_login(coordinator)
    client.post(reverse("schools:school_edit", args=[school.code]), FORM)
    assert School.objects.filter(search_text__contains="маоу").exists()


@pytest.mark.django_db
def test_posting_the_same_details_again_changes_nothing_and_audits_nothing(client, coordinator, school):
    client.force_login(coordinator)
    client.post(reverse("schools:school_edit", args=[school.code]), FORM)
    client.post(reverse("schools:school_edit", args=[school.code]), FORM)
    assert AuditEntry.objects.filter(action="school.updated").count() == 1


@pytest.mark.django_db
def test_an_invalid_form_stores_nothing_and_keeps_the_stored_name_in_the_heading(client, coordinator, school):
    client.force_login(coordinator)
    response = client.post(
        reverse("schools:school_edit", args=[school.code]), {**FORM, "email": "not-an-address", "short_name": "Новое"}
    )
    assert response.status_code == 200
    assert School.objects.get(pk=school.pk).short_name == "СШ №1"
    assert response.context["school"].short_name == "СШ №1"
    assert not AuditEntry.objects.filter(action="school.updated").exists()


@pytest.mark.django_db
def test_a_coordinator_of_another_school_gets_404_and_nothing_changes(client, school, other_school):
    stranger = user_with_role(Role.SCHOOL_COORDINATOR, school=other_school, username="coord2")
    client.force_login(stranger)
    response = client.post(reverse("schools:school_edit", args=[school.code]), FORM)
    assert response.status_code == 404
    assert School.objects.get(pk=school.pk).short_name == "СШ №1"


@pytest.mark.django_db
def test_school_update_compares_with_the_stored_row_even_when_the_instance_was_already_changed(school, department_user):
    school.short_name = "Изменено в памяти"  # as ModelForm validation does with its instance
    school_update(school=school, data={"short_name": "Изменено в памяти"}, actor=department_user)
    assert School.objects.get(pk=school.pk).short_name == "Изменено в памяти"
    assert AuditEntry.objects.get(action="school.updated").before == {"short_name": "СШ №1"}
