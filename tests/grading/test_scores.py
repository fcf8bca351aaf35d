"""The core of grading: cells, totals and marks, one saved score with its history and conflicts."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from grading.models import ScoreChange
from grading.services.scores import ScoreConflict, cell_parse, score_set
from procedures.models import Task


@pytest.mark.parametrize(
    "raw, text", [("2", "2"), (" 0 ", "0"), ("X", "X"), ("Х", "X"), ("x", "X"), ("", ""), (None, ""), (2.0, "2")]
)
def test_cells_that_are_accepted(raw, text):
    assert cell_parse(raw, max_points=2).text == text


@pytest.mark.parametrize(
    "raw, message",
    [
        ("3", "балл 3 больше максимума 2"),
        ("-1", "балл -1 меньше нуля"),
        ("1.5", "не целый"),
        (1.5, "не целый"),
        ("два", "«два» — не балл"),
    ],
)
def test_cells_that_are_refused_say_why(raw, message):
    with pytest.raises(ValidationError) as error:
        cell_parse(raw, max_points=2)
    assert message in error.value.messages[0]


@pytest.mark.django_db
def test_the_total_and_mark_follow_the_scale_once_every_task_is_graded(work, coordinator):
    tasks = list(work.assessment.tasks.order_by("position"))
    for task in tasks:
        score_set(work=work, task=task, raw=task.max_points, actor=coordinator)
        work.refresh_from_db()
        if task != tasks[-1]:
            assert work.mark is None and not work.is_complete
    assert (work.primary_score, work.mark, work.is_complete) == (24, 5, True)
    score_set(work=work, task=tasks[0], raw="X", actor=coordinator)
    work.refresh_from_db()
    assert (work.primary_score, work.mark) == (22, 5)
    for task in tasks[1:4]:
        score_set(work=work, task=task, raw=0, actor=coordinator)
    work.refresh_from_db()
    assert (work.primary_score, work.mark) == (18, 4)


@pytest.mark.django_db
def test_two_people_editing_one_cell_never_lose_a_value_silently(work, coordinator, role_users):
    from schools.models import Role

    task = work.assessment.tasks.get(label="1")
    first = score_set(work=work, task=task, raw=1, actor=coordinator, base_version=0)
    with pytest.raises(ScoreConflict) as conflict:
        score_set(work=work, task=task, raw=2, actor=role_users[Role.EXPERT], base_version=0)
    assert conflict.value.score.value == 1
    first.refresh_from_db()
    assert first.value == 1 and first.version == 1
    score_set(work=work, task=task, raw=2, actor=role_users[Role.EXPERT], base_version=1)
    assert list(ScoreChange.objects.values_list("old", "new")) == [("1", "2"), ("", "1")]


@pytest.mark.django_db
def test_a_submitted_work_changes_only_with_a_reason(work, coordinator):
    task = work.assessment.tasks.get(label="1")
    score_set(work=work, task=task, raw=1, actor=coordinator)
    work.submitted_at = timezone.now()
    work.save()
    with pytest.raises(ValidationError):
        score_set(work=work, task=task, raw=2, actor=coordinator)
    score_set(work=work, task=task, raw=2, actor=coordinator, reason="ошибка при вводе")
    change = ScoreChange.objects.first()
    assert (change.old, change.new, change.reason) == ("1", "2", "ошибка при вводе")


@pytest.mark.django_db
def test_an_absent_participant_gets_no_scores(absent_work, coordinator):
    with pytest.raises(ValidationError):
        score_set(work=absent_work, task=absent_work.assessment.tasks.first(), raw=1, actor=coordinator)
    assert not absent_work.scores.exists()


@pytest.mark.django_db
def test_saving_the_same_value_changes_nothing(work, coordinator):
    task = work.assessment.tasks.get(label="1")
    score_set(work=work, task=task, raw=2, actor=coordinator)
    score = score_set(work=work, task=task, raw="2", actor=coordinator)
    assert score.version == 1 and ScoreChange.objects.count() == 1


@pytest.mark.django_db
def test_a_score_above_a_maximum_lowered_meanwhile_is_refused(work, coordinator):
    stale = work.assessment.tasks.get(label="1")  # loaded by the editor before the catalogue changed
    Task.objects.filter(pk=stale.pk).update(max_points=stale.max_points - 1)
    with pytest.raises(ValidationError) as error:
        score_set(work=work, task=stale, raw=stale.max_points, actor=coordinator)
    assert f"балл {stale.max_points} больше максимума {stale.max_points - 1}" in error.value.messages[0]
    assert not work.scores.exists() and not ScoreChange.objects.exists()
