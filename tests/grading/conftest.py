import pytest

from tests.factories import PupilFactory, make_participant, make_work
from tests.procedures import conftest as procedures_fixtures

# the campaign fixtures of tests/procedures, shared with the grading tests
campaign = procedures_fixtures.campaign
assessment = procedures_fixtures.assessment
math_assessment = procedures_fixtures.math_assessment

__all__ = ["make_participant"]  # imported from here by older modules: the factories are its home


@pytest.fixture
def work(assessment, pupil):
    return make_work(make_participant(assessment, pupil))


@pytest.fixture
def absent_work(assessment, class_4a):
    return make_work(make_participant(assessment, PupilFactory(school_class=class_4a), code="10002", absent=True))
