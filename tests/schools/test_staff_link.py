"""Accounts of school staff are linked to their staff records, so that a role holder (the technical specialist
among them) can be appointed and named in the school's order."""

import pytest

from schools.models import AuditEntry, Role, Staff
from schools.services import role_grant, staff_account_link
from tests.factories import StaffFactory, UserFactory


def grant(actor, school, role, username, **names):
    return role_grant(actor=actor, role=role, school=school, department=None, username=username, **names)[0]


@pytest.mark.django_db
def test_a_new_technical_specialist_gets_a_staff_record(school, coordinator):
    user = grant(coordinator, school, Role.TECHNICAL_SPECIALIST, "tech9", last_name="Ефимов", first_name="Денис")

    staff = Staff.objects.get(user=user)

    assert (staff.school, staff.full_name) == (school, "Ефимов Денис")
    assert AuditEntry.objects.filter(action="staff.created", target_id=str(staff.pk)).exists()


@pytest.mark.django_db
def test_an_account_is_linked_to_the_one_unlinked_namesake_in_the_school(school, other_school, coordinator):
    StaffFactory(school=other_school, last_name="Лебедев", first_name="Артём", middle_name="Сергеевич")
    record = StaffFactory(school=school, last_name="Лебедев", first_name="Артём", middle_name="Сергеевич")
    user = UserFactory(username="lebedev", last_name="ЛЕБЕДЕВ", first_name="Артем", middle_name="")

    grant(coordinator, school, Role.TECHNICAL_SPECIALIST, "lebedev")

    record.refresh_from_db()
    assert record.user == user and Staff.objects.filter(school=school).count() == 1
    assert AuditEntry.objects.filter(action="staff.account_linked").count() == 1
    # a second role in the same school keeps the same record
    grant(coordinator, school, Role.EXPERT, "lebedev")
    assert Staff.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_two_namesakes_are_not_guessed_between(school):
    for _ in range(2):
        StaffFactory(school=school, last_name="Иванова", first_name="Мария", middle_name="")
    user = UserFactory(last_name="Иванова", first_name="Мария", middle_name="Петровна")

    staff = staff_account_link(user=user, school=school, actor=None)

    assert staff.user == user and Staff.objects.filter(school=school).count() == 3


@pytest.mark.django_db
def test_the_migration_links_existing_role_holders_to_their_namesakes(school):
    import importlib

    from django.apps import apps

    from tests.factories import user_with_role

    migration = importlib.import_module("schools.migrations.0002_link_staff_accounts")
    director = user_with_role(Role.DIRECTOR, school=school, last_name="Иванова", first_name="Ольга")
    stranger = user_with_role(Role.EXPERT, school=school, last_name="Сорокина", first_name="Ольга")
    record = StaffFactory(school=school, last_name="Иванова", first_name="Ольга", middle_name="Петровна")

    migration.link(apps, None)

    record.refresh_from_db()
    assert record.user == director and not Staff.objects.filter(user=stranger).exists()
