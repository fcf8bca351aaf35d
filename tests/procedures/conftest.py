import pytest

# make_assessment and make_campaign are imported from here by older modules: the factories are their home
from tests.factories import YEKATERINBURG, make_assessment, make_campaign

__all__ = ["YEKATERINBURG", "make_assessment", "make_campaign"]


@pytest.fixture
def campaign(department):
    return make_campaign(department)


@pytest.fixture
def assessment(campaign):
    return make_assessment(campaign)


@pytest.fixture
def math_assessment(campaign):
    return make_assessment(
        campaign,
        code="MA-4",
        subject="Математика",
        tasks=[(str(i), 1 if i < 8 else 2, "Б" if i < 8 else "П") for i in range(1, 13)],
        scale={"3": 6, "4": 10, "5": 14},
    )
