"""Small defects of the school's procedures pages, each found when tried as a new user would."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from procedures.services.participants import codes_issue
from procedures.services.schedules import schedule_get_or_create, schedule_submit
from tests.factories import PupilFactory, SchoolClassFactory

from .conftest import make_assessment


def url(name, campaign, school, **kwargs):
    return reverse(f"procedures:{name}", kwargs={"campaign_code": campaign.code, "school_code": school.code, **kwargs})


@pytest.fixture
def two_grades(campaign, school, assessment):
    """Pupils of 10А, 4Б and 4А (created in that order), each writing their grade's work."""
    make_assessment(campaign, code="RU-10", grade=10)
    for grade, letter, name in ((10, "А", "Десятова"), (4, "Б", "Четвертакова"), (4, "А", "Первоклассова")):
        PupilFactory(school_class=SchoolClassFactory(school=school, grade=grade, letter=letter), last_name=name)
    codes_issue(campaign=campaign, school=school, actor=None)


@pytest.mark.django_db
def test_the_participant_list_puts_4a_before_10a(client, campaign, school, two_grades, coordinator):
    client.force_login(coordinator)
    page = client.get(url("participants", campaign, school)).content.decode()
    positions = [page.index(name) for name in ("Первоклассова", "Четвертакова", "Десятова")]
    assert positions == sorted(positions)


@pytest.mark.django_db
def test_a_missing_date_names_the_work_without_a_double_dot(campaign, school, assessment, coordinator):
    SchoolClassFactory(school=school, grade=4, letter="А")
    schedule = schedule_get_or_create(campaign=campaign, school=school)
    with pytest.raises(ValidationError) as refused:
        schedule_submit(schedule=schedule, actor=coordinator)
    message = " ".join(refused.value.messages)
    assert "Не заданы дата и урок" in message and f"«{assessment}»" in message
    assert "кл.." not in message
