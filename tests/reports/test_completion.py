"""Completion by level Б/П/В, by skill and by mark group (grading/completion.py), and the complementary suppression
of small groups, against numbers computed by hand from the participants of tests/reports/test_figures.py."""

import pytest

from grading.completion import (
    complementary,
    completion_by_level,
    completion_by_mark,
    completion_by_skill,
    mark_participants,
    side_by_side,
    sum_tallies,
)
from grading.figures import Tally, figures_compute, tallies
from procedures.models import Task
from tests.factories import SchoolFactory, make_assessment
from tests.reports.test_figures import PEOPLE, SCALE, TASKS, record

# The seven counted participants of PEOPLE (A max 2, B max 1, both Б; C max 3, П):
#   «5» 10001 (2, 1, 3); «4» 10002 (2, 1, 1), 10101 (2, X, 2), 10103 (2, 1, 2); «3» 10003 (X, 1, 2);
#   «2» 10004 (1, 0, 0), 10102 (0, 0, X).  Σ points: A 9, B 4, C 10.


@pytest.fixture
def small(campaign):
    assessment = make_assessment(campaign, code="T-4", tasks=TASKS, scale=SCALE)
    Task.objects.filter(assessment=assessment, label__in=["A", "C"]).update(skill="1.2 Орфография")
    Task.objects.filter(assessment=assessment, label="B").update(skill="2.1 Пунктуация")
    return assessment


def school_tally(assessment, school) -> Tally:
    return tallies(assessment=assessment, school=school)[None]


@pytest.mark.django_db
def test_completion_by_level_is_points_over_max_times_participants(small, school):
    record(small, school, PEOPLE)
    tasks = list(small.tasks.order_by("position"))
    levels = completion_by_level(school_tally(small, school), tasks)
    # Б: (9 + 4) / ((2 + 1) × 7) = 61.90…; П: 10 / (3 × 7) = 47.61…; no В task, no В row
    assert [(g.key, g.labels, g.max_points, g.share) for g in levels] == [
        ("Б", ("A", "B"), 3, 61.9),
        ("П", ("C",), 3, 47.6),
    ]


@pytest.mark.django_db
def test_completion_by_skill_groups_the_tasks_of_a_skill(small, school):
    record(small, school, PEOPLE)
    tasks = list(small.tasks.order_by("position"))
    skills = completion_by_skill(school_tally(small, school), tasks)
    # 1.2: (9 + 10) / (5 × 7) = 54.28…; 2.1: 4 / 7 = 57.14…
    assert [(g.key, g.labels, g.share) for g in skills] == [
        ("1.2 Орфография", ("A", "C"), 54.3),
        ("2.1 Пунктуация", ("B",), 57.1),
    ]


@pytest.mark.django_db
def test_completion_by_mark_group_counts_each_marks_participants_apart(small, school):
    record(small, school, PEOPLE)
    tasks = list(small.tasks.order_by("position"))
    tally = school_tally(small, school)
    assert mark_participants(tally) == {"2": 2, "3": 1, "4": 3, "5": 1}
    groups = {group.mark: group for group in completion_by_mark(tally, tasks)}
    assert groups["5"].tasks == {"A": 100.0, "B": 100.0, "C": 100.0}
    assert groups["4"].tasks == {"A": 100.0, "B": 66.7, "C": 55.6}  # 6/6, 2/3, 5/9
    assert groups["3"].tasks == {"A": 0.0, "B": 100.0, "C": 66.7}  # 0/2, 1/1, 2/3
    assert groups["2"].tasks == {"A": 25.0, "B": 0.0, "C": 0.0}  # 1/4, 0/2, 0/6
    assert groups["4"].participants == 3 and not groups["4"].hidden
    # every mark group has fewer than five: in a department view none shows a percentage
    hidden = completion_by_mark(tally, tasks, hide_small=True)
    assert all(group.hidden and set(group.tasks.values()) == {None} for group in hidden)


def test_a_mark_group_without_participants_has_no_share():
    tally = Tally()
    tally.results[(3, 5, None)] += 6
    tally.task_points_by_mark[(5, 1)] += 12
    tally.task_points[1] += 12

    class T:
        pk, label, max_points = 1, "1", 2

    groups = {group.mark: group for group in completion_by_mark(tally, [T()], hide_small=True)}
    assert groups["5"].tasks == {"1": 100.0} and not groups["5"].hidden
    assert groups["2"].tasks == {"1": None} and groups["2"].participants == 0


def test_one_small_group_hides_the_smallest_other_too():
    assert complementary({"a": 3, "b": 12, "c": 7, "d": 7}) == {"a", "c"}  # c before d at equal size
    assert complementary({"a": 3, "b": 4, "c": 7}) == {"a", "b"}  # two hidden: nothing to add
    assert complementary({"a": 6, "b": 12}) == set()
    assert complementary({"a": 3}) == {"a"}
    assert complementary({"a": 0, "b": 3, "c": 9}) == {"b", "c"}  # an empty group hides nothing
    assert complementary({"x": 2, "y": 8, "z": 8}, order=lambda key: {"x": 0, "y": 2, "z": 1}[key]) == {"x", "z"}


@pytest.mark.django_db
def test_the_sum_of_the_schools_tallies_is_the_municipalitys(small, school, other_school, department):
    third = SchoolFactory(department=department, code="sch660003")
    record(small, school, PEOPLE)
    record(small, third, PEOPLE[:4])
    tasks = list(small.tasks.order_by("position"))
    by_school = tallies(assessment=small, group="school")
    summed = sum_tallies(by_school.values())
    whole = tallies(assessment=small)[None]
    assert summed == whole
    assert figures_compute(summed, tasks=tasks) == figures_compute(whole, tasks=tasks)
    rows = side_by_side(completion_by_level(by_school[school.pk], tasks), completion_by_level(summed, tasks))
    # the municipality: Б (9 + 4 + 5 + 3) / (3 × 11) = 63.63…; П (10 + 6) / (3 × 11) = 48.48…
    assert [(group.key, shares) for group, shares in rows] == [("Б", [61.9, 63.6]), ("П", [47.6, 48.5])]


def test_one_small_mark_group_hides_the_smallest_other_in_a_department_view():
    class T:
        pk, label, max_points = 1, "1", 1

    tally = Tally()
    for mark, n in ((2, 3), (3, 12), (4, 7)):  # nobody with «5»
        tally.results[(mark, mark, None)] += n
        tally.task_points_by_mark[(mark, 1)] += n - 1
        tally.task_points[1] += n - 1
    groups = {group.mark: group for group in completion_by_mark(tally, [T()], hide_small=True)}
    # «2» (3) hidden; «4» (7), the smallest other, with it: «2» = whole − «3» − «4» otherwise
    assert {mark: group.hidden for mark, group in groups.items()} == {"2": True, "3": False, "4": True, "5": False}
    assert groups["3"].tasks == {"1": 91.7}  # 11 / 12
    assert groups["4"].tasks == {"1": None} and groups["4"].participants == 7 and not groups["4"].whole_hidden
    shown = {group.mark: group.tasks["1"] for group in completion_by_mark(tally, [T()])}
    assert shown == {"2": 66.7, "3": 91.7, "4": 85.7, "5": None}
