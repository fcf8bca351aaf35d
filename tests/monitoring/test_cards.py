"""The department representative's start page: the visits they are sent to with the monitoring card, in the order
of the day and the hour, each school's start in its own time zone (R16); and the department's read of the week's
sittings to plan visits (`sittings_to_visit`)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from monitoring.models import ObservationAssignment, Person
from monitoring.selectors import sittings_to_visit, visit
from schools.models import Role
from tests.factories import (
    DepartmentFactory,
    SchoolFactory,
    make_assessment,
    make_campaign,
    make_sitting,
    make_sitting_room,
)
from tests.factories_observation import make_person


@pytest.mark.django_db
def test_the_weeks_sittings_of_the_departments_schools_to_plan_visits(department, school, other_school, role_users):
    today = timezone.localdate()
    campaign = make_campaign(department, window_start=today, window_end=today + datetime.timedelta(days=20))
    assessment = make_assessment(campaign)
    other_school.time_zone = "Europe/Moscow"
    other_school.save(update_fields=["time_zone"])
    later = make_sitting(assessment, school, date=today + datetime.timedelta(days=2), lesson=3)
    moscow = make_sitting(
        assessment,
        other_school,
        date=today,
        lesson=2,
        starts_at=datetime.datetime.combine(today, datetime.time(9, 10), tzinfo=other_school.tzinfo),
    )
    make_sitting_room(moscow, released_at=timezone.now())
    make_sitting(assessment, school, date=today + datetime.timedelta(days=9))  # beyond the week
    elsewhere = SchoolFactory(department=DepartmentFactory(code="uo-far"), code="sch999002")
    make_sitting(assessment, elsewhere, date=today)  # another municipality's school

    visits = [visit(s) for s in sittings_to_visit(role_users[Role.DEPARTMENT_REPRESENTATIVE], today=today)]

    assert [v.sitting for v in visits] == [moscow, later]
    assert visits[0].starts_local.strftime("%H:%M") == "09:10" and (visits[0].rooms, visits[0].released) == (1, 1)


@pytest.mark.django_db
def test_the_representative_sees_their_visits_in_order_with_the_schools_local_start(
    client, department, school, other_school
):
    campaign = make_campaign(department)
    assessment = make_assessment(campaign)
    other_school.time_zone = "Europe/Moscow"
    other_school.address = "г. Москва, ул. Тверская, 1"
    other_school.save(update_fields=["time_zone", "address"])
    day = campaign.window_start
    representative = make_person(department, kind=Person.Kind.REPRESENTATIVE)
    later = ObservationAssignment.objects.create(
        person=representative, sitting=make_sitting(assessment, school, date=day + datetime.timedelta(days=1))
    )
    moscow = ObservationAssignment.objects.create(
        person=representative,
        sitting=make_sitting(
            assessment,
            other_school,
            date=day,
            starts_at=datetime.datetime.combine(day, datetime.time(9, 10), tzinfo=other_school.tzinfo),
        ),
    )
    ObservationAssignment.objects.create(
        person=make_person(department, kind=Person.Kind.REPRESENTATIVE),
        sitting=make_sitting(assessment, school, date=day, lesson=5),
    )  # someone else's

    client.force_login(representative.user)
    html = client.get(reverse("monitoring:cards")).content.decode()

    assert html.count('data-testid="assignment-') == 2
    assert html.index(f"assignment-{moscow.pk}") < html.index(f"assignment-{later.pk}")
    assert f'data-testid="start-{moscow.pk}">09:10' in html and "Europe/Moscow" in html and "Тверская" in html
    assert reverse("monitoring:card", args=[moscow.pk]) in html


@pytest.mark.django_db
def test_without_visits_the_page_says_so(client, role_users):
    client.force_login(role_users[Role.DEPARTMENT_REPRESENTATIVE])
    assert 'data-testid="no-visits"' in client.get(reverse("monitoring:cards")).content.decode()


@pytest.mark.django_db
def test_a_cancelled_visit_is_not_listed(client, department, school):
    representative = make_person(department, kind=Person.Kind.REPRESENTATIVE)
    sitting = make_sitting(make_assessment(make_campaign(department)), school)
    cancelled = ObservationAssignment.objects.create(
        person=representative, sitting=sitting, cancelled_at=timezone.now(), cancel_reason="перенос"
    )
    client.force_login(representative.user)
    html = client.get(reverse("monitoring:cards")).content.decode()
    assert f"assignment-{cancelled.pk}" not in html and 'data-testid="no-visits"' in html
