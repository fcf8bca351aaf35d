"""The department's monitoring page: the sittings of the coming week in its schools, to plan visits with the
monitoring card — in the order of the day and the hour, each school's start in its own time zone."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

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


@pytest.mark.django_db
def test_the_representative_sees_the_weeks_sittings_of_the_departments_schools(
    client, department, school, other_school, role_users
):
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
    client.force_login(role_users[Role.DEPARTMENT_REPRESENTATIVE])
    html = client.get(reverse("monitoring:cards")).content.decode()
    assert f'data-testid="visit-{moscow.pk}"' in html and "09:10" in html and "списки переданы" in html
    assert html.index(f"visit-{moscow.pk}") < html.index(f"visit-{later.pk}")


@pytest.mark.django_db
def test_without_sittings_the_page_says_so(client, role_users):
    client.force_login(role_users[Role.DEPARTMENT_REPRESENTATIVE])
    assert 'data-testid="no-visits"' in client.get(reverse("monitoring:cards")).content.decode()


@pytest.mark.django_db
def test_a_long_week_is_shown_a_page_at_a_time(client, department, school, role_users):
    from django.conf import settings

    today = timezone.localdate()
    campaign = make_campaign(department, window_start=today, window_end=today + datetime.timedelta(days=20))
    assessment = make_assessment(campaign)
    for number in range(settings.PAGE_SIZE + 1):
        make_sitting(assessment, school, date=today + datetime.timedelta(days=number % 7), lesson=1 + number // 7)
    client.force_login(role_users[Role.DEPARTMENT_REPRESENTATIVE])
    first = client.get(reverse("monitoring:cards")).content.decode()
    second = client.get(reverse("monitoring:cards") + "?page=2").content.decode()
    assert first.count('data-testid="visit-') == settings.PAGE_SIZE and "страница 1 из 2" in first
    assert second.count('data-testid="visit-') == 1
