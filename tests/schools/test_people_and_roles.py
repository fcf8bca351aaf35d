"""Granting and withdrawing roles: the department in its municipality, a school's managers in their school."""

import pytest
from django.core import mail
from django.urls import reverse

from schools.models import AuditEntry, Membership, Role, User
from tests.factories import user_with_role


@pytest.mark.django_db
def test_department_creates_a_school_coordinator_who_gets_a_password_link(client, role_users, school):
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    response = client.post(
        reverse("schools:role_grant"),
        {
            "username": "novikova",
            "last_name": "Новикова",
            "first_name": "Елена",
            "email": "novikova@example.org",
            "role": Role.SCHOOL_COORDINATOR,
            "school": school.pk,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="novikova")
    assert user.has_usable_password() and not user.check_password("")
    assert Membership.objects.filter(user=user, role=Role.SCHOOL_COORDINATOR, school=school, is_active=True).exists()
    assert len(mail.outbox) == 1 and "/accounts/reset/" in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="role.granted").exists()


@pytest.mark.django_db
def test_a_second_role_is_added_to_an_existing_account(client, role_users, school):
    organizer = role_users[Role.ORGANIZER]
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    client.post(
        reverse("schools:role_grant"), {"username": organizer.username, "role": Role.EXPERT, "school": school.pk}
    )
    assert set(Membership.objects.filter(user=organizer).values_list("role", flat=True)) == {
        Role.ORGANIZER,
        Role.EXPERT,
    }


@pytest.mark.django_db
def test_a_school_coordinator_cannot_grant_department_roles_or_roles_in_another_school(
    client, role_users, other_school
):
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    for data in (
        {"role": Role.DEPARTMENT_STAFF},
        {"role": Role.EXPERT, "school": other_school.pk},
        {"role": Role.DIRECTOR, "school": role_users[Role.SCHOOL_COORDINATOR].active_memberships[0].school_id},
    ):
        response = client.post(
            reverse("schools:role_grant"), {"username": "intruder", "last_name": "Х", "first_name": "Y", **data}
        )
        assert response.status_code == 200
    assert not User.objects.filter(username="intruder").exists()


@pytest.mark.django_db
def test_withdrawing_a_role_keeps_the_record_inactive_and_is_limited_to_scope(client, role_users, other_school):
    organizer_membership = Membership.objects.get(user=role_users[Role.ORGANIZER])
    foreign = user_with_role(Role.ORGANIZER, school=other_school).memberships.get()
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    client.post(reverse("schools:people_list"), {"withdraw": organizer_membership.pk})
    organizer_membership.refresh_from_db()
    assert organizer_membership.is_active is False
    assert client.post(reverse("schools:people_list"), {"withdraw": foreign.pk}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.is_active is True
    # the withdrawn role no longer opens its pages
    client.force_login(role_users[Role.ORGANIZER])
    assert client.get(reverse("procedures:my_rooms")).status_code == 403


@pytest.mark.django_db
def test_the_people_list_shows_only_ones_own_school(client, role_users, other_school):
    stranger = user_with_role(Role.EXPERT, school=other_school, username="stranger_expert")
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    html = client.get(reverse("schools:people_list")).content.decode()
    assert role_users[Role.ORGANIZER].username in html
    assert stranger.username not in html
