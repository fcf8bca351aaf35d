"""The management decisions' reminders (monitoring.decisions.decision_reminders_send, the hourly beat task): to the
recorder and, for a school's decision, the school's coordinator, 7 days and 1 day before the due date and once the
due date has passed — each exactly once, none for a closed decision, again for a new due date."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from monitoring.decisions import (
    DecisionBasis,
    decision_edit,
    decision_outcome,
    decision_record,
    decision_reminders_send,
)
from monitoring.models import ManagementDecision
from monitoring.tasks import decision_reminders
from schools.models import Notification, Role
from tests.factories import make_campaign

D = ManagementDecision


def day(offset: int) -> datetime.date:
    """A day counted from today, read when asked: a run that crosses midnight must not keep yesterday's date."""
    return timezone.localdate() + datetime.timedelta(days=offset)


@pytest.fixture
def campaign(department):
    return make_campaign(department, code="VPR-2026")


@pytest.fixture
def uo(role_users):
    return role_users[Role.DEPARTMENT_STAFF]


@pytest.fixture
def coord(role_users):
    return role_users[Role.SCHOOL_COORDINATOR]


def decision(actor, campaign, school, due_on) -> D:
    return decision_record(
        actor=actor,
        campaign=campaign,
        school=school,
        basis=DecisionBasis(basis=D.Basis.OTHER, note="итоги"),
        text="Провести повторную диагностику",
        responsible="Заместитель директора Петрова А. С.",
        due_on=due_on,
    )


def reminders(decision_: D) -> dict[str, set[int]]:
    """kind of reminder → who got it."""
    found: dict[str, set[int]] = {}
    for key, user in Notification.objects.filter(key__startswith=f"decision:{decision_.pk}:").values_list(
        "key", "user"
    ):
        kind = key.split(":")[2]
        if kind in ("week", "day", "overdue"):
            found.setdefault(kind, set()).add(user)
    return found


@pytest.mark.django_db
def test_each_reminder_goes_once_to_the_recorder_and_the_schools_coordinator(uo, coord, role_users, campaign, school):
    made = decision(uo, campaign, school, day(10))
    assert decision_reminders_send(day(0)).week == []  # ten days left
    assert decision_reminders_send(day(3)).week == [made.pk]  # seven days left
    assert decision_reminders_send(day(3)).week == [] and decision_reminders_send(day(4)).week == []
    assert decision_reminders_send(day(8)).day == []  # two days left
    assert decision_reminders_send(day(9)).day == [made.pk]
    assert decision_reminders_send(day(10)).day == []  # the due day itself: already reminded
    assert decision_reminders_send(day(10)).overdue == []
    assert decision_reminders_send(day(11)).overdue == [made.pk]
    assert decision_reminders_send(day(12)).overdue == []
    everyone = {uo.pk, coord.pk}
    assert reminders(made) == {"week": everyone, "day": everyone, "overdue": everyone}
    assert role_users[Role.DIRECTOR].pk not in reminders(made)["week"]
    made.refresh_from_db()
    assert made.reminded_week_at and made.reminded_day_at and made.overdue_notified_at


@pytest.mark.django_db
def test_a_missed_run_sends_the_latest_reminder_only(uo, campaign, school):
    made = decision(uo, campaign, school, day(5))
    sent = decision_reminders_send(day(5))  # nobody ran the task for five days: the due day
    assert (sent.week, sent.day) == ([], [made.pk])
    sent = decision_reminders_send(day(6))
    assert (sent.week, sent.day, sent.overdue) == ([], [], [made.pk])
    assert set(reminders(made)) == {"day", "overdue"}


@pytest.mark.django_db
def test_a_municipal_decision_reminds_its_recorder(uo, coord, campaign):
    made = decision(uo, campaign, None, day(1))
    assert decision_reminders_send(day(0)).day == [made.pk]
    assert reminders(made) == {"day": {uo.pk}}


@pytest.mark.django_db
def test_a_closed_decision_gets_no_reminder(uo, campaign, school):
    made = decision(uo, campaign, school, day(7))
    decision_outcome(decision=made, actor=uo, status=D.Status.DONE, outcome="Сделано заранее")
    sent = decision_reminders_send(day(0))
    assert (sent.week, sent.day, sent.overdue) == ([], [], [])
    assert decision_reminders_send(day(30)).overdue == []
    assert reminders(made) == {}


@pytest.mark.django_db
def test_a_new_due_date_is_reminded_again(uo, campaign, school):
    made = decision(uo, campaign, school, day(1))
    assert decision_reminders_send(day(0)).day == [made.pk]
    made = decision_edit(
        decision=made,
        actor=uo,
        text=made.text,
        responsible=made.responsible,
        due_on=day(20),
        status=D.Status.IN_PROGRESS,
        basis_note=made.basis_note,
    )
    assert decision_reminders_send(day(1)).day == []
    assert decision_reminders_send(day(19)).day == [made.pk]
    assert Notification.objects.filter(key=f"decision:{made.pk}:day:{day(20).isoformat()}").exists()


@pytest.mark.django_db
def test_the_hourly_beat_task_runs_the_reminders(uo, campaign, school):
    made = decision(uo, campaign, school, day(0))
    assert settings.CELERY_BEAT_SCHEDULE["decision-reminders"]["task"] == "monitoring.tasks.decision_reminders"
    assert decision_reminders.delay().get() == {"week": 0, "day": 1, "overdue": 0}
    assert decision_reminders.delay().get() == {"week": 0, "day": 0, "overdue": 0}
    assert set(reminders(made)) == {"day"}
