"""Score entry services: the R10 opening in the school's time zone, one grid cell, the expert's submission and
its lock, the coordinator's journal marks."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from grading.models import ScoreChange, Work
from grading.selectors.entry import grading_openings, grading_opens_at
from grading.services.distribution import BY_CLASS, works_distribute
from grading.services.entry import grid_cell_save, journal_mark_parse, journal_mark_set, works_submit
from tests.factories import SchoolFactory, make_sitting
from tests.grading.test_distribution import add_participants, appoint_expert, experts, participants, sitting

__all__ = ["experts", "participants", "sitting"]  # fixtures shared with test_distribution.py

UTC = datetime.UTC


def at(year, month, day, hour, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def kaliningrad(department):
    return SchoolFactory(
        department=department, code="sch390001", short_name="Школа (Калининград)", time_zone="Europe/Kaliningrad"
    )


@pytest.mark.django_db
def test_grading_opens_at_the_criteria_hour_of_the_sitting_day_in_each_schools_zone(assessment, school, kaliningrad):
    """R10, R16: 14:00 in Yekaterinburg (UTC+5) is 09:00 UTC; 14:00 in Kaliningrad (UTC+2) is 12:00 UTC."""
    for each in (school, kaliningrad):
        make_sitting(assessment, each, date=datetime.date(2026, 4, 23), lesson=2)
    yekaterinburg_opens = grading_opens_at(assessment=assessment, school=school)
    kaliningrad_opens = grading_opens_at(assessment=assessment, school=kaliningrad)
    assert yekaterinburg_opens == at(2026, 4, 23, 9)
    assert kaliningrad_opens == at(2026, 4, 23, 12)
    assert yekaterinburg_opens.tzinfo == zoneinfo.ZoneInfo("Asia/Yekaterinburg")
    assert grading_openings([(assessment, school), (assessment, kaliningrad)]) == {
        (assessment.pk, school.pk): yekaterinburg_opens,
        (assessment.pk, kaliningrad.pk): kaliningrad_opens,
    }


@pytest.mark.django_db
def test_the_earliest_sitting_and_the_campaigns_hour_count(assessment, school):
    campaign = assessment.campaign
    campaign.criteria_open_time = datetime.time(15, 30)
    campaign.save()
    # no sitting recorded (results loaded in a batch): the first day of the federal window is the day
    assert grading_opens_at(assessment=assessment, school=school) == at(2026, 4, 20, 10, 30)
    for day, lesson in ((24, 3), (22, 2)):
        make_sitting(assessment, school, date=datetime.date(2026, 4, day), lesson=lesson)
    assessment.refresh_from_db()
    assert grading_opens_at(assessment=assessment, school=school) == at(2026, 4, 22, 10, 30)


@pytest.fixture
def assigned(assessment, school, participants, experts, coordinator):
    works_distribute(assessment=assessment, school=school, mode=BY_CLASS, actor=coordinator)
    return Work.objects.filter(expert=experts[0]).select_related("participant", "assessment__campaign", "school")


@pytest.mark.django_db
def test_a_cell_is_refused_before_grading_opens_in_the_schools_zone(assessment, school, kaliningrad, coordinator):
    """The same instant, 10:00 UTC: open in Yekaterinburg (since 09:00 UTC), not yet in Kaliningrad (12:00 UTC)."""
    expert_here = appoint_expert(assessment, school, last_name="Зимина", username="zimina")
    expert_there = appoint_expert(assessment, kaliningrad, last_name="Летова", username="letova")
    task = assessment.tasks.get(label="1")
    now = at(2026, 4, 23, 10)
    for each, first_code in ((school, 10001), (kaliningrad, 20001)):
        make_sitting(assessment, each, date=datetime.date(2026, 4, 23), lesson=2)
        add_participants(assessment, each, {"4А": 1}, first_code=first_code)
        works_distribute(assessment=assessment, school=each, mode=BY_CLASS, actor=coordinator)
    here = Work.objects.select_related("assessment__campaign", "school", "participant").get(school=school)
    there = Work.objects.select_related("assessment__campaign", "school", "participant").get(school=kaliningrad)
    saved = grid_cell_save(
        work=here, task=task, raw="2", actor=expert_here.user, base_version=0, as_manager=False, now=now
    )
    assert saved.score.value == 2
    with pytest.raises(ValidationError) as refusal:
        grid_cell_save(
            work=there, task=task, raw="2", actor=expert_there.user, base_version=0, as_manager=False, now=now
        )
    assert refusal.value.messages == ["Проверка откроется 23.04.2026 в 14:00 по местному времени школы."]
    assert not there.scores.exists()


@pytest.mark.django_db
def test_a_cell_without_a_sitting_opens_on_the_first_day_of_the_window(assessment, school, experts, coordinator):
    add_participants(assessment, school, {"4А": 1})
    works_distribute(assessment=assessment, school=school, mode=BY_CLASS, actor=coordinator)
    work = Work.objects.select_related("assessment__campaign", "school", "participant").get()
    task = assessment.tasks.first()
    with pytest.raises(ValidationError) as refusal:
        grid_cell_save(
            work=work,
            task=task,
            raw="1",
            actor=work.expert.user,
            base_version=0,
            as_manager=False,
            now=at(2026, 4, 20, 8, 59),
        )
    assert refusal.value.messages == ["Проверка откроется 20.04.2026 в 14:00 по местному времени школы."]
    saved = grid_cell_save(
        work=work,
        task=task,
        raw="1",
        actor=work.expert.user,
        base_version=0,
        as_manager=False,
        now=at(2026, 4, 20, 9),
    )
    assert saved.score.value == 1


def fill(work, value_of=lambda task: task.max_points):
    for task in work.assessment.tasks.order_by("position"):
        grid_cell_save(
            work=work, task=task, raw=value_of(task), actor=work.expert.user, base_version=0, as_manager=False
        )


@pytest.mark.django_db
def test_the_expert_submits_once_every_work_is_graded_and_then_cannot_change_it(assigned, assessment, school, experts):
    expert = experts[0].user
    works = list(assigned)
    for work in works[:-1]:
        fill(work)
    with pytest.raises(ValidationError, match="Проверены не все работы") as refusal:
        works_submit(assessment=assessment, school=school, actor=expert)
    assert works[-1].participant.code in refusal.value.messages[0]
    assert not Work.objects.filter(submitted_at__isnull=False).exists()

    fill(works[-1], lambda task: "X" if task.label == "1" else task.max_points)
    assert works_submit(assessment=assessment, school=school, actor=expert) == len(works)
    assert not assigned.filter(submitted_at__isnull=True).exists()
    work = assigned.first()
    with pytest.raises(ValidationError, match="только школьный координатор"):
        grid_cell_save(
            work=work, task=assessment.tasks.first(), raw="0", actor=expert, base_version=1, as_manager=False
        )
    # the works of the other experts are theirs to submit
    assert Work.objects.filter(expert=experts[1], submitted_at__isnull=True).exists()


@pytest.mark.django_db
def test_after_submission_the_coordinator_changes_a_score_only_with_a_reason(
    assigned, assessment, school, experts, coordinator
):
    for work in assigned:
        fill(work)
    works_submit(assessment=assessment, school=school, actor=experts[0].user)
    work = assigned.first()
    task = assessment.tasks.get(label="1")
    with pytest.raises(ValidationError, match="укажите причину"):
        grid_cell_save(work=work, task=task, raw="1", actor=coordinator, base_version=1, as_manager=True)
    saved = grid_cell_save(
        work=work, task=task, raw="1", actor=coordinator, base_version=1, as_manager=True, reason="ошибка переноса"
    )
    assert (saved.primary_score, saved.mark) == (23, 5)
    change = ScoreChange.objects.filter(work=work).latest("changed_at", "id")
    assert (change.old, change.new, change.reason, change.changed_by) == ("2", "1", "ошибка переноса", coordinator)


@pytest.mark.django_db
def test_an_expert_with_nothing_to_submit_is_told_so(assessment, school, experts):
    with pytest.raises(ValidationError, match="Нет несданных работ"):
        works_submit(assessment=assessment, school=school, actor=experts[0].user)


@pytest.mark.parametrize("raw, mark", [("", None), (" 4 ", 4), ("2", 2), ("5", 5), (None, None)])
def test_journal_marks_that_are_accepted(raw, mark):
    assert journal_mark_parse(raw) == mark


@pytest.mark.parametrize("raw", ["1", "6", "4+", "отл"])
def test_journal_marks_that_are_refused(raw):
    with pytest.raises(ValidationError, match="2, 3, 4 или 5"):
        journal_mark_parse(raw)


@pytest.mark.django_db
def test_a_journal_mark_is_saved_on_the_work_and_kept_in_the_history(assessment, school, participants, coordinator):
    participant = participants[0]
    work = journal_mark_set(participant=participant, mark=4, actor=coordinator)  # the work is created if missing
    assert Work.objects.get(participant=participant).journal_mark == 4
    journal_mark_set(participant=participant, mark=4, actor=coordinator)  # unchanged: no history line
    journal_mark_set(participant=participant, mark=None, actor=coordinator)
    changes = list(ScoreChange.objects.filter(work=work, field="journal_mark").order_by("id"))
    assert [(c.old, c.new, c.changed_by) for c in changes] == [("", "4", coordinator), ("4", "", coordinator)]
    assert Work.objects.get(participant=participant).journal_mark is None
