import pytest

from grading.models import Work
from procedures.models import Participant
from tests.factories import PupilFactory
from tests.procedures import conftest as procedures_fixtures

# the campaign fixtures of tests/procedures, shared with the grading tests
campaign = procedures_fixtures.campaign
assessment = procedures_fixtures.assessment
math_assessment = procedures_fixtures.math_assessment


def make_participant(assessment, pupil, *, code="10001", **extra):
    return Participant.objects.create(
        campaign=assessment.campaign,
        assessment=assessment,
        school=pupil.school,
        pupil=pupil,
        school_class=pupil.school_class,
        class_name=pupil.school_class.name,
        sex=pupil.sex,
        code=code,
        **extra,
    )


@pytest.fixture
def work(assessment, pupil):
    participant = make_participant(assessment, pupil)
    return Work.objects.create(participant=participant, assessment=assessment, school=participant.school)


@pytest.fixture
def absent_work(assessment, class_4a):
    participant = make_participant(assessment, PupilFactory(school_class=class_4a), code="10002", absent=True)
    return Work.objects.create(participant=participant, assessment=assessment, school=participant.school)
