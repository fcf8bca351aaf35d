"""The item analysis on the department's municipal assessment page (reports:municipal_assessment): α, a row per
task in the catalogue's order with its difficulty and item-rest correlation, the badge on a weak task; under 30
participants a sentence instead."""

import re

import pytest
from django.urls import reverse

from schools.models import Role
from tests.factories import make_assessment
from tests.grading.test_item_analysis import TASKS, points, rows
from tests.monitoring.test_signals import plant

BADGE = "стоит проверить задание или его оценивание"


def page(client, campaign, assessment) -> str:
    url = reverse(
        "reports:municipal_assessment", kwargs={"campaign_code": campaign.code, "assessment_code": assessment.code}
    )
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def staff_client(client, role_users):
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    return client


@pytest.fixture
def analysed(campaign):
    return make_assessment(campaign, code="T-4", tasks=TASKS, scale={"3": 2, "4": 4, "5": 6})


@pytest.mark.django_db
def test_the_page_shows_the_item_analysis(staff_client, campaign, analysed, school, other_school):
    plant(analysed, school, rows(points(20)))
    plant(analysed, other_school, rows(points(20, start=20)))
    html = page(staff_client, campaign, analysed)
    assert "Анализ заданий" in html
    analysis = re.search(r'data-testid="item-analysis">(.*?)</table>', html, re.S).group(1)
    assert "α Кронбаха" in analysis
    items = re.findall(r'<tr data-item="([^"]+)">(.*?)</tr>', analysis, re.S)
    assert [label for label, _row in items] == ["A", "B", "C", "D"]
    cells = dict(items)
    assert BADGE in cells["B"] and BADGE not in cells["A"] and BADGE not in cells["C"]
    assert "0,49" in cells["A"]  # difficulty 0.975 / 2 = 0.4875
    assert "0,74" in cells["A"]  # item-rest r 0.743
    assert "1,00" in cells["D"] and "—" in cells["D"]  # a constant task: no correlation


@pytest.mark.django_db
def test_under_thirty_participants_the_page_says_so(staff_client, campaign, analysed, school):
    plant(analysed, school, rows(points(29)))
    html = page(staff_client, campaign, analysed)
    assert "Анализ заданий" in html
    assert "нужно не меньше 30 участников" in html
    assert BADGE not in html
