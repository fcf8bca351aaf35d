"""The department's registry of public observers and representatives: accounts created with the role,
relatives declared without names (R5, R11), deactivation that keeps the rows and closes the pages, and the
instruction's confirmation shown."""

import pytest
from django.urls import reverse

from monitoring.models import (
    OBSERVER_INSTRUCTION_VERSION,
    InstructionAcknowledgement,
    ObservationAssignment,
    Person,
    PersonRelative,
)
from monitoring.registry import RegistryFilters, registry_of
from schools.models import AuditEntry, Membership, Role, User
from tests.factories import (
    DepartmentFactory,
    SchoolClassFactory,
    make_assessment,
    make_campaign,
    make_sitting,
    user_with_role,
)
from tests.factories_observation import make_person

NEW_OBSERVER = {
    "username": "zorina",
    "last_name": "Зорина",
    "first_name": "Анна",
    "middle_name": "Петровна",
    "kind": "observer",
    "identity_document": "паспорт 6512 345678",
    "organisation": "Общественная палата",
    "phone": "+7 900 000-00-00",
    "email": "zorina@example.org",
    "workplace_school": "",
}


@pytest.mark.django_db
def test_the_department_enters_an_observer_with_an_account_and_the_role(client, department_user, department, school):
    client.force_login(department_user)
    response = client.post(reverse("monitoring:person_create"), {**NEW_OBSERVER, "workplace_school": school.pk})
    person = Person.objects.get()
    assert response["Location"] == reverse("monitoring:person", args=[person.pk])
    assert person.user.username == "zorina" and person.user.full_name == "Зорина Анна Петровна"
    assert person.workplace_school == school and person.organisation == "Общественная палата"
    assert Membership.objects.filter(user=person.user, role=Role.OBSERVER, department=department, is_active=True)
    assert person.user.has_usable_password()  # random: the person sets their own by the e-mailed link
    assert AuditEntry.objects.filter(action="observer.created", target_id=str(person.pk)).exists()


@pytest.mark.django_db
def test_a_representative_gets_the_representatives_role(client, department_user, department):
    client.force_login(department_user)
    client.post(reverse("monitoring:person_create"), {**NEW_OBSERVER, "kind": "representative"})
    user = User.objects.get(username="zorina")
    assert user.roles == {Role.DEPARTMENT_REPRESENTATIVE}


@pytest.mark.django_db
def test_bad_input_is_refused_in_russian_and_writes_nothing(client, department_user):
    client.force_login(department_user)
    response = client.post(reverse("monitoring:person_create"), {**NEW_OBSERVER, "last_name": "", "username": "a b"})
    assert response.status_code == 200 and "Обязательное поле" in response.content.decode()
    assert not Person.objects.exists() and not User.objects.filter(username="zorina").exists()


@pytest.mark.django_db
def test_editing_changes_the_entry_and_audits_what_changed(client, department_user, department):
    person = make_person(department, last_name="Зорина", first_name="Анна")
    client.force_login(department_user)
    data = {**NEW_OBSERVER, "organisation": "Совет родителей"}
    del data["username"]
    client.post(reverse("monitoring:person", args=[person.pk]), data)
    person.refresh_from_db()
    assert person.organisation == "Совет родителей" and person.user.middle_name == "Петровна"
    entry = AuditEntry.objects.get(action="observer.updated")
    assert entry.after["organisation"] == "Совет родителей"


@pytest.mark.django_db
def test_relatives_are_declared_by_school_and_class_never_by_name(client, department_user, department, school):
    SchoolClassFactory(school=school, grade=4, letter="А")
    person = make_person(department)
    client.force_login(department_user)
    url = reverse("monitoring:person_relative_add", args=[person.pk])
    assert client.post(url, {"school": school.pk, "class_name": "9Я", "relation": "parent"}).status_code == 400
    client.post(url, {"school": school.pk, "class_name": "4а", "relation": "parent"})
    relative = PersonRelative.objects.get()
    assert relative.school_class.name == "4А"
    assert AuditEntry.objects.filter(action="observer.relative_declared").exists()
    client.post(reverse("monitoring:person_relative_remove", args=[person.pk]), {"relative": relative.pk})
    assert not PersonRelative.objects.exists()


@pytest.mark.django_db
def test_deactivation_keeps_the_rows_and_closes_the_observers_pages(client, department_user, department, school):
    person = make_person(department)
    sitting = make_sitting(make_assessment(make_campaign(department)), school)
    assignment = ObservationAssignment.objects.create(person=person, sitting=sitting)
    client.force_login(person.user)
    assert client.get(reverse("monitoring:assignments")).status_code == 200

    client.force_login(department_user)
    html = client.get(reverse("monitoring:person_deactivate", args=[person.pk])).content.decode()
    assert 'data-testid="deactivate-confirm"' in html  # asks first
    client.post(reverse("monitoring:person_deactivate", args=[person.pk]))

    person.refresh_from_db()
    assert not person.is_active and person.deactivated_by == department_user
    assert Person.objects.filter(pk=person.pk).exists() and ObservationAssignment.objects.filter(pk=assignment.pk)
    assert not Membership.objects.filter(user=person.user, is_active=True).exists()
    client.force_login(person.user)
    assert client.get(reverse("monitoring:assignments")).status_code == 403
    assert client.get(reverse("monitoring:report", args=[assignment.pk])).status_code in (403, 404)

    client.force_login(department_user)
    client.post(reverse("monitoring:person_deactivate", args=[person.pk]), {"action": "reactivate"})
    person.refresh_from_db()
    assert person.is_active
    assert AuditEntry.objects.filter(action__in=["observer.deactivated", "observer.reactivated"]).count() == 2
    client.force_login(person.user)
    assert client.get(reverse("monitoring:assignments")).status_code == 200


@pytest.mark.django_db
def test_the_registry_shows_when_each_observer_confirmed_the_instruction(client, department_user, department):
    read = make_person(department, last_name="Прочитавшая")
    unread = make_person(department, last_name="Непрочитавший")
    InstructionAcknowledgement.objects.create(
        user=read.user, instruction="observer", version=OBSERVER_INSTRUCTION_VERSION
    )
    client.force_login(department_user)
    html = client.get(reverse("monitoring:registry")).content.decode()
    start = html.index(f'data-testid="instruction-{read.pk}"')
    assert "ознакомлен(а)" in html[start : start + 200]
    start = html.index(f'data-testid="instruction-{unread.pk}"')
    assert "не подтверждена" in html[start : start + 200]


@pytest.mark.django_db
def test_the_registry_is_searched_and_filtered(department_user, department):
    zorina = make_person(department, last_name="Зорина", organisation="Общественная палата")
    representative = make_person(department, kind=Person.Kind.REPRESENTATIVE, last_name="Иванов")
    gone = make_person(department, last_name="Ушедшая", is_active=False)
    make_person(DepartmentFactory(code="uo-far"), last_name="Чужая")

    assert set(registry_of(department_user)) == {zorina, representative, gone}
    assert list(registry_of(department_user, RegistryFilters(search="палата"))) == [zorina]
    assert list(registry_of(department_user, RegistryFilters(kind="representative"))) == [representative]
    assert list(registry_of(department_user, RegistryFilters(active="0"))) == [gone]


@pytest.mark.django_db
def test_another_municipalitys_entry_is_404(client, department):
    person = make_person(department)
    stranger = user_with_role(Role.DEPARTMENT_STAFF, department=DepartmentFactory(code="uo-far"))
    client.force_login(stranger)
    assert client.get(reverse("monitoring:person", args=[person.pk])).status_code == 404
    assert client.post(reverse("monitoring:person_deactivate", args=[person.pk])).status_code == 404
    person.refresh_from_db()
    assert person.is_active
