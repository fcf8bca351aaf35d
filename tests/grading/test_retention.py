"""Names kept for the retention period only (R12; Регламент 4.3.12, 7.9): counted in calendar months from the
date of each sitting, the purge removes the links between codes and pupils and the stored documents with names,
not before each sitting's day, once, audited, while the anonymous results stay; the department and the
coordinator see beforehand what will go and when, and are told 30 and 7 days ahead."""

import datetime
import os
import zoneinfo

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from grading.models import Work
from grading.services.retention import (
    add_months,
    personal_data_purge,
    purge_due_at,
    retention_notices_send,
    retention_run,
)
from grading.tasks import purge_expired_personal_data
from procedures.models import (
    Campaign,
    Participant,
    ParticipantCode,
    ScheduleEntry,
    SchoolSchedule,
    retention_months_from_days,
)
from procedures.printables import SCHOOL_SET
from schools.models import AuditEntry, Notification, Pupil, Role
from tests.factories import (
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    make_campaign,
    make_participant,
    make_sitting,
    make_work,
    user_with_role,
)
from vpr_portal.models import GeneratedDocument

YEKATERINBURG = zoneinfo.ZoneInfo("Asia/Yekaterinburg")
UTC = datetime.UTC
# The `named` pupils' classes have no recorded sitting: their date is the window's first day, 20.04.2026; twelve
# months on: 20.04.2027 00:00 in the department's zone.
DUE = datetime.datetime(2027, 4, 20, 0, 0, tzinfo=YEKATERINBURG)


def stored_document(campaign, school, *, kind=SCHOOL_SET, key="") -> GeneratedDocument:
    document = GeneratedDocument.objects.create(
        key=key or f"{kind}:{campaign.pk}:{school.pk}:test",
        kind=kind,
        title="Комплект печати",
        params={"campaign": campaign.pk},
        school=school,
        status=GeneratedDocument.Status.DONE,
        progress=100,
    )
    document.file.save("set.pdf", ContentFile(b"%PDF-1.4 Snegiryova Alisa\n"))
    return document


@pytest.fixture
def named(campaign, assessment, math_assessment, school, class_4a, pupil):
    """Two pupils writing two assessments with codes and scored works, and the school's stored printables."""
    second = PupilFactory(school_class=class_4a, last_name="Клестова")
    rows = {}
    for number, who in enumerate((pupil, second), start=1):
        code = f"1000{number}"
        ParticipantCode.objects.create(campaign=campaign, school=school, pupil=who, code=code, class_name="4А")
        for a in (assessment, math_assessment):
            participant = make_participant(a, who, code=code)
            rows[(who.pk, a.pk)] = make_work(participant, primary_score=17 + number, mark=4, is_complete=True)
    return {"works": rows, "document": stored_document(campaign, school), "pupils": [pupil, second]}


def results(campaign):
    return sorted(
        Work.objects.filter(assessment__campaign=campaign).values_list(
            "participant__code",
            "participant__class_name",
            "participant__sex",
            "assessment__code",
            "primary_score",
            "mark",
        )
    )


@pytest.mark.django_db
def test_removal_is_due_at_midnight_of_the_department_the_same_date_a_year_after_the_sitting(campaign):
    assert purge_due_at(campaign, datetime.date(2026, 4, 21)) == datetime.datetime(
        2027, 4, 21, 0, 0, tzinfo=YEKATERINBURG
    )
    campaign.retention_months = 1
    assert purge_due_at(campaign, datetime.date(2026, 5, 31)) == datetime.datetime(
        2026, 6, 30, 0, 0, tzinfo=YEKATERINBURG
    )


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (datetime.date(2028, 2, 29), 12, datetime.date(2029, 2, 28)),
        (datetime.date(2028, 2, 29), 48, datetime.date(2032, 2, 29)),
        (datetime.date(2026, 4, 21), 12, datetime.date(2027, 4, 21)),
        (datetime.date(2026, 1, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2026, 11, 30), 3, datetime.date(2027, 2, 28)),
        (datetime.date(2026, 5, 20), 24, datetime.date(2028, 5, 20)),
    ],
)
def test_the_period_is_counted_in_calendar_months(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize("days, months", [(365, 12), (366, 12), (730, 24), (180, 6), (30, 1), (1, 1), (91, 3)])
def test_a_period_once_given_in_days_becomes_months(days, months):
    assert retention_months_from_days(days) == months


@pytest.mark.django_db
def test_nothing_is_removed_before_the_day(campaign, named):
    before = results(campaign)
    assert personal_data_purge(campaign=campaign, now=DUE - datetime.timedelta(seconds=1)) is None
    assert Participant.objects.filter(campaign=campaign, pupil__isnull=True).count() == 0
    assert ParticipantCode.objects.filter(campaign=campaign, pupil__isnull=True).count() == 0
    assert GeneratedDocument.objects.filter(pk=named["document"].pk).exists()
    campaign.refresh_from_db()
    assert campaign.personal_data_purged_at is None
    assert results(campaign) == before


@pytest.mark.django_db
def test_the_purge_removes_every_link_and_named_document_and_keeps_the_results(
    campaign, named, school, settings, department
):
    results_before = results(campaign)
    document_path = named["document"].file.path
    other_campaign = make_campaign(department, code="VPR-2027")
    kept_document = stored_document(other_campaign, school)
    other_pupil = PupilFactory(school_class=SchoolClassFactory(school=school, grade=5, letter="А"))
    other_code = ParticipantCode.objects.create(
        campaign=other_campaign, school=school, pupil=other_pupil, code="20001", class_name="5А"
    )

    removed = personal_data_purge(campaign=campaign, now=DUE)

    assert removed.as_dict() == {"participant_links": 4, "code_links": 2, "documents": 1}
    assert not Participant.objects.filter(campaign=campaign, pupil__isnull=False).exists()
    assert not ParticipantCode.objects.filter(campaign=campaign, pupil__isnull=False).exists()
    assert sorted(ParticipantCode.objects.filter(campaign=campaign).values_list("code", flat=True)) == [
        "10001",
        "10002",
    ]
    assert results(campaign) == results_before, "codes, classes, scores and marks stay"
    assert not GeneratedDocument.objects.filter(pk=named["document"].pk).exists()
    assert not os.path.exists(document_path), "the file with names is deleted"
    # the school's registry and another campaign are not touched
    assert Pupil.objects.filter(pk__in=[p.pk for p in named["pupils"]]).count() == 2
    assert GeneratedDocument.objects.filter(pk=kept_document.pk).exists()
    other_code.refresh_from_db()
    assert other_code.pupil == other_pupil
    campaign.refresh_from_db()
    assert campaign.personal_data_purged_at == DUE


@pytest.mark.django_db
def test_the_purge_is_audited_with_the_counts(campaign, named, school):
    personal_data_purge(campaign=campaign, now=DUE)
    entries = AuditEntry.objects.filter(action="campaign.personal_data_purged")
    by_school = entries.get(school=school)
    assert by_school.after == {"campaign": campaign.code, "participant_links": 4, "code_links": 2, "documents": 1}
    total = entries.get(school__isnull=True)
    assert total.department == campaign.department and total.after["schools"] == 1
    assert total.source == "retention" and not total.has_personal_data


@pytest.mark.django_db
def test_a_second_purge_does_nothing(campaign, named):
    personal_data_purge(campaign=campaign, now=DUE)
    entries = AuditEntry.objects.count()
    assert personal_data_purge(campaign=campaign, now=DUE + datetime.timedelta(days=1)) is None
    assert AuditEntry.objects.count() == entries
    campaign.refresh_from_db()
    assert campaign.personal_data_purged_at == DUE


@pytest.mark.django_db
def test_the_daily_task_purges_only_the_campaigns_due(campaign, named, department):
    campaign.retention_months = 100 * 12  # due long after any real clock these tests run on
    campaign.save(update_fields=["retention_months"])
    old = make_campaign(department, code="VPR-2024")
    old.window_start, old.window_end = datetime.date(2024, 4, 20), datetime.date(2024, 5, 20)
    old.save()
    old_pupil = PupilFactory(school_class=SchoolClassFactory(school=named["document"].school, grade=6, letter="А"))
    ParticipantCode.objects.create(
        campaign=old, school=old_pupil.school, pupil=old_pupil, code="30001", class_name="6А"
    )

    first = purge_expired_personal_data.apply().get()
    second = purge_expired_personal_data.apply().get()

    # the real clock is past 20.05.2025, the old campaign's day
    assert first["purged"] == {"VPR-2024": {"participant_links": 0, "code_links": 1, "documents": 0}}
    assert second["purged"] == {}
    assert not ParticipantCode.objects.filter(campaign=old, pupil__isnull=False).exists()
    assert ParticipantCode.objects.filter(campaign=campaign, pupil__isnull=False).count() == 2


@pytest.mark.django_db
def test_a_document_of_another_kind_stays(campaign, named, school):
    other_kind = stored_document(campaign, school, kind="reports.anonymous_table", key="anon")
    retention_run(now=DUE)
    assert GeneratedDocument.objects.filter(pk=other_kind.pk).exists()


# Beforehand: the preview pages and the notices -----------------------------------------------------------


@pytest.fixture
def moscow_school(department):
    return SchoolFactory(
        department=department, code="sch770001", short_name="СШ №7 (Москва)", time_zone="Europe/Moscow"
    )


@pytest.fixture
def municipal(role_users):
    return role_users[Role.MUNICIPAL_COORDINATOR]


@pytest.mark.django_db
def test_the_department_sees_what_each_school_will_lose_and_when(
    client, campaign, named, school, moscow_school, municipal
):
    client.force_login(municipal)
    response = client.get(reverse("grading:retention", args=[campaign.code]))
    preview = response.context["preview"]
    rows = {row.school: row for row in preview.schools}
    assert rows[school].counts.as_dict() == {"participant_links": 4, "code_links": 2, "documents": 1}
    assert rows[moscow_school].counts.total == 0
    assert preview.totals.participant_links == 4
    page = response.content.decode()
    assert "20.04.2027 00:00" in page  # the department's time and the Yekaterinburg school's
    assert "Снегирёва" not in page and "Клестова" not in page


@pytest.mark.django_db
def test_the_coordinator_sees_their_schools_counts_in_its_own_time(client, campaign, named, school, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("grading:school_retention", args=[campaign.code, school.code]))
    assert response.status_code == 200
    assert response.context["row"].counts.as_dict() == {"participant_links": 4, "code_links": 2, "documents": 1}
    page = response.content.decode()
    assert 'data-testid="participants">4<' in page and 'data-testid="documents">1<' in page
    assert "20.04.2027 00:00" in page


@pytest.mark.django_db
def test_after_the_purge_the_page_says_when_it_was_done(client, campaign, named, school, coordinator):
    personal_data_purge(campaign=campaign, now=DUE)
    client.force_login(coordinator)
    response = client.get(reverse("grading:school_retention", args=[campaign.code, school.code]))
    assert response.context["row"].counts.total == 0
    assert "удалены" in response.content.decode()


def day_before(days: int) -> datetime.datetime:
    return DUE - datetime.timedelta(days=days) + datetime.timedelta(hours=9)


@pytest.mark.django_db
def test_coordinators_are_told_30_and_7_days_ahead_once_each(
    campaign, named, school, other_school, coordinator, municipal
):
    idle_coordinator = user_with_role(Role.SCHOOL_COORDINATOR, school=other_school, username="idle-coord")

    assert retention_notices_send(now=day_before(31)) == 0
    assert retention_notices_send(now=day_before(30)) == 2
    assert retention_notices_send(now=day_before(30)) == 0, "once"
    assert retention_notices_send(now=day_before(20)) == 0
    assert retention_notices_send(now=day_before(7)) == 2
    assert retention_notices_send(now=day_before(3)) == 0
    assert retention_notices_send(now=DUE) == 0, "on the day the purge runs, no notice"

    keys = sorted(Notification.objects.filter(user=coordinator).values_list("key", flat=True))
    assert keys == [
        f"retention:{campaign.pk}:school:{school.pk}:2027-04-20:d30",
        f"retention:{campaign.pk}:school:{school.pk}:2027-04-20:d7",
    ]
    assert Notification.objects.filter(user=municipal).count() == 2
    assert not Notification.objects.filter(user=idle_coordinator).exists(), "nothing to remove at that school"
    text = Notification.objects.filter(user=coordinator).first().text
    assert "20.04.2027 00:00" in text and "связей участников — 4" in text
    assert Notification.objects.filter(user=coordinator).first().url == reverse(
        "grading:school_retention", args=[campaign.code, school.code]
    )


@pytest.mark.django_db
def test_a_missed_daily_run_still_sends_the_notice_the_next_day(campaign, named, coordinator):
    assert retention_notices_send(now=day_before(29)) == 2  # the school's coordinator and the municipal one
    assert Notification.objects.get(user=coordinator).key.endswith(":d30")


@pytest.mark.django_db
def test_a_purged_campaign_sends_no_notice(campaign, named, coordinator):
    Campaign.objects.filter(pk=campaign.pk).update(personal_data_purged_at=DUE)
    assert retention_notices_send(now=day_before(7)) == 0


@pytest.mark.django_db
def test_a_coordinator_of_another_municipality_does_not_see_the_campaign(client, campaign, named):
    from tests.factories import DepartmentFactory

    stranger_school = SchoolFactory(department=DepartmentFactory(code="uo-far"), code="sch990001")
    stranger = user_with_role(Role.SCHOOL_COORDINATOR, school=stranger_school, username="far-coord")
    client.force_login(stranger)
    url = reverse("grading:school_retention", args=[campaign.code, stranger_school.code])
    assert client.get(url).status_code == 404


# Each sitting's own day -----------------------------------------------------------------------------------------


def write_on(campaign, school, assessment, school_class, day):
    schedule, _created = SchoolSchedule.objects.get_or_create(campaign=campaign, school=school)
    ScheduleEntry.objects.create(
        schedule=schedule, assessment=assessment, school_class=school_class, date=day, lesson=2
    )


@pytest.fixture
def two_sittings(campaign, assessment, math_assessment, school, class_4a, named):
    """4А writes Russian on 21.04.2026 and mathematics on 12.05.2026."""
    write_on(campaign, school, assessment, class_4a, datetime.date(2026, 4, 21))
    write_on(campaign, school, math_assessment, class_4a, datetime.date(2026, 5, 12))
    return named


RUSSIAN_DUE = datetime.datetime(2027, 4, 21, 0, 0, tzinfo=YEKATERINBURG)
MATHS_DUE = datetime.datetime(2027, 5, 12, 0, 0, tzinfo=YEKATERINBURG)


def linked(campaign, assessment) -> int:
    return Participant.objects.filter(campaign=campaign, assessment=assessment, pupil__isnull=False).count()


@pytest.mark.django_db
def test_a_sittings_names_go_a_year_after_that_sitting_and_a_later_sitting_is_kept(
    campaign, assessment, math_assessment, two_sittings
):
    assert personal_data_purge(campaign=campaign, now=RUSSIAN_DUE - datetime.timedelta(seconds=1)) is None
    assert linked(campaign, assessment) == 2

    removed = personal_data_purge(campaign=campaign, now=RUSSIAN_DUE)

    assert removed.as_dict() == {"participant_links": 2, "code_links": 0, "documents": 0}
    assert linked(campaign, assessment) == 0
    assert linked(campaign, math_assessment) == 2, "the mathematics of 12 May is kept until 12.05.2027"
    assert ParticipantCode.objects.filter(campaign=campaign, pupil__isnull=False).count() == 2
    assert GeneratedDocument.objects.filter(pk=two_sittings["document"].pk).exists()
    campaign.refresh_from_db()
    assert campaign.personal_data_purged_at is None
    assert personal_data_purge(campaign=campaign, now=RUSSIAN_DUE + datetime.timedelta(days=1)) is None


@pytest.mark.django_db
def test_the_last_sitting_takes_the_codes_and_documents_and_marks_the_campaign(
    campaign, assessment, math_assessment, two_sittings
):
    personal_data_purge(campaign=campaign, now=RUSSIAN_DUE)

    removed = personal_data_purge(campaign=campaign, now=MATHS_DUE)

    assert removed.as_dict() == {"participant_links": 2, "code_links": 2, "documents": 1}
    assert not Participant.objects.filter(campaign=campaign, pupil__isnull=False).exists()
    campaign.refresh_from_db()
    assert campaign.personal_data_purged_at == MATHS_DUE


@pytest.mark.django_db
def test_the_purge_no_longer_waits_for_the_end_of_the_window(campaign, two_sittings):
    """Before: 365 days after 20.05.2026. Now every sitting of 4А is due by 12.05.2027."""
    retention_run(now=MATHS_DUE)
    campaign.refresh_from_db()
    assert campaign.personal_data_purged_at == MATHS_DUE


@pytest.mark.django_db
def test_the_schools_sitting_dates_its_classes_without_a_schedule_row(campaign, assessment, school, class_4a, named):

    make_sitting(assessment, school, date=datetime.date(2026, 5, 5), lesson=2)

    assert personal_data_purge(campaign=campaign, now=DUE).as_dict()["participant_links"] == 2  # maths: window start
    assert linked(campaign, assessment) == 2
    personal_data_purge(campaign=campaign, now=datetime.datetime(2027, 5, 5, tzinfo=YEKATERINBURG))
    assert linked(campaign, assessment) == 0


@pytest.mark.django_db
def test_the_preview_lists_each_day_of_removal(client, campaign, two_sittings, school, coordinator, municipal):
    client.force_login(coordinator)
    response = client.get(reverse("grading:school_retention", args=[campaign.code, school.code]))
    row = response.context["row"]
    assert [(d.sitting_date, d.counts.as_dict()) for d in row.dates] == [
        (datetime.date(2026, 4, 21), {"participant_links": 2, "code_links": 0, "documents": 0}),
        (datetime.date(2026, 5, 12), {"participant_links": 2, "code_links": 2, "documents": 1}),
    ]
    page = response.content.decode()
    assert "21.04.2027 00:00" in page and "12.05.2027 00:00" in page

    client.force_login(municipal)
    response = client.get(reverse("grading:retention", args=[campaign.code]))
    assert response.context["preview"].due_at == RUSSIAN_DUE


@pytest.mark.django_db
def test_a_moscow_school_reads_the_moment_in_its_own_time(client, campaign, assessment, moscow_school, municipal):
    pupil = PupilFactory(school_class=SchoolClassFactory(school=moscow_school, grade=4, letter="А"))
    make_participant(assessment, pupil, code="70001")
    client.force_login(municipal)
    page = client.get(reverse("grading:retention", args=[campaign.code])).content.decode()
    assert "19.04.2027 22:00" in page  # 20.04.2027 00:00 in Yekaterinburg


@pytest.mark.django_db
def test_each_day_of_removal_has_its_own_notices(campaign, two_sittings, school, coordinator):
    assert retention_notices_send(now=RUSSIAN_DUE - datetime.timedelta(days=30)) == 2
    assert retention_notices_send(now=MATHS_DUE - datetime.timedelta(days=30)) == 2
    keys = sorted(Notification.objects.filter(user=coordinator).values_list("key", flat=True))
    assert keys == [
        f"retention:{campaign.pk}:school:{school.pk}:2027-04-21:d30",
        f"retention:{campaign.pk}:school:{school.pk}:2027-05-12:d30",
    ]


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_the_stored_days_into_months():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("procedures", "0004_working_calendar")])
    old_apps = executor.loader.project_state([("procedures", "0004_working_calendar")]).apps
    Department = old_apps.get_model("schools", "Department")
    OldCampaign = old_apps.get_model("procedures", "Campaign")
    department = Department.objects.create(code="uo-migr", name="УО", short_name="УО")
    for code, days in (("C-365", 365), ("C-180", 180), ("C-730", 730)):
        OldCampaign.objects.create(
            department=department,
            code=code,
            title=code,
            window_start=datetime.date(2026, 4, 20),
            window_end=datetime.date(2026, 5, 20),
            upload_deadline=datetime.datetime(2026, 5, 25, tzinfo=UTC),
            retention_days=days,
        )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert dict(Campaign.objects.filter(code__startswith="C-").values_list("code", "retention_months")) == {
        "C-365": 12,
        "C-180": 6,
        "C-730": 24,
    }
