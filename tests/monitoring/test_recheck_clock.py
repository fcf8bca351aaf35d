"""The re-check's clock (R13, monitoring/recheck.py): due five working days after the receipt of the scans by the
Russian production calendar of that year (weekends, holidays, their transfers by law and the days the department
entered), the days left, the department's confirmation of receipt, and the reminder and overdue notice sent
once each."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from monitoring.models import CommissionMember, RecheckScan, RecheckSelection
from monitoring.recheck import (
    days_left,
    receipt_confirm,
    recheck_due_on,
    recheck_for,
    recheck_reminders_send,
    selection_add,
)
from monitoring.tasks import recheck_reminders
from procedures.models import CalendarDay
from schools.models import AuditEntry, Notification, Role
from tests.factories import StaffFactory, make_assessment, make_campaign, user_with_role

D = datetime.date


def enter(date, kind=CalendarDay.Kind.DAY_OFF, name="перенесённый выходной"):
    CalendarDay.objects.create(date=date, kind=kind, name=name)


# R13: the due date ----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("received", "due"),
    [
        (D(2026, 4, 6), D(2026, 4, 13)),  # Monday: a plain week and the weekend
        (D(2026, 4, 23), D(2026, 4, 30)),  # Thursday: across a weekend
        (D(2026, 4, 30), D(2026, 5, 8)),  # 1 May (Friday) and the weekend
        (D(2026, 5, 6), D(2026, 5, 14)),  # 9 May on a Saturday moves the day off to Monday 11 May by law
        (D(2027, 3, 5), D(2027, 3, 15)),  # 8 March 2027 is a Monday
        (D(2027, 4, 30), D(2027, 5, 11)),  # 2027: 1 May (Sat) → 3 May, 9 May (Sun) → 10 May
        (D(2027, 6, 10), D(2027, 6, 18)),  # 12 June 2027 (Saturday) → Monday 14 June
    ],
)
def test_due_date_counts_working_days_across_weekends_and_holidays(received, due):
    assert recheck_due_on(received) == due


@pytest.mark.django_db
def test_due_date_skips_a_transferred_day_off_the_department_entered_across_the_new_year():
    assert recheck_due_on(D(2026, 12, 28)) == D(2027, 1, 12)
    enter(D(2026, 12, 31), name="перенесённый выходной за 4 января")  # the 2026 decree: 4 January → 31 December
    assert recheck_due_on(D(2026, 12, 28)) == D(2027, 1, 13)


@pytest.mark.django_db
def test_due_date_counts_a_saturday_made_working_and_skips_the_friday_made_off_in_2027():
    assert recheck_due_on(D(2027, 11, 3)) == D(2027, 11, 11)  # 4 November (Thursday) a holiday
    enter(D(2027, 11, 5))
    enter(D(2027, 11, 6), kind=CalendarDay.Kind.WORKING_DAY, name="рабочая суббота")
    assert recheck_due_on(D(2027, 11, 3)) == D(2027, 11, 11)  # the Friday lost, the Saturday gained
    assert recheck_due_on(D(2027, 11, 3), 1) == D(2027, 11, 6)


@pytest.mark.django_db
def test_due_date_follows_the_re_checks_working_days():
    assert recheck_due_on(D(2026, 4, 6), 3) == D(2026, 4, 9)


# Days left ------------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_days_left_counts_working_days_and_goes_negative_when_overdue():
    selection = RecheckSelection(due_on=D(2026, 5, 14))
    assert days_left(selection, D(2026, 5, 6)) == 5  # 7, 8, 12, 13, 14 May (11 May a day off)
    assert days_left(selection, D(2026, 5, 13)) == 1
    assert days_left(selection, D(2026, 5, 14)) == 0
    assert days_left(selection, D(2026, 5, 15)) == -1
    assert days_left(selection, D(2026, 5, 18)) == -2  # the weekend does not count
    friday = RecheckSelection(due_on=D(2026, 5, 15))
    assert days_left(friday, D(2026, 5, 16)) == -1  # overdue from the Saturday on
    assert days_left(friday, D(2026, 5, 18)) == -1
    assert days_left(friday, D(2026, 5, 19)) == -2
    assert days_left(friday, D(2026, 5, 14)) == 1
    assert days_left(RecheckSelection(), D(2026, 5, 6)) is None


# Receipt --------------------------------------------------------------------------------------------------------------


@pytest.fixture
def campaign(department):
    return make_campaign(department)


@pytest.fixture
def selection(campaign, school, department_user):
    assessment = make_assessment(campaign)
    return selection_add(recheck_for(campaign), school, assessment, RecheckSelection.Reason.MANUAL, by=department_user)


@pytest.mark.django_db
def test_receipt_before_the_school_sent_anything_is_refused(selection, department_user):
    with pytest.raises(ValidationError, match="ещё не прислала"):
        receipt_confirm(selection, by=department_user)
    selection.refresh_from_db()
    assert selection.received_at is None and selection.due_on is None


@pytest.mark.django_db
def test_receipt_starts_the_clock_once(selection, department_user, coordinator):
    selection.scans_sent_at = timezone.now()
    selection.save(update_fields=["scans_sent_at"])
    receipt_confirm(selection, by=department_user)
    selection.refresh_from_db()
    assert selection.received_by == department_user
    assert selection.due_on == recheck_due_on(timezone.localdate(selection.received_at), 5)
    assert AuditEntry.objects.filter(action="recheck.received", target_id=str(selection.pk)).count() == 1
    assert Notification.objects.filter(user=coordinator, key=f"recheck_selection:{selection.pk}:received").exists()
    with pytest.raises(ValidationError, match="уже подтверждено"):
        receipt_confirm(selection, by=department_user)


@pytest.mark.django_db
def test_receipt_is_allowed_once_scans_are_uploaded(selection, department_user):
    RecheckScan.objects.create(selection=selection, kind=RecheckScan.Kind.CRITERIA, variant=1, content_type="x")
    receipt_confirm(selection, by=department_user)
    selection.refresh_from_db()
    assert selection.due_on is not None


# Reminders ------------------------------------------------------------------------------------------------------------


@pytest.fixture
def clocked(selection, department_user, school, other_school):
    selection.received_at = timezone.now()
    selection.due_on = D(2026, 5, 14)
    selection.save(update_fields=["received_at", "due_on"])
    member = user_with_role(Role.EXPERT, school=other_school, username="commission")
    CommissionMember.objects.create(recheck=selection.recheck, staff=StaffFactory(school=other_school, user=member))
    return selection, member


def notices(user, event):
    return Notification.objects.filter(user=user, key__endswith=f":{event}").count()


@pytest.mark.django_db
def test_the_reminder_goes_once_on_the_working_day_before(clocked, department_user, coordinator):
    selection, member = clocked
    assert recheck_reminders_send(D(2026, 5, 12)).reminded == []  # two working days left
    assert recheck_reminders_send(D(2026, 5, 13)).reminded == [selection.pk]
    assert recheck_reminders_send(D(2026, 5, 13)).reminded == []
    assert recheck_reminders_send(D(2026, 5, 14)).reminded == []
    assert notices(department_user, "reminder") == 1 and notices(member, "reminder") == 1
    assert notices(coordinator, "reminder") == 0
    selection.refresh_from_db()
    assert selection.reminded_at is not None


@pytest.mark.django_db
def test_the_overdue_notice_goes_once_after_the_due_date(clocked, department_user):
    selection, member = clocked
    assert recheck_reminders_send(D(2026, 5, 14)).overdue == []
    assert recheck_reminders_send(D(2026, 5, 15)).overdue == [selection.pk]
    assert recheck_reminders_send(D(2026, 5, 18)).overdue == []
    assert notices(department_user, "overdue") == 1 and notices(member, "overdue") == 1


@pytest.mark.django_db
def test_a_completed_re_check_gets_no_notice(clocked, department_user):
    selection, _member = clocked
    selection.completed_at = timezone.now()
    selection.save(update_fields=["completed_at"])
    sent = recheck_reminders_send(D(2026, 5, 20))
    assert sent.reminded == [] and sent.overdue == []


@pytest.mark.django_db
def test_the_beat_task_twice_sends_nothing_more(clocked, department_user):
    selection, _member = clocked
    selection.due_on = timezone.localdate() - datetime.timedelta(days=10)
    selection.save(update_fields=["due_on"])
    first = recheck_reminders()
    second = recheck_reminders()
    assert first == {"reminded": 0, "overdue": 1} and second == {"reminded": 0, "overdue": 0}
    assert notices(department_user, "overdue") == 1


def test_the_reminders_run_on_the_beat_schedule(settings):
    assert "monitoring.tasks.recheck_reminders" in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
