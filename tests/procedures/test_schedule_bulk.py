"""One date and lesson for several classes, a whole parallel and several assessments at once: all or nothing,
with the checks of the per-class schedule, audited once."""

import datetime

import pytest
from django.urls import reverse

from procedures.models import ClassAssignment, SchoolSchedule
from procedures.services.schedules import schedule_get_or_create, schedule_state
from schools.models import AuditEntry, Role
from tests.factories import SchoolClassFactory, user_with_role

TUESDAY = datetime.date(2026, 4, 21)
SATURDAY = datetime.date(2026, 4, 25)


@pytest.fixture
def classes(school):
    return {
        name: SchoolClassFactory(school=school, academic_year=2025, grade=4, letter=name[-1]) for name in ("4А", "4Б")
    }


def bulk_url(campaign, school):
    return reverse("procedures:schedule_bulk", kwargs={"campaign_code": campaign.code, "school_code": school.code})


def entries(campaign, school):
    return sorted(
        SchoolSchedule.objects.get(campaign=campaign, school=school).entries.values_list(
            "school_class__letter", "assessment__code", "date", "lesson", "confirmed_warnings"
        )
    )


@pytest.mark.django_db
def test_a_whole_parallel_gets_one_date_and_lesson_audited_once(
    client, campaign, school, assessment, math_assessment, classes, coordinator
):
    client.force_login(coordinator)
    assert client.get(bulk_url(campaign, school)).status_code == 200
    response = client.post(
        bulk_url(campaign, school),
        {"assessments": [assessment.pk], "grades": ["4"], "date": TUESDAY.isoformat(), "lesson": "2"},
    )
    assert response.status_code == 302
    assert entries(campaign, school) == [("А", "RU-4", TUESDAY, 2, []), ("Б", "RU-4", TUESDAY, 2, [])]
    audit = AuditEntry.objects.get(action="schedule.bulk_set")
    assert "2 пар" in audit.reason
    assert set(audit.after) == {"4А RU-4", "4Б RU-4"}
    assert not AuditEntry.objects.filter(action="schedule.saved").exists()
    # the per-class editing stays: the page shows the dates set, each in its own row
    page = client.get(reverse("procedures:schedule", args=[campaign.code, school.code])).content.decode()
    assert 'data-testid="schedule-bulk-link"' in page
    assert page.count('value="2026-04-21"') == 2


@pytest.mark.django_db
def test_several_classes_and_assessments_with_warnings_confirmed_at_once(
    client, campaign, school, assessment, math_assessment, classes, coordinator
):
    client.force_login(coordinator)
    client.post(
        bulk_url(campaign, school),
        {
            "assessments": [assessment.pk, math_assessment.pk],
            "classes": [classes["4А"].pk],
            "date": SATURDAY.isoformat(),
            "lesson": "5",
            "confirm": ["lesson", "day_off", "same_day"],
        },
    )
    assert [e[:4] for e in entries(campaign, school)] == [("А", "MA-4", SATURDAY, 5), ("А", "RU-4", SATURDAY, 5)]
    state = schedule_state(schedule=SchoolSchedule.objects.get())
    assert state.unconfirmed_count == 0
    assert {tuple(e[4]) for e in entries(campaign, school)} == {("day_off", "lesson", "same_day")}


@pytest.mark.django_db
def test_a_date_outside_the_window_refuses_everything_naming_each_class(
    client, campaign, school, assessment, classes, coordinator
):
    schedule = schedule_get_or_create(campaign=campaign, school=school)
    client.force_login(coordinator)
    response = client.post(
        bulk_url(campaign, school),
        {"assessments": [assessment.pk], "grades": ["4"], "date": "2026-06-01", "lesson": "2"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "4А — «" in body and "4Б — «" in body
    assert "вне окна проведения 20.04.2026 — 20.05.2026" in body
    assert not schedule.entries.exists()
    assert not AuditEntry.objects.filter(action__startswith="schedule.").exists()


@pytest.mark.django_db
def test_a_class_that_does_not_write_a_chosen_assessment_refuses_everything(
    client, campaign, school, assessment, math_assessment, classes, coordinator
):
    ClassAssignment.objects.create(assessment=math_assessment, school=school, school_class=classes["4А"])
    client.force_login(coordinator)
    response = client.post(
        bulk_url(campaign, school),
        {
            "assessments": [assessment.pk, math_assessment.pk],
            "classes": [classes["4А"].pk, classes["4Б"].pk],
            "date": TUESDAY.isoformat(),
            "lesson": "2",
            "confirm": ["same_day"],
        },
    )
    assert response.status_code == 200
    assert "класс 4Б не пишет работу" in response.content.decode()
    assert not SchoolSchedule.objects.get().entries.exists()
    # the whole parallel takes only the classes that write the work
    client.post(
        bulk_url(campaign, school),
        {"assessments": [math_assessment.pk], "grades": ["4"], "date": TUESDAY.isoformat(), "lesson": "3"},
    )
    assert [e[:2] for e in entries(campaign, school)] == [("А", "MA-4")]


@pytest.mark.django_db
def test_nothing_chosen_is_refused_in_russian(client, campaign, school, assessment, classes, coordinator):
    client.force_login(coordinator)
    response = client.post(
        bulk_url(campaign, school), {"assessments": [assessment.pk], "date": TUESDAY.isoformat(), "lesson": "2"}
    )
    assert "Отметьте классы или всю параллель." in response.content.decode()


@pytest.mark.django_db
def test_a_submitted_schedule_is_not_changed(client, campaign, school, assessment, classes, coordinator):
    schedule = schedule_get_or_create(campaign=campaign, school=school)
    schedule.status = SchoolSchedule.Status.SUBMITTED
    schedule.save()
    client.force_login(coordinator)
    response = client.post(
        bulk_url(campaign, school),
        {"assessments": [assessment.pk], "grades": ["4"], "date": TUESDAY.isoformat(), "lesson": "2"},
    )
    assert response.status_code == 302
    assert not schedule.entries.exists()


@pytest.mark.django_db
def test_only_the_schools_coordinator_sets_dates(client, campaign, school, other_school, assessment, role_users):
    client.force_login(role_users[Role.DIRECTOR])
    assert client.get(bulk_url(campaign, school)).status_code == 403
    client.force_login(user_with_role(Role.SCHOOL_COORDINATOR, school=other_school))
    assert client.get(bulk_url(campaign, school)).status_code == 404
