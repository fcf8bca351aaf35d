"""School schedules (date and lesson of every class × assessment), their approval, and the calendar."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from procedures.models import ClassAssignment, ScheduleEntry, SchoolSchedule
from procedures.services.schedules import (
    EntryValue,
    WarningCode,
    day_off_reason,
    schedule_approve,
    schedule_entry_set,
    schedule_get_or_create,
    schedule_return,
    schedule_save,
    schedule_state,
    schedule_submit,
)
from schools.models import AuditEntry, Notification, Role
from tests.factories import SchoolClassFactory, SchoolFactory, make_assessment, user_with_role

YEAR = 2025
TUESDAY = datetime.date(2026, 4, 21)
WEDNESDAY = datetime.date(2026, 4, 22)
THURSDAY = datetime.date(2026, 4, 23)


@pytest.fixture
def classes(school):
    return {
        name: SchoolClassFactory(school=school, academic_year=YEAR, grade=4, letter=name[-1]) for name in ("4А", "4Б")
    }


@pytest.fixture
def schedule(campaign, school, assessment, math_assessment, classes):
    return schedule_get_or_create(campaign=campaign, school=school)


@pytest.fixture
def municipal_coordinator(role_users):
    return role_users[Role.MUNICIPAL_COORDINATOR]


def value(assessment, school_class, date, lesson, *confirmed):
    return EntryValue(assessment, school_class, date, lesson, frozenset(confirmed))


def fill_all(schedule, assessment, math_assessment, classes, actor):
    """A schedule without any warning: RU-4 on Tuesday, MA-4 on Thursday, 2nd and 3rd lessons."""
    return schedule_save(
        schedule=schedule,
        values=[
            value(assessment, classes["4А"], TUESDAY, 2),
            value(assessment, classes["4Б"], TUESDAY, 3),
            value(math_assessment, classes["4А"], THURSDAY, 2),
            value(math_assessment, classes["4Б"], THURSDAY, 3),
        ],
        actor=actor,
    )


def warning_codes(state, assessment, school_class) -> set[str]:
    return {w.code for w in state.warnings.get((assessment.pk, school_class.pk), [])}


def entries(schedule) -> list[tuple]:
    return sorted(
        schedule.entries.values_list("assessment__code", "school_class__letter", "date", "lesson", "confirmed_warnings")
    )


# The window ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("date", [datetime.date(2026, 4, 19), datetime.date(2026, 5, 21)])
def test_a_date_outside_the_window_is_refused_and_nothing_is_saved(
    schedule, assessment, math_assessment, classes, coordinator, date
):
    with pytest.raises(ValidationError) as refused:
        schedule_save(
            schedule=schedule,
            values=[value(math_assessment, classes["4А"], TUESDAY, 2), value(assessment, classes["4А"], date, 2)],
            actor=coordinator,
        )
    messages = refused.value.message_dict[f"{assessment.pk}_{classes['4А'].pk}"]
    assert messages == [f"дата {date:%d.%m.%Y} вне окна проведения 20.04.2026 — 20.05.2026"]
    assert not ScheduleEntry.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["Europe/Kaliningrad", "Asia/Kamchatka"])
def test_the_window_is_a_range_of_dates_whatever_the_schools_time_zone(
    campaign, assessment, department, coordinator, zone
):
    """Dates carry no time: the first and last day of the window are accepted in any zone, the day after is not."""
    far = SchoolFactory(department=department, time_zone=zone)
    school_class = SchoolClassFactory(school=far, academic_year=YEAR, grade=4, letter="А")
    schedule = schedule_get_or_create(campaign=campaign, school=far)
    with timezone.override(zone):
        for date in (campaign.window_start, campaign.window_end):
            schedule_entry_set(
                schedule=schedule,
                assessment=assessment,
                school_class=school_class,
                date=date,
                lesson=2,
                actor=coordinator,
            )
            assert schedule.entries.get().date == date
        with pytest.raises(ValidationError):
            schedule_entry_set(
                schedule=schedule,
                assessment=assessment,
                school_class=school_class,
                date=campaign.window_end + datetime.timedelta(days=1),
                lesson=2,
                actor=coordinator,
            )


@pytest.mark.django_db
def test_a_date_without_a_lesson_is_refused(schedule, assessment, classes, coordinator):
    with pytest.raises(ValidationError) as refused:
        schedule_save(schedule=schedule, values=[value(assessment, classes["4А"], TUESDAY, None)], actor=coordinator)
    assert "укажите и дату, и номер урока" in refused.value.messages
    assert not ScheduleEntry.objects.exists()


@pytest.mark.django_db
def test_a_class_that_does_not_write_the_assessment_is_refused(schedule, assessment, classes, coordinator):
    ClassAssignment.objects.create(assessment=assessment, school=schedule.school, school_class=classes["4А"])
    with pytest.raises(ValidationError) as refused:
        schedule_save(schedule=schedule, values=[value(assessment, classes["4Б"], TUESDAY, 2)], actor=coordinator)
    assert "класс 4Б не пишет работу «Русский язык, 4 кл.»" in refused.value.messages


# Warnings --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("lesson, warned", [(1, True), (2, False), (3, False), (4, True), (6, True)])
def test_a_lesson_outside_2_and_3_is_a_warning(schedule, assessment, classes, coordinator, lesson, warned):
    state = schedule_entry_set(
        schedule=schedule,
        assessment=assessment,
        school_class=classes["4А"],
        date=TUESDAY,
        lesson=lesson,
        actor=coordinator,
    )
    assert (WarningCode.LESSON in warning_codes(state, assessment, classes["4А"])) is warned
    assert schedule.entries.get().lesson == lesson  # kept, not refused


@pytest.mark.django_db
def test_two_assessments_for_one_class_on_one_day_warn_on_both(
    schedule, assessment, math_assessment, classes, coordinator
):
    state = schedule_save(
        schedule=schedule,
        values=[
            value(assessment, classes["4А"], TUESDAY, 2),
            value(math_assessment, classes["4А"], TUESDAY, 3),
            value(math_assessment, classes["4Б"], TUESDAY, 3),
        ],
        actor=coordinator,
    )
    assert warning_codes(state, assessment, classes["4А"]) == {WarningCode.SAME_DAY}
    assert warning_codes(state, math_assessment, classes["4А"]) == {WarningCode.SAME_DAY}
    assert warning_codes(state, math_assessment, classes["4Б"]) == set()  # another class the same day is fine
    (message,) = [w.message for w in state.warnings[(assessment.pk, classes["4А"].pk)]]
    assert message == "у класса 4А в этот день ещё одна работа: Математика, 4 кл."


@pytest.mark.django_db
@pytest.mark.parametrize(
    "date, reason",
    [
        (datetime.date(2026, 4, 25), "суббота"),
        (datetime.date(2026, 4, 26), "воскресенье"),
        (datetime.date(2026, 5, 1), "праздничный день — Праздник Весны и Труда"),
        (datetime.date(2026, 5, 9), "праздничный день — День Победы"),
        (datetime.date(2026, 5, 11), "нерабочий день — перенесённый выходной за 9 мая"),
        (datetime.date(2026, 5, 12), None),
        (datetime.date(2026, 4, 30), None),
    ],
)
def test_the_working_calendar_knows_weekends_and_the_may_holidays(date, reason):
    assert day_off_reason(date) == reason


@pytest.mark.django_db
@pytest.mark.parametrize("date", [datetime.date(2026, 4, 25), datetime.date(2026, 5, 1), datetime.date(2026, 5, 11)])
def test_a_day_off_is_a_warning(schedule, assessment, classes, coordinator, date):
    state = schedule_entry_set(
        schedule=schedule, assessment=assessment, school_class=classes["4А"], date=date, lesson=2, actor=coordinator
    )
    assert warning_codes(state, assessment, classes["4А"]) == {WarningCode.DAY_OFF}
    assert state.warnings[(assessment.pk, classes["4А"].pk)][0].message.startswith(f"{date:%d.%m.%Y} — выходной: ")


@pytest.mark.django_db
def test_confirmations_are_stored_and_a_confirmation_without_its_warning_is_dropped(
    schedule, assessment, classes, coordinator
):
    state = schedule_entry_set(
        schedule=schedule,
        assessment=assessment,
        school_class=classes["4А"],
        date=datetime.date(2026, 4, 25),
        lesson=4,
        confirmed=[WarningCode.LESSON],
        actor=coordinator,
    )
    assert schedule.entries.get().confirmed_warnings == [WarningCode.LESSON]
    assert [w.code for w in state.unconfirmed((assessment.pk, classes["4А"].pk))] == [WarningCode.DAY_OFF]

    state = schedule_entry_set(
        schedule=schedule,
        assessment=assessment,
        school_class=classes["4А"],
        date=TUESDAY,
        lesson=4,
        confirmed=[WarningCode.LESSON, WarningCode.DAY_OFF],
        actor=coordinator,
    )
    assert schedule.entries.get().confirmed_warnings == [WarningCode.LESSON]
    assert state.unconfirmed((assessment.pk, classes["4А"].pk)) == []


@pytest.mark.django_db
def test_saving_with_unconfirmed_warnings_keeps_the_values(schedule, assessment, classes, coordinator):
    state = schedule_entry_set(
        schedule=schedule, assessment=assessment, school_class=classes["4А"], date=TUESDAY, lesson=5, actor=coordinator
    )
    assert entries(schedule) == [("RU-4", "А", TUESDAY, 5, [])]
    assert state.unconfirmed_count == 1


@pytest.mark.django_db
def test_clearing_a_pair_removes_its_entry(schedule, assessment, classes, coordinator):
    schedule_entry_set(
        schedule=schedule, assessment=assessment, school_class=classes["4А"], date=TUESDAY, lesson=2, actor=coordinator
    )
    schedule_entry_set(
        schedule=schedule, assessment=assessment, school_class=classes["4А"], date=None, lesson=None, actor=coordinator
    )
    assert entries(schedule) == []


@pytest.mark.django_db
def test_every_change_of_the_schedule_is_audited(schedule, assessment, classes, coordinator):
    schedule_entry_set(
        schedule=schedule, assessment=assessment, school_class=classes["4А"], date=TUESDAY, lesson=2, actor=coordinator
    )
    entry = AuditEntry.objects.get(action="schedule.saved")
    assert entry.after == {"4А RU-4": "21.04.2026, урок 2"}
    assert entry.school == schedule.school
    assert entry.actor == coordinator


# Submission and decisions ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_submitting_needs_a_date_for_every_assigned_pair(schedule, assessment, math_assessment, classes, coordinator):
    schedule_entry_set(
        schedule=schedule, assessment=assessment, school_class=classes["4А"], date=TUESDAY, lesson=2, actor=coordinator
    )
    with pytest.raises(ValidationError) as refused:
        schedule_submit(schedule=schedule, actor=coordinator)
    assert "Не заданы дата и урок" in refused.value.messages[0]
    schedule.refresh_from_db()
    assert schedule.status == SchoolSchedule.Status.DRAFT


@pytest.mark.django_db
def test_submitting_needs_every_warning_confirmed(
    schedule, assessment, math_assessment, classes, coordinator, municipal_coordinator
):
    fill_all(schedule, assessment, math_assessment, classes, coordinator)
    schedule_entry_set(
        schedule=schedule, assessment=assessment, school_class=classes["4А"], date=TUESDAY, lesson=4, actor=coordinator
    )
    with pytest.raises(ValidationError) as refused:
        schedule_submit(schedule=schedule, actor=coordinator)
    assert refused.value.messages == ["Не подтверждены предупреждения: 1. Отметьте их в графике и сохраните."]
    schedule_entry_set(
        schedule=schedule,
        assessment=assessment,
        school_class=classes["4А"],
        date=TUESDAY,
        lesson=4,
        confirmed=[WarningCode.LESSON],
        actor=coordinator,
    )
    schedule_submit(schedule=schedule, actor=coordinator)
    schedule.refresh_from_db()
    assert schedule.status == SchoolSchedule.Status.SUBMITTED
    assert schedule.submitted_at is not None


@pytest.mark.django_db
def test_submission_is_audited_and_notifies_the_municipal_coordinators(
    schedule, assessment, math_assessment, classes, coordinator, municipal_coordinator, department_user
):
    fill_all(schedule, assessment, math_assessment, classes, coordinator)
    schedule_submit(schedule=schedule, actor=coordinator)
    assert AuditEntry.objects.filter(action="schedule.submitted", actor=coordinator, school=schedule.school).exists()
    notice = Notification.objects.get(user=municipal_coordinator)
    assert "СШ №1 направила график" in notice.text
    assert notice.url == reverse(
        "procedures:schedule", kwargs={"campaign_code": "VPR-2026", "school_code": "sch660001"}
    )
    assert not Notification.objects.filter(user=department_user).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("status", [SchoolSchedule.Status.SUBMITTED, SchoolSchedule.Status.APPROVED])
def test_a_submitted_or_approved_schedule_cannot_be_edited(schedule, assessment, classes, coordinator, status):
    schedule_entry_set(
        schedule=schedule, assessment=assessment, school_class=classes["4А"], date=TUESDAY, lesson=2, actor=coordinator
    )
    SchoolSchedule.objects.filter(pk=schedule.pk).update(status=status)
    with pytest.raises(ValidationError):
        schedule_entry_set(
            schedule=schedule,
            assessment=assessment,
            school_class=classes["4А"],
            date=WEDNESDAY,
            lesson=2,
            actor=coordinator,
        )
    with pytest.raises(ValidationError):
        schedule_submit(schedule=schedule, actor=coordinator)
    assert entries(schedule) == [("RU-4", "А", TUESDAY, 2, [])]


@pytest.fixture
def submitted(schedule, assessment, math_assessment, classes, coordinator):
    fill_all(schedule, assessment, math_assessment, classes, coordinator)
    return schedule_submit(schedule=schedule, actor=coordinator)


@pytest.mark.django_db
@pytest.mark.parametrize("comment", ["", "   "])
def test_returning_needs_a_comment(submitted, department_user, comment):
    with pytest.raises(ValidationError) as refused:
        schedule_return(schedule=submitted, actor=department_user, comment=comment)
    assert "без комментария график не возвращается" in refused.value.messages[0]
    submitted.refresh_from_db()
    assert submitted.status == SchoolSchedule.Status.SUBMITTED


@pytest.mark.django_db
def test_a_returned_schedule_is_corrected_and_submitted_again(
    submitted, assessment, classes, coordinator, department_user, municipal_coordinator
):
    schedule_return(schedule=submitted, actor=department_user, comment="4А: перенесите русский язык на среду.")
    submitted.refresh_from_db()
    assert (submitted.status, submitted.comment, submitted.decided_by) == (
        SchoolSchedule.Status.RETURNED,
        "4А: перенесите русский язык на среду.",
        department_user,
    )
    returned_notice = Notification.objects.get(user=coordinator)
    assert "возвращён на доработку" in returned_notice.text
    assert "перенесите русский язык" in returned_notice.text

    schedule_entry_set(
        schedule=submitted,
        assessment=assessment,
        school_class=classes["4А"],
        date=WEDNESDAY,
        lesson=2,
        actor=coordinator,
    )
    schedule_submit(schedule=submitted, actor=coordinator)
    submitted.refresh_from_db()
    assert submitted.status == SchoolSchedule.Status.SUBMITTED
    # one notice per submission: the second is a new transition with its own key
    assert Notification.objects.filter(user=municipal_coordinator).count() == 2
    assert list(
        AuditEntry.objects.filter(target_type="procedures.schoolschedule")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["schedule.saved", "schedule.submitted", "schedule.returned", "schedule.saved", "schedule.submitted"]


@pytest.mark.django_db
def test_approval_locks_the_schedule_and_tells_the_school(submitted, assessment, classes, coordinator, department_user):
    schedule_approve(schedule=submitted, actor=department_user)
    submitted.refresh_from_db()
    assert submitted.status == SchoolSchedule.Status.APPROVED
    assert not submitted.is_editable
    assert "согласован" in Notification.objects.get(user=coordinator).text
    assert AuditEntry.objects.filter(action="schedule.approved", actor=department_user).exists()
    with pytest.raises(ValidationError):
        schedule_entry_set(
            schedule=submitted,
            assessment=assessment,
            school_class=classes["4А"],
            date=WEDNESDAY,
            lesson=2,
            actor=coordinator,
        )
    with pytest.raises(ValidationError):
        schedule_approve(schedule=submitted, actor=department_user)


@pytest.mark.django_db
def test_only_a_submitted_schedule_is_approved(schedule, department_user):
    with pytest.raises(ValidationError):
        schedule_approve(schedule=schedule, actor=department_user)
    with pytest.raises(ValidationError):
        schedule_return(schedule=schedule, actor=department_user, comment="Рано")


# Through the pages -----------------------------------------------------------------------------------------


def schedule_url(campaign, school, name="procedures:schedule"):
    return reverse(name, kwargs={"campaign_code": campaign.code, "school_code": school.code})


def form_data(pairs: dict) -> dict:
    """{(assessment, class): (date, lesson, [confirmed codes])} → the form's POST data."""
    data = {}
    for (assessment, school_class), (date, lesson, confirmed) in pairs.items():
        key = f"{assessment.pk}_{school_class.pk}"
        data[f"date_{key}"] = date.isoformat() if date else ""
        data[f"lesson_{key}"] = str(lesson) if lesson else ""
        data[f"confirm_{key}"] = confirmed
    return data


@pytest.mark.django_db
def test_the_coordinator_fills_confirms_and_submits_on_the_page(
    client, campaign, school, assessment, math_assessment, classes, coordinator
):
    client.force_login(coordinator)
    url = schedule_url(campaign, school)
    assert client.get(url).status_code == 200
    assert not SchoolSchedule.objects.exists()  # opening the page writes nothing
    pairs = {
        (assessment, classes["4А"]): (TUESDAY, 4, []),
        (assessment, classes["4Б"]): (TUESDAY, 2, []),
        (math_assessment, classes["4А"]): (THURSDAY, 2, []),
        (math_assessment, classes["4Б"]): (THURSDAY, 3, []),
    }
    response = client.post(url, form_data(pairs))
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "4-й урок: рекомендовано проводить работу на 2–3 уроке (Регламент 5.2)" in page
    assert "Не подтверждено 1 предупреждение." in page

    response = client.post(
        reverse("procedures:schedule_submit", kwargs={"campaign_code": campaign.code, "school_code": school.code})
    )
    assert SchoolSchedule.objects.get().status == SchoolSchedule.Status.DRAFT

    pairs[(assessment, classes["4А"])] = (TUESDAY, 4, [WarningCode.LESSON])
    client.post(url, form_data(pairs))
    assert ScheduleEntry.objects.get(school_class=classes["4А"], assessment=assessment).confirmed_warnings == ["lesson"]
    client.post(schedule_url(campaign, school, "procedures:schedule_submit"))
    assert SchoolSchedule.objects.get().status == SchoolSchedule.Status.SUBMITTED
    page = client.get(url).content.decode()
    assert 'data-testid="schedule-form"' not in page
    assert "(подтверждено школой)" in page


@pytest.mark.django_db
def test_a_date_outside_the_window_is_shown_next_to_its_row_and_nothing_is_saved(
    client, campaign, school, assessment, math_assessment, classes, coordinator
):
    client.force_login(coordinator)
    response = client.post(
        schedule_url(campaign, school),
        form_data(
            {
                (assessment, classes["4А"]): (datetime.date(2026, 6, 1), 2, []),
                (math_assessment, classes["4А"]): (datetime.date(2026, 4, 25), 2, []),
            }
        ),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "дата 01.06.2026 вне окна проведения 20.04.2026 — 20.05.2026" in body
    assert "25.04.2026 — выходной: суббота" in body  # the warnings of what was typed are shown too
    assert not ScheduleEntry.objects.exists()


@pytest.mark.django_db
def test_the_director_reads_the_schedule_but_cannot_change_it(
    client, campaign, school, assessment, classes, role_users
):
    client.force_login(role_users[Role.DIRECTOR])
    url = schedule_url(campaign, school)
    body = client.get(url).content.decode()
    assert 'data-testid="schedule-table"' in body
    assert client.post(url, form_data({(assessment, classes["4А"]): (TUESDAY, 2, [])})).status_code == 403
    assert client.post(schedule_url(campaign, school, "procedures:schedule_submit")).status_code == 403
    assert not ScheduleEntry.objects.exists()


@pytest.mark.django_db
def test_a_coordinator_cannot_post_to_a_locked_schedule(
    client, campaign, school, assessment, classes, submitted, coordinator
):
    client.force_login(coordinator)
    response = client.post(schedule_url(campaign, school), form_data({(assessment, classes["4А"]): (WEDNESDAY, 2, [])}))
    assert response.status_code == 302
    assert not ScheduleEntry.objects.filter(date=WEDNESDAY).exists()


@pytest.mark.django_db
def test_the_department_returns_with_a_comment_the_school_sees(
    client, campaign, school, submitted, coordinator, department_user
):
    client.force_login(department_user)
    decide = schedule_url(campaign, school, "procedures:schedule_decide")
    assert 'data-testid="decision"' in client.get(schedule_url(campaign, school)).content.decode()
    client.post(decide, {"decision": "return", "comment": ""})
    assert SchoolSchedule.objects.get().status == SchoolSchedule.Status.SUBMITTED
    client.post(decide, {"decision": "return", "comment": "Математику в 4Б — на 2-й урок."})
    assert SchoolSchedule.objects.get().status == SchoolSchedule.Status.RETURNED

    client.force_login(coordinator)
    body = client.get(schedule_url(campaign, school)).content.decode()
    assert "Управление вернуло график на доработку" in body
    assert "Математику в 4Б — на 2-й урок." in body
    assert 'data-testid="schedule-form"' in body


@pytest.mark.django_db
def test_the_school_cannot_decide_its_own_schedule(client, campaign, school, submitted, coordinator):
    client.force_login(coordinator)
    response = client.post(schedule_url(campaign, school, "procedures:schedule_decide"), {"decision": "approve"})
    assert response.status_code == 403
    assert SchoolSchedule.objects.get().status == SchoolSchedule.Status.SUBMITTED


@pytest.mark.django_db
def test_a_coordinator_of_another_school_gets_404(client, campaign, school, other_school, submitted):
    stranger = user_with_role(Role.SCHOOL_COORDINATOR, school=other_school)
    client.force_login(stranger)
    for name in ("procedures:schedule", "procedures:school_calendar", "procedures:school_calendar_xlsx"):
        assert client.get(schedule_url(campaign, school, name)).status_code == 404
    assert client.post(schedule_url(campaign, school, "procedures:schedule_submit")).status_code == 404


@pytest.mark.django_db
def test_the_department_lists_every_schools_schedule_with_its_status(
    client, campaign, school, other_school, submitted, department_user
):
    SchoolFactory(department=school.department, code="sch660003", short_name="СШ №3")
    client.force_login(department_user)
    url = reverse("procedures:schedule_list", kwargs={"campaign_code": campaign.code})
    rows = {s.code: s.schedule_status for s in client.get(url).context["object_list"]}
    assert rows == {"sch660001": "submitted", "sch660002": "not_started", "sch660003": "not_started"}
    filtered = client.get(url, {"status": "submitted"}).context["object_list"]
    assert [s.code for s in filtered] == ["sch660001"]
    assert client.get(schedule_url(campaign, other_school)).status_code == 200


# Calendar --------------------------------------------------------------------------------------------------


@pytest.fixture
def municipal_calendar(campaign, school, other_school, assessment, math_assessment, classes, submitted, coordinator):
    """СШ №1 (submitted): RU-4 and MA-4 for 4А, 4Б; СШ №2 (draft): RU-4 and MA-4 for its 4А; a 5th-grade work."""
    ru5 = make_assessment(campaign, code="RU-5", grade=5)
    other_4a = SchoolClassFactory(school=other_school, academic_year=YEAR, grade=4, letter="А")
    other_5a = SchoolClassFactory(school=other_school, academic_year=YEAR, grade=5, letter="А")
    other_schedule = schedule_get_or_create(campaign=campaign, school=other_school)
    schedule_save(
        schedule=other_schedule,
        values=[
            value(assessment, other_4a, WEDNESDAY, 2),
            value(math_assessment, other_4a, datetime.date(2026, 4, 28), 3),
            value(ru5, other_5a, WEDNESDAY, 3),
        ],
        actor=coordinator,
    )
    return ru5


def calendar_url(campaign, name="procedures:calendar"):
    return reverse(name, kwargs={"campaign_code": campaign.code})


def listed(response) -> list[tuple]:
    return [(e.schedule.school.code, e.school_class.name, e.assessment.code) for e in response.context["object_list"]]


@pytest.mark.django_db
def test_the_municipal_calendar_lists_every_entry_in_date_order(client, campaign, municipal_calendar, department_user):
    client.force_login(department_user)
    response = client.get(calendar_url(campaign))
    assert listed(response) == [
        ("sch660001", "4А", "RU-4"),
        ("sch660001", "4Б", "RU-4"),
        ("sch660002", "4А", "RU-4"),
        ("sch660002", "5А", "RU-5"),
        ("sch660001", "4А", "MA-4"),
        ("sch660001", "4Б", "MA-4"),
        ("sch660002", "4А", "MA-4"),
    ]


@pytest.mark.django_db
def test_the_calendar_filters_by_school_subject_and_grade(
    client, campaign, math_assessment, municipal_calendar, department_user
):
    client.force_login(department_user)
    url = calendar_url(campaign)
    assert {row[0] for row in listed(client.get(url, {"school": "sch660002"}))} == {"sch660002"}
    assert {row[2] for row in listed(client.get(url, {"subject": math_assessment.subject_id}))} == {"MA-4"}
    assert listed(client.get(url, {"grade": "5"})) == [("sch660002", "5А", "RU-5")]
    assert listed(client.get(url, {"school": "sch660001", "subject": math_assessment.subject_id, "grade": "4"})) == [
        ("sch660001", "4А", "MA-4"),
        ("sch660001", "4Б", "MA-4"),
    ]
    assert len(listed(client.get(url, {"school": "no-such", "grade": "x"}))) == 7  # unknown values are ignored


@pytest.mark.django_db
def test_the_calendar_is_paginated(client, campaign, municipal_calendar, department_user, settings):
    from procedures.views import schedules as views

    client.force_login(department_user)
    original = views.MunicipalCalendarView.paginate_by
    views.MunicipalCalendarView.paginate_by = 3
    try:
        first = client.get(calendar_url(campaign))
        third = client.get(calendar_url(campaign), {"page": 3})
    finally:
        views.MunicipalCalendarView.paginate_by = original
    assert len(listed(first)) == 3
    assert "страница 1 из 3" in first.content.decode()
    assert listed(third) == [("sch660002", "4А", "MA-4")]


@pytest.mark.django_db
def test_the_calendar_page_keeps_its_queries_flat(client, campaign, assessment, department, department_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(department_user)
    counts = []
    for size in (2, 10):
        for _n in range(size):
            school = SchoolFactory(department=department)
            school_class = SchoolClassFactory(school=school, academic_year=YEAR, grade=4, letter="А")
            schedule = SchoolSchedule.objects.create(campaign=campaign, school=school)
            ScheduleEntry.objects.create(
                schedule=schedule, assessment=assessment, school_class=school_class, date=TUESDAY, lesson=2
            )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(calendar_url(campaign)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_the_xlsx_export_has_every_filtered_row(client, campaign, math_assessment, municipal_calendar, department_user):
    client.force_login(department_user)
    response = client.get(calendar_url(campaign, "procedures:calendar_xlsx"), {"subject": math_assessment.subject_id})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="calendar-VPR-2026.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "Календарь проведения ВПР в муниципалитете, ВПР-2026"
    assert rows[1] == ["Дата", "День", "Урок", "Школа", "Класс", "Предмет", "Работа", "Статус графика"]
    assert rows[2:] == [
        [datetime.datetime(2026, 4, 23), "чт", 2, "СШ №1", "4А", "Математика", "MA-4", "на согласовании"],
        [datetime.datetime(2026, 4, 23), "чт", 3, "СШ №1", "4Б", "Математика", "MA-4", "на согласовании"],
        [datetime.datetime(2026, 4, 28), "вт", 3, "СШ №2", "4А", "Математика", "MA-4", "черновик"],
    ]


@pytest.mark.django_db
def test_the_pdf_export_has_russian_headers_and_the_school(client, campaign, municipal_calendar, department_user):
    client.force_login(department_user)
    response = client.get(calendar_url(campaign, "procedures:calendar_pdf"), {"grade": "4"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    box = reader.pages[0].mediabox
    assert box.width > box.height  # A4 landscape
    text = " ".join(page.extract_text() for page in reader.pages)
    for header in ("Дата", "Урок", "Школа", "Класс", "Предмет", "Работа", "Статус графика"):
        assert header in text
    assert "СШ №1" in text and "СШ №2" in text
    assert "Календарь проведения ВПР в муниципалитете" in text
    assert "класс: 4" in text
    assert "5А" not in text


@pytest.mark.django_db
def test_a_too_large_calendar_is_not_rendered_as_pdf(
    client, campaign, municipal_calendar, department_user, monkeypatch
):
    from procedures.selectors import schedules as selectors

    monkeypatch.setattr(selectors, "CALENDAR_PDF_MAX_ROWS", 3)
    client.force_login(department_user)
    response = client.get(calendar_url(campaign, "procedures:calendar_pdf"), {"grade": "4"})
    assert response.status_code == 302
    assert response["Location"] == calendar_url(campaign) + "?grade=4"


@pytest.mark.django_db
def test_a_school_sees_only_its_own_calendar(client, campaign, school, municipal_calendar, coordinator, role_users):
    for user in (coordinator, role_users[Role.DIRECTOR]):
        client.force_login(user)
        response = client.get(schedule_url(campaign, school, "procedures:school_calendar"), {"school": "sch660002"})
        assert {row[0] for row in listed(response)} == {"sch660001"}
        assert len(listed(response)) == 4
        pdf = client.get(schedule_url(campaign, school, "procedures:school_calendar_pdf"))
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
        assert "График проведения ВПР: СШ №1" in text
        assert "СШ №2" not in text
    assert client.get(calendar_url(campaign)).status_code == 403


@pytest.mark.django_db
def test_schedule_state_reads_only_assigned_pairs(schedule, assessment, classes, coordinator):
    schedule_entry_set(
        schedule=schedule, assessment=assessment, school_class=classes["4Б"], date=TUESDAY, lesson=2, actor=coordinator
    )
    ClassAssignment.objects.create(assessment=assessment, school=schedule.school, school_class=classes["4А"])
    state = schedule_state(schedule=schedule)
    assert (assessment.pk, classes["4Б"].pk) not in state.entries
    assert [(a.code, c.name) for a, c in state.missing] == [("MA-4", "4А"), ("RU-4", "4А"), ("MA-4", "4Б")]
