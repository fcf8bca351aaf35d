"""The item analysis of an assessment at the municipal level (grading/item_analysis.py): difficulty, item-rest
correlation and Cronbach's α against a direct computation on planted scores, over the participants the figures
count and the schools of the department only, read from the summary rows; None under 30 participants; a fixed
number of queries."""

import statistics

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grading.item_analysis import MIN_PARTICIPANTS, item_analysis
from grading.models import Score, Work
from grading.summaries import summaries_refresh
from procedures.models import Participant
from tests.factories import DepartmentFactory, SchoolFactory, make_assessment, make_campaign
from tests.monitoring.test_signals import plant

# A and C go with the rest of the work, B does not (it deserves a look), D is the same for everyone.
TASKS = [("A", 2, "Б"), ("B", 1, "П"), ("C", 3, "В"), ("D", 1, "Б")]


def points(n: int, start: int = 0) -> list[tuple]:
    return [(i % 3, (i // 3) % 2 if i % 4 else 1 - i % 2, min(3, i % 3 + i % 2), 1) for i in range(start, start + n)]


def rows(points_list) -> list[tuple]:
    return [(p, None) for p in points_list]


def expected_alpha(matrix: list[tuple]) -> float:
    k = len(matrix[0])
    task_variances = sum(statistics.variance([row[i] for row in matrix]) for i in range(k))
    return k / (k - 1) * (1 - task_variances / statistics.variance([sum(row) for row in matrix]))


@pytest.fixture
def assessment(db):
    department = DepartmentFactory()
    return make_assessment(make_campaign(department), code="T-4", tasks=TASKS, scale={"3": 2, "4": 4, "5": 6})


@pytest.fixture
def schools(assessment):
    department = assessment.campaign.department
    return SchoolFactory(department=department, code="sch660010"), SchoolFactory(
        department=department, code="sch660011"
    )


def plant_others(assessment, school) -> None:
    """Participants the analysis leaves out: absent, with an incomplete work, and exempt."""
    plant(assessment, school, rows(points(3)))
    works = list(Work.objects.filter(school=school).order_by("-pk")[:3])
    Participant.objects.filter(pk=works[0].participant_id).update(absent=True)
    Work.objects.filter(pk=works[1].pk).update(is_complete=False)
    Participant.objects.filter(pk=works[2].participant_id).update(status=Participant.Status.EXEMPT)
    summaries_refresh(school_id=school.pk, assessment_ids=[assessment.pk])


@pytest.mark.django_db
def test_difficulty_item_rest_and_alpha_match_a_direct_computation(assessment, schools):
    matrix = points(40)
    plant(assessment, schools[0], rows(matrix[:25]))
    plant(assessment, schools[1], rows(matrix[25:]))
    plant_others(assessment, schools[1])
    foreign = SchoolFactory(department=DepartmentFactory(code="uo-other"), code="sch990001")
    plant(assessment, foreign, rows([(0, 1, 0, 1)] * 10))  # another department's school is not the municipality's

    analysis = item_analysis(assessment)

    assert analysis.participants == 40
    assert [item.label for item in analysis.items] == ["A", "B", "C", "D"]  # the catalogue's order
    assert [item.level for item in analysis.items] == ["Б", "П", "В", "Б"]
    assert [item.skill for item in analysis.items] == ["1.1", "2.1", "3.1", "4.1"]
    for index, item in enumerate(analysis.items):
        column = [row[index] for row in matrix]
        assert item.max_points == TASKS[index][1]
        assert item.difficulty == pytest.approx(statistics.mean(column) / TASKS[index][1])
        if index == 3:
            continue
        rest = [sum(row) - row[index] for row in matrix]
        assert item.item_rest == pytest.approx(statistics.correlation(column, rest))
    a, b, c, d = analysis.items
    assert a.item_rest > 0.2 and not a.weak
    assert c.item_rest > 0.2 and not c.weak
    assert b.item_rest < 0.2 and b.weak
    assert d.difficulty == 1.0 and d.item_rest is None and not d.weak  # a constant task has no correlation
    assert analysis.alpha == pytest.approx(expected_alpha(matrix))


@pytest.mark.django_db
def test_a_task_not_attempted_counts_zero(assessment, schools):
    matrix = points(MIN_PARTICIPANTS)
    plant(assessment, schools[0], rows(matrix))
    first = Score.objects.filter(task__label="A", value__gt=0).order_by("pk").first()
    Score.objects.filter(pk=first.pk).update(value=None, not_attempted=True)
    summaries_refresh(school_id=schools[0].pk, assessment_ids=[assessment.pk])
    changed = [list(row) for row in matrix]
    changed[[w.pk for w in Work.objects.order_by("pk")].index(first.work_id)][0] = 0
    analysis = item_analysis(assessment)
    assert analysis.items[0].difficulty == pytest.approx(statistics.mean(row[0] for row in changed) / 2)


@pytest.mark.django_db
def test_none_under_thirty_participants(assessment, schools):
    plant(assessment, schools[0], rows(points(MIN_PARTICIPANTS - 1)))
    plant_others(assessment, schools[1])  # present in the assessment, but not counted
    assert item_analysis(assessment) is None
    plant(assessment, schools[1], rows(points(1)))
    assert item_analysis(assessment).participants == MIN_PARTICIPANTS


@pytest.mark.django_db
def test_the_queries_do_not_grow_with_the_participants(assessment, schools):
    plant(assessment, schools[0], rows(points(30)))
    with CaptureQueriesContext(connection) as small:
        item_analysis(assessment)
    plant(assessment, schools[1], rows(points(90)))
    with CaptureQueriesContext(connection) as large:
        assert item_analysis(assessment).participants == 120
    assert len(small) == len(large) == 4  # with the read of the results stamp (grading/cache.py)
