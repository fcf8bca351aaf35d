"""The capabilities table and its questions (schools.access): who may do what, and where."""

import pytest

from schools.access import (
    ASSIGNMENTS,
    CAPABILITIES,
    SCOPES,
    Assignment,
    Capability,
    Scope,
    assigned_to,
    register_assignment,
    roles_with,
    schools_with,
    user_can,
)
from schools.models import Role, School
from tests.factories import DepartmentFactory, SchoolFactory, user_with_role


def test_every_role_has_capabilities_and_a_scope():
    assert set(CAPABILITIES) == set(Role) == set(SCOPES)


def test_every_capability_is_held_by_some_role():
    assert {capability for capabilities in CAPABILITIES.values() for capability in capabilities} == set(Capability)


def test_the_technical_specialist_prints_and_fills_the_results_form():
    for capability in (
        Capability.PRINT_MATERIALS,
        Capability.RESULTS_FORM,
        Capability.UPLOAD_RESULTS_FORM,
        Capability.UPLOAD_SCANS,
    ):
        assert Role.TECHNICAL_SPECIALIST in roles_with(capability)


def test_only_the_director_approves_the_order():
    assert roles_with(Capability.APPROVE_ORDER) == {Role.DIRECTOR}


@pytest.mark.django_db
def test_a_department_role_reaches_every_school_of_its_department_only(school, other_school, department):
    stranger_school = SchoolFactory(department=DepartmentFactory(code="uo-other"), code="sch770001")
    user = user_with_role(Role.DEPARTMENT_STAFF, department=department)
    assert set(schools_with(user, Capability.VIEW_SCHOOL)) == {school, other_school}
    assert user_can(user, Capability.VIEW_SCHOOL, other_school)
    assert not user_can(user, Capability.VIEW_SCHOOL, stranger_school)
    # a capability the role does not hold: nowhere
    assert not user_can(user, Capability.READ_PUPILS)
    assert not schools_with(user, Capability.READ_PUPILS).exists()


@pytest.mark.django_db
def test_a_school_role_reaches_its_school_only(school, other_school):
    user = user_with_role(Role.TECHNICAL_SPECIALIST, school=school)
    assert list(schools_with(user, Capability.PRINT_MATERIALS)) == [school]
    assert user_can(user, Capability.PRINT_MATERIALS, school)
    assert not user_can(user, Capability.PRINT_MATERIALS, other_school)
    assert not user_can(user, Capability.ISSUE_ORDER, school)


@pytest.mark.django_db
def test_an_assigned_role_reaches_the_schools_of_what_it_is_assigned_to(school, other_school, department):
    """A commission expert's role is held in the department; an assignment registered by an app brings the
    schools of their assigned objects into their scope, with no mechanism of its own."""
    user = user_with_role(Role.OBSERVER, department=department)
    assert not user_can(user, Capability.OBSERVE, other_school)

    register_assignment(
        "test-visits", Assignment(Role.OBSERVER, lambda u: School.objects.filter(code=other_school.code), "pk")
    )
    try:
        assert user_can(user, Capability.OBSERVE, other_school)
        assert not user_can(user, Capability.OBSERVE, school)
        assert list(schools_with(user, Capability.OBSERVE)) == [other_school]
        assert list(assigned_to(user, "test-visits")) == [other_school]
        # somebody without the assignment's role has nothing assigned
        assert not assigned_to(user_with_role(Role.DIRECTOR, school=school), "test-visits").exists()
    finally:
        del ASSIGNMENTS["test-visits"]


def test_only_assigned_scope_roles_take_assignments():
    with pytest.raises(ValueError):
        register_assignment("wrong", Assignment(Role.DIRECTOR, lambda u: School.objects.none()))
    assert SCOPES[Role.EXPERT] == Scope.ASSIGNED


@pytest.mark.django_db
def test_anonymous_users_can_nothing(school):
    from django.contrib.auth.models import AnonymousUser

    assert not user_can(AnonymousUser(), Capability.VIEW_SCHOOL)
    assert not schools_with(AnonymousUser(), Capability.VIEW_SCHOOL).exists()
