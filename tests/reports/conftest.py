import pytest

from tests.factories import make_assessment, make_campaign


@pytest.fixture
def campaign(department):
    return make_campaign(department)


@pytest.fixture
def assessment(campaign):
    return make_assessment(campaign)


@pytest.fixture
def math_assessment(campaign):
    return make_assessment(campaign, code="MA-4", subject="Математика")
