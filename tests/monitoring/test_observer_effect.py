"""The observer effect (monitoring/observer_effect.py): per assessment in the municipality, the participants who
wrote with a public observer in the room beside those who wrote without — a seated participant by the room the
observer was placed in, an unseated one by the class's sitting; cancelled assignments and other stages do not count.
Group sizes, mark shares and the mean mark with grading.figures' rounding; small groups warned about and hidden
(with their complement); the department's page with a chart and a table names no school; the case page shows a
panel to the department only."""

import datetime
import itertools

import pytest
from django.urls import reverse

from grading.figures import figures_compute, tallies_raw
from monitoring.cases import case_ask
from monitoring.models import ObservationAssignment, Person, SignalCase, Stage
from monitoring.observer_effect import observer_effect
from procedures.models import ScheduleEntry, SchoolSchedule, Seat
from schools.models import Role
from tests.factories import (
    SchoolClassFactory,
    SchoolFactory,
    make_assessment,
    make_campaign,
    make_participant,
    make_room,
    make_sitting,
    make_sitting_room,
    make_work,
    user_with_role,
)

_codes = itertools.count(20001)
SCORE_OF = {2: 5, 3: 12, 4: 17, 5: 22}


def plant(assessment, school, marks, *, sitting_room=None, class_name="4А"):
    """Participants of the school with complete works of these marks, seated in `sitting_room` when given."""
    for index, mark in enumerate(marks):
        participant = make_participant(assessment, school=school, class_name=class_name, code=str(next(_codes)))
        make_work(participant, mark=mark, primary_score=SCORE_OF[mark], is_complete=True)
        if sitting_room is not None:
            row, column = divmod(index, 10)
            Seat.objects.create(sitting_room=sitting_room, participant=participant, row=row + 1, column=column + 1)


def observe(sitting, department, *, sitting_room=None, stage=Stage.CONDUCT, cancelled=False):
    user = user_with_role(Role.OBSERVER, department=department)
    person = Person.objects.create(department=department, user=user, kind=Person.Kind.OBSERVER)
    return ObservationAssignment.objects.create(
        person=person,
        sitting=sitting,
        stage=stage,
        sitting_room=sitting_room,
        cancelled_at=datetime.datetime(2026, 4, 20, tzinfo=datetime.UTC) if cancelled else None,
    )


@pytest.fixture
def ru4(department):
    return make_assessment(make_campaign(department))


@pytest.fixture
def municipality(ru4, school, other_school, department):
    """A: two rooms, an observer placed in the first; B: no seating, an observer not placed in a room; C: no
    seating, an observer whose assignment was cancelled and one at the marking stage only."""
    sitting_a = make_sitting(ru4, school)
    room_1 = make_sitting_room(sitting_a, make_room(school, name="Кабинет 1"))
    room_2 = make_sitting_room(sitting_a, make_room(school, name="Кабинет 2"))
    observe(sitting_a, department, sitting_room=room_1)
    plant(ru4, school, [5] * 4 + [4] * 4 + [3] * 3 + [2], sitting_room=room_1)  # 12
    plant(ru4, school, [5] * 1 + [4] * 3 + [3] * 3 + [2] * 1, sitting_room=room_2)  # 8
    sitting_b = make_sitting(ru4, other_school)
    observe(sitting_b, department)
    plant(ru4, other_school, [5] * 2 + [4] * 2 + [3] * 1 + [2] * 1)  # 6
    school_c = SchoolFactory(department=department)
    sitting_c = make_sitting(ru4, school_c)
    observe(sitting_c, department, cancelled=True)
    observe(sitting_c, department, stage=Stage.MARKING)
    plant(ru4, school_c, [5] * 1 + [4] * 3 + [3] * 5 + [2] * 1)  # 10
    # neither group: absent, and a work not fully graded
    absent = make_participant(ru4, school=school_c, code=str(next(_codes)), absent=True)
    make_work(absent)
    make_work(make_participant(ru4, school=school_c, code=str(next(_codes))), is_complete=False)
    return ru4


def test_groups_sizes_shares_and_means(municipality):
    effect = observer_effect(municipality)
    observed, unobserved = effect.observed, effect.unobserved
    # observed: room 1 (12) + school B's class (6) = 18: «5» 6, «4» 6, «3» 4, «2» 2
    assert (observed.participants, observed.rooms, observed.classes) == (18, 1, 1)
    assert observed.mark_counts == {"2": 2, "3": 4, "4": 6, "5": 6}
    assert observed.marks == {"2": 11.1, "3": 22.2, "4": 33.3, "5": 33.3}
    assert observed.mean_mark == 3.9  # 70 / 18 = 3.89
    # unobserved: room 2 (8) + school C's class (10) = 18: «5» 2, «4» 6, «3» 8, «2» 2
    assert (unobserved.participants, unobserved.rooms, unobserved.classes) == (18, 1, 1)
    assert unobserved.mark_counts == {"2": 2, "3": 8, "4": 6, "5": 2}
    assert unobserved.marks == {"2": 11.1, "3": 44.4, "4": 33.3, "5": 11.1}
    assert unobserved.mean_mark == 3.4  # 62 / 18 = 3.44
    assert effect.difference == {"marks": {"2": 0.0, "3": -22.2, "4": 0.0, "5": 22.2}, "mean_mark": 0.5}
    assert not observed.small_sample and not observed.hidden


def test_the_rounding_is_grading_figures(ru4, school, department):
    sitting = make_sitting(ru4, school)
    room = make_sitting_room(sitting)
    observe(sitting, department, sitting_room=room)
    # 20 participants: shares 25 % and 75 %; the mean mark 65 / 20 = 3.25 → 3.3 half up (Python's round gives 3.2)
    plant(ru4, school, [4] * 5 + [3] * 15, sitting_room=room)
    effect = observer_effect(ru4)
    expected = figures_compute(tallies_raw(assessment=ru4, school=school)[None], tasks=[], hide_small=True)
    assert effect.observed.marks == expected.marks == {"2": 0.0, "3": 75.0, "4": 25.0, "5": 0.0}
    assert effect.observed.mean_score == expected.mean_score
    assert effect.observed.mean_mark == 3.3 != round(65 / 20, 1)
    assert effect.unobserved.participants == 0 and effect.difference is None


def test_a_class_is_placed_by_the_schools_schedule_when_there_are_several_sittings(ru4, school, department):
    lesson_2 = make_sitting(ru4, school, lesson=2)
    make_sitting(ru4, school, lesson=3)
    observe(lesson_2, department)
    schedule = SchoolSchedule.objects.create(campaign=ru4.campaign, school=school)
    for letter, lesson in (("А", 2), ("Б", 3)):
        school_class = SchoolClassFactory(school=school, grade=4, letter=letter)
        ScheduleEntry.objects.create(
            schedule=schedule, assessment=ru4, school_class=school_class, date=lesson_2.date, lesson=lesson
        )
    plant(ru4, school, [5] * 7, class_name="4А")
    plant(ru4, school, [3] * 9, class_name="4Б")
    effect = observer_effect(ru4)
    assert (effect.observed.participants, effect.observed.mark_counts["5"]) == (7, 7)
    assert (effect.unobserved.participants, effect.unobserved.mark_counts["3"]) == (9, 9)
    assert effect.observed.small_sample and not effect.observed.hidden  # 7: a warning, figures shown
    assert effect.observed.marks["5"] == 100.0


def test_a_group_under_five_is_hidden_and_so_is_its_complement(ru4, school, other_school, department):
    sitting = make_sitting(ru4, school)
    observe(sitting, department)
    plant(ru4, school, [5, 5, 4, 4])  # 4 observed
    make_sitting(ru4, other_school)
    plant(ru4, other_school, [3] * 30)
    effect = observer_effect(ru4)
    assert effect.observed.participants == 4 and effect.observed.hidden
    assert effect.observed.marks == {"2": None, "3": None, "4": None, "5": None} and effect.observed.mean_mark is None
    # the municipality's figures are published: the 30 would give the 4 away
    assert effect.unobserved.hidden and effect.unobserved.mean_mark is None
    assert effect.difference is None


def test_the_department_page_shows_chart_and_table_and_names_no_school(client, role_users, municipality, school):
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    response = client.get(reverse("monitoring:observer_effect", args=[municipality.campaign.code, municipality.code]))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-chart="marks"' in page and 'id="observer-effect-marks-data"' in page
    assert 'data-testid="participants-observed">18<' in page
    assert 'data-testid="mark-5-observed">33,3<' in page and 'data-testid="mean-mark-unobserved">3,4<' in page
    assert "не вывод о какой-либо школе" in page
    assert school.code not in page and school.short_name not in page and "sch66" not in page


def test_without_observers_the_page_says_so(client, role_users, ru4, school):
    make_sitting(ru4, school)
    plant(ru4, school, [4] * 6)
    client.force_login(role_users[Role.MUNICIPAL_COORDINATOR])
    page = client.get(reverse("monitoring:observer_effect", args=[ru4.campaign.code, ru4.code])).content.decode()
    assert 'data-testid="no-observers"' in page and 'data-chart="marks"' not in page


def test_the_case_page_shows_the_panel_to_the_department_only(client, role_users, municipality, school):
    case = SignalCase.objects.create(
        campaign=municipality.campaign,
        assessment=municipality,
        school=school,
        kind="high_results",
        evidence_at_opening={"school": 80.0, "municipality": 55.0},
        evidence={"school": 80.0, "municipality": 55.0},
    )
    case_ask(case=case, text="Вопрос", actor=role_users[Role.DEPARTMENT_STAFF])
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    page = client.get(reverse("monitoring:case", args=[case.pk])).content.decode()
    assert 'data-testid="observer-effect-panel"' in page and 'data-testid="participants-observed">18<' in page
    assert reverse("monitoring:observer_effect", args=[municipality.campaign.code, municipality.code]) in page
    client.force_login(role_users[Role.DIRECTOR])
    page = client.get(reverse("monitoring:case", args=[case.pk])).content.decode()
    assert 'data-testid="observer-effect-panel"' not in page


def test_the_signals_page_links_each_assessment(client, role_users, ru4):
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    page = client.get(reverse("monitoring:campaign_signals", args=[ru4.campaign.code])).content.decode()
    assert reverse("monitoring:observer_effect", args=[ru4.campaign.code, ru4.code]) in page
