"""The procedure's factories build records the models accept as they are (validation and constraints)."""

import pytest

from procedures.models import Campaign, campaign_kind_problems
from tests.factories import (
    PupilFactory,
    make_assessment,
    make_campaign,
    make_participant,
    make_room,
    make_score,
    make_sitting,
    make_sitting_room,
    make_work,
)


@pytest.mark.django_db
def test_every_factory_builds_a_valid_record(school, class_4a):
    campaign = make_campaign()
    assessment = make_assessment(campaign)
    pupil = PupilFactory(school_class=class_4a)
    participant = make_participant(assessment, pupil)
    sitting = make_sitting(assessment, school)
    sitting_room = make_sitting_room(sitting)
    work = make_work(participant)
    score = make_score(work)
    for record in (campaign, assessment, participant, sitting, sitting_room.room, sitting_room, work, score):
        record.full_clean()
    assert campaign_kind_problems(campaign) == {}
    assert [task.max_points for task in assessment.tasks.order_by("position")][:3] == [2, 1, 1]
    assert (participant.campaign, participant.school, participant.class_name) == (campaign, school, "4А")
    assert sitting.date == campaign.window_start and sitting_room.room.school == school
    assert (work.assessment, work.school, score.task.label) == (assessment, school, "1")


@pytest.mark.django_db
def test_overrides_reach_the_record(department, school):
    campaign = make_campaign(department, code="STAT-2026", kind=Campaign.Kind.STATGRAD, upload_deadline=None)
    assessment = make_assessment(campaign, code="MA-5", subject="Математика", grade=5, tasks=[("1", 3), ("2", 1)])
    anonymous = make_participant(assessment, school=school, class_name="5Б", code="20001", absent=True)
    room = make_room(school, name="Актовый зал", rows=5, columns=6)
    campaign.full_clean()
    assert campaign_kind_problems(campaign) == {}
    assert [(t.label, t.max_points, t.difficulty) for t in assessment.tasks.order_by("position")] == [
        ("1", 3, "Б"),
        ("2", 1, "Б"),
    ]
    assert anonymous.pupil is None and anonymous.absent and anonymous.class_name == "5Б"
    assert (room.rows, room.columns) == (5, 6)
