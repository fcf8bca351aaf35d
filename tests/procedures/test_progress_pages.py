"""«Ход кампании» at region scale: fifty schools a page, the late first, the counts of each stage over every
school, and the filter of the late kept across pages."""

import datetime

import pytest
from django.urls import reverse

from procedures.models import Stage, StageMark
from schools.models import Role
from tests.factories import SchoolFactory, user_with_role

DEADLINE = datetime.datetime(2026, 1, 10, 9, 0, tzinfo=datetime.UTC)


def rows_on(page: str) -> list[str]:
    return [part.split('"')[0] for part in page.split('data-testid="school-')[1:]]


@pytest.mark.django_db
def test_the_progress_shows_fifty_schools_a_page_the_late_first(client, campaign, department):
    stage = Stage.objects.create(campaign=campaign, kind=Stage.Kind.OTHER, title="Инструктаж", deadline=DEADLINE)
    schools = [SchoolFactory(department=department, code=f"sch77{n:04d}") for n in range(55)]
    for school in schools[:30]:  # done: not late
        StageMark.objects.create(stage=stage, school=school)
    client.force_login(user_with_role(Role.MUNICIPAL_COORDINATOR, department=department, username="mun-progress"))
    url = reverse("procedures:progress", kwargs={"campaign_code": campaign.code})

    first = client.get(url).content.decode()
    second = client.get(url, {"page": "2"}).content.decode()
    late_only = client.get(url, {"late": "1"}).content.decode()

    late, done = [s.code for s in schools[30:]], [s.code for s in schools[:30]]
    assert rows_on(first) == late + done[:25], "the 25 late schools first, then by code"
    assert rows_on(second) == done[25:]
    assert f'data-testid="stage-count-{stage.pk}"><span class="text-success">30</span> / ' in second
    assert "page=2" in first
    assert rows_on(late_only) == late and "page=" not in late_only
