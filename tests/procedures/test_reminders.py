"""Deadline reminders: «за 3 дня» and «за 1 день» by each school's own calendar (R16), overdue notices to the
municipal coordinators, each sent once however often the hourly task runs."""

import datetime

import pytest
from django.core import mail

from procedures.models import Campaign, SchoolSchedule, Stage, StageMark
from procedures.services.plan import reminders_send
from procedures.tasks import send_deadline_reminders
from schools.models import Membership, Notification, Role
from tests.factories import SchoolFactory, user_with_role

UTC = datetime.UTC
# 15 April 23:59 in Moscow, 16 April 01:59 in Yekaterinburg.
DEADLINE = datetime.datetime(2026, 4, 15, 20, 59, tzinfo=UTC)


def at(day, hour, minute=0):
    return datetime.datetime(2026, 4, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def moscow_school(department):
    return SchoolFactory(
        department=department, code="sch770001", short_name="Школа №7 (Москва)", time_zone="Europe/Moscow"
    )


@pytest.fixture
def ural_school(department):
    return SchoolFactory(
        department=department, code="sch660077", short_name="Школа №77 (Урал)", time_zone="Asia/Yekaterinburg"
    )


@pytest.fixture
def moscow_coordinator(moscow_school):
    return user_with_role(Role.SCHOOL_COORDINATOR, school=moscow_school, username="moscow-coord")


@pytest.fixture
def ural_coordinator(ural_school):
    return user_with_role(Role.SCHOOL_COORDINATOR, school=ural_school, username="ural-coord")


@pytest.fixture
def municipal(department):
    return user_with_role(Role.MUNICIPAL_COORDINATOR, department=department, username="mun-coord")


@pytest.fixture
def stage(campaign):
    return Stage.objects.create(
        campaign=campaign, kind=Stage.Kind.OTHER, title="Провести инструктаж организаторов", deadline=DEADLINE
    )


def keys_of(user):
    return sorted(Notification.objects.filter(user=user).values_list("key", flat=True))


@pytest.mark.django_db
def test_the_day_before_reminder_fires_on_each_schools_own_calendar_day(
    stage, moscow_school, ural_school, moscow_coordinator, ural_coordinator
):
    # 14 April 15:00 in Moscow (the deadline is tomorrow), 17:00 in Yekaterinburg (the deadline is in two days)
    reminders_send(now=at(14, 12))
    assert keys_of(moscow_coordinator) == [f"stage:{stage.pk}:school:{moscow_school.pk}:d1"]
    assert keys_of(ural_coordinator) == []

    # 15 April: the deadline is today in Moscow, tomorrow (16 April 01:59) in Yekaterinburg
    reminders_send(now=at(15, 12))
    assert keys_of(moscow_coordinator) == [f"stage:{stage.pk}:school:{moscow_school.pk}:d1"]
    assert keys_of(ural_coordinator) == [f"stage:{stage.pk}:school:{ural_school.pk}:d1"]

    moscow_text = Notification.objects.get(user=moscow_coordinator).text
    ural_text = Notification.objects.get(user=ural_coordinator).text
    assert "Школа №7 (Москва)" in moscow_text and "завтра" in moscow_text
    assert "15.04.2026 23:59 по местному времени" in moscow_text
    assert "Школа №77 (Урал)" in ural_text
    assert "16.04.2026 01:59 по местному времени" in ural_text and "15.04.2026 23:59 МСК" in ural_text


@pytest.mark.django_db
def test_the_three_days_reminder_goes_by_the_local_date_not_the_hours_left(
    stage, moscow_school, ural_school, moscow_coordinator, ural_coordinator
):
    # 12 April 21:00 in Moscow: the deadline's date (15 April) minus 3, with 3 days and 3 hours left;
    # 23:00 in Yekaterinburg, where the deadline's date is 16 April: 4 days before
    reminders_send(now=at(12, 18))
    assert keys_of(moscow_coordinator) == [f"stage:{stage.pk}:school:{moscow_school.pk}:d3"]
    assert keys_of(ural_coordinator) == []

    # 13 April 21:00 in Moscow (2 days before: nothing new), 23:00 in Yekaterinburg (3 days before)
    reminders_send(now=at(13, 18))
    assert keys_of(moscow_coordinator) == [f"stage:{stage.pk}:school:{moscow_school.pk}:d3"]
    assert keys_of(ural_coordinator) == [f"stage:{stage.pk}:school:{ural_school.pk}:d3"]
    assert "через 3 дня" in Notification.objects.get(user=ural_coordinator).text


@pytest.mark.django_db
def test_nothing_is_sent_between_the_reminder_days(stage, moscow_coordinator, ural_coordinator, municipal):
    summary = reminders_send(now=at(10, 12))

    assert (summary.reminders, summary.overdue) == (0, 0)
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_running_twice_sends_each_notice_once_with_one_email(
    settings, django_capture_on_commit_callbacks, stage, moscow_coordinator, municipal
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    late = Stage.objects.create(campaign=stage.campaign, kind=Stage.Kind.OTHER, title="Сдать отчёт", deadline=at(13, 5))

    with django_capture_on_commit_callbacks(execute=True):
        first = reminders_send(now=at(14, 12))
    with django_capture_on_commit_callbacks(execute=True):
        second = reminders_send(now=at(14, 13))

    assert first.reminders == 1 and first.overdue >= 1
    assert (second.reminders, second.overdue) == (0, 0)
    assert len(keys_of(moscow_coordinator)) == 1
    assert len(set(keys_of(municipal))) == len(keys_of(municipal))
    assert any(key.startswith(f"stage:{late.pk}:") and key.endswith(":overdue") for key in keys_of(municipal))
    assert len(mail.outbox) == Notification.objects.count()
    assert sorted(m.to[0] for m in mail.outbox).count(moscow_coordinator.email) == 1


@pytest.mark.django_db
def test_an_overdue_stage_goes_to_the_municipal_coordinators_once_per_school(
    stage, moscow_school, ural_school, municipal, moscow_coordinator, role_users
):
    summary = reminders_send(now=at(16, 6))  # the deadline has passed everywhere
    reminders_send(now=at(17, 6))

    expected = {f"stage:{stage.pk}:school:{s.pk}:overdue" for s in stage.campaign.department.schools.all()}
    assert set(keys_of(municipal)) == expected and len(keys_of(municipal)) == len(expected)
    assert summary.overdue == 2 * len(expected)  # two municipal coordinators
    # a municipal coordinator of the role_users fixture gets them too; department staff and schools do not
    assert set(keys_of(role_users[Role.MUNICIPAL_COORDINATOR])) == expected
    assert keys_of(role_users[Role.DEPARTMENT_STAFF]) == []
    assert keys_of(moscow_coordinator) == []
    text = Notification.objects.get(user=municipal, key=f"stage:{stage.pk}:school:{ural_school.pk}:overdue").text
    assert "Школа №77 (Урал)" in text and "просрочен" in text and "16.04.2026 01:59" in text


@pytest.mark.django_db
def test_schools_that_are_done_get_nothing(campaign, stage, moscow_school, ural_school, moscow_coordinator,
                                           ural_coordinator, municipal):  # fmt: skip
    approved = Stage.objects.create(
        campaign=campaign, kind=Stage.Kind.SCHEDULE_APPROVED, title="График согласован", deadline=DEADLINE
    )
    SchoolSchedule.objects.create(campaign=campaign, school=moscow_school, status=SchoolSchedule.Status.APPROVED)
    SchoolSchedule.objects.create(campaign=campaign, school=ural_school, status=SchoolSchedule.Status.APPROVED)
    StageMark.objects.create(stage=stage, school=moscow_school)
    StageMark.objects.create(stage=stage, school=ural_school)

    reminders_send(now=at(14, 20))  # «tomorrow» in both schools
    reminders_send(now=at(16, 6))  # overdue for whoever is not done

    assert keys_of(moscow_coordinator) == keys_of(ural_coordinator) == []
    late_keys = keys_of(municipal)
    assert not any(f":school:{moscow_school.pk}:" in key or f":school:{ural_school.pk}:" in key for key in late_keys)
    assert not any(key.startswith(f"stage:{approved.pk}:school:{moscow_school.pk}") for key in late_keys)


@pytest.mark.django_db
def test_only_the_responsible_role_of_that_school_is_reminded(campaign, moscow_school, ural_school, moscow_coordinator):
    order = Stage.objects.create(
        campaign=campaign,
        kind=Stage.Kind.ORDER_ISSUED,
        title="Издать приказ",
        deadline=DEADLINE,
        responsible_role=Role.DIRECTOR,
    )
    director = user_with_role(Role.DIRECTOR, school=moscow_school, username="moscow-director")
    former = user_with_role(Role.DIRECTOR, school=moscow_school, username="former-director")
    Membership.objects.filter(user=former).update(is_active=False)
    ural_director = user_with_role(Role.DIRECTOR, school=ural_school, username="ural-director")

    reminders_send(now=at(14, 12))

    assert keys_of(director) == [f"stage:{order.pk}:school:{moscow_school.pk}:d1"]
    assert keys_of(moscow_coordinator) == keys_of(former) == keys_of(ural_director) == []


@pytest.mark.django_db
def test_stages_of_draft_and_closed_campaigns_remind_nobody(stage, moscow_coordinator, municipal):
    for status in (Campaign.Status.DRAFT, Campaign.Status.CLOSED):
        Campaign.objects.filter(pk=stage.campaign_id).update(status=status)
        reminders_send(now=at(14, 12))
        reminders_send(now=at(16, 12))
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_the_reminder_task_runs_the_service_and_is_idempotent(campaign, moscow_coordinator, municipal):
    from django.utils import timezone

    Stage.objects.create(
        campaign=campaign,
        kind=Stage.Kind.OTHER,
        title="Завтрашний этап",
        deadline=timezone.now() + datetime.timedelta(days=1),
    )
    Stage.objects.create(
        campaign=campaign,
        kind=Stage.Kind.OTHER,
        title="Вчерашний этап",
        deadline=timezone.now() - datetime.timedelta(hours=2),
    )

    first = send_deadline_reminders.apply().get()
    second = send_deadline_reminders.apply().get()

    assert first["reminders"] == 1 and first["overdue"] == campaign.department.schools.count()
    assert second == {"reminders": 0, "overdue": 0}
    assert send_deadline_reminders.acks_late
    assert OSError in send_deadline_reminders.autoretry_for
