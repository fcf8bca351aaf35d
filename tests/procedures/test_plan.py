"""The plan-graph: stages kept by the department, status from data or a school's manual mark, the school's
checklist and «Ход кампании», each time read in the viewer's own time zone (R16)."""

import datetime
import zoneinfo
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from procedures.models import (
    Campaign,
    Document,
    DocumentAcknowledgement,
    DocumentVersion,
    SchoolSchedule,
    Stage,
    StageMark,
)
from procedures.selectors.plan import campaign_progress, checklist
from procedures.services import plan as plan_services
from procedures.services.plan import (
    StageState,
    plan_statuses,
    register_stage_check,
    stage_mark_done,
    stage_save,
    stages_create_defaults,
)
from schools.models import AuditEntry, Role
from tests.factories import DepartmentFactory, SchoolFactory, make_campaign, user_with_role

UTC = datetime.UTC
YEKATERINBURG = zoneinfo.ZoneInfo("Asia/Yekaterinburg")
MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
# 15 April 23:59 in Moscow, 16 April 01:59 in Yekaterinburg.
DEADLINE = datetime.datetime(2026, 4, 15, 20, 59, tzinfo=UTC)


def make_stage(campaign, *, kind=Stage.Kind.OTHER, deadline=DEADLINE, title=None, role=Role.SCHOOL_COORDINATOR):
    return Stage.objects.create(
        campaign=campaign, kind=kind, title=title or f"Этап {kind}", deadline=deadline, responsible_role=role
    )


def publish(document, number, *, at=None):
    return DocumentVersion.objects.create(
        document=document,
        number=number,
        file=ContentFile(b"%PDF-1.4", name=f"reglament-v{number}.pdf"),
        published_at=at or datetime.datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
    )


@pytest.fixture
def municipal(role_users):
    return role_users[Role.MUNICIPAL_COORDINATOR]


# The department keeps the plan-graph ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_standard_stages_come_from_the_campaign_window(campaign, department_user):
    created = stages_create_defaults(campaign=campaign, actor=department_user)

    assert [s.kind for s in created] == [
        Stage.Kind.SCHEDULE_SUBMITTED,
        Stage.Kind.SCHEDULE_APPROVED,
        Stage.Kind.DOCUMENTS_READ,
        Stage.Kind.ORDER_ISSUED,
        Stage.Kind.CODES_ISSUED,
        Stage.Kind.ROOMS_SET,
        Stage.Kind.RESULTS_UPLOADED,
    ]
    by_kind = {s.kind: s for s in campaign.stages.all()}
    assert by_kind[Stage.Kind.RESULTS_UPLOADED].deadline == campaign.upload_deadline
    # 28 days before the window opens on 20 April, at 18:00 in the department's time zone
    assert by_kind[Stage.Kind.SCHEDULE_SUBMITTED].deadline == datetime.datetime(
        2026, 3, 23, 18, 0, tzinfo=YEKATERINBURG
    )
    assert by_kind[Stage.Kind.ORDER_ISSUED].responsible_role == Role.DIRECTOR
    assert all(s.deadline < datetime.datetime(2026, 4, 20, tzinfo=YEKATERINBURG) for s in created[:-1])


@pytest.mark.django_db
def test_pressing_the_standard_stages_button_twice_adds_nothing_the_second_time(client, campaign, department_user):
    make_stage(campaign, kind=Stage.Kind.ORDER_ISSUED, title="Приказ — наш срок")
    client.force_login(department_user)
    url = reverse("procedures:plan_stage_defaults", kwargs={"campaign_code": campaign.code})

    assert client.post(url).status_code == 302
    assert campaign.stages.count() == 7
    assert campaign.stages.get(kind=Stage.Kind.ORDER_ISSUED).title == "Приказ — наш срок"
    client.post(url)
    assert campaign.stages.count() == 7


@pytest.mark.django_db
def test_the_department_enters_a_deadline_as_date_and_time_of_its_own_time_zone(client, campaign, department_user):
    client.force_login(department_user)
    response = client.post(
        reverse("procedures:plan_stage_create", kwargs={"campaign_code": campaign.code}),
        {
            "kind": Stage.Kind.OTHER,
            "title": "Провести инструктаж организаторов",
            "deadline_date": "2026-04-17",
            "deadline_time": "12:00",
            "responsible_role": Role.SCHOOL_COORDINATOR,
        },
    )

    assert response.status_code == 302
    stage = campaign.stages.get()
    assert stage.deadline == datetime.datetime(2026, 4, 17, 7, 0, tzinfo=UTC)  # Yekaterinburg is UTC+5
    assert AuditEntry.objects.filter(action="stage.created", target_id=str(stage.pk)).exists()


@pytest.mark.django_db
def test_a_stage_without_a_title_is_named_after_its_kind(client, campaign, department_user):
    client.force_login(department_user)
    client.post(
        reverse("procedures:plan_stage_create", kwargs={"campaign_code": campaign.code}),
        {
            "kind": Stage.Kind.CODES_ISSUED,
            "title": "",
            "deadline_date": "2026-04-17",
            "deadline_time": "18:00",
            "responsible_role": Role.SCHOOL_COORDINATOR,
        },
    )

    assert campaign.stages.get().title == "Коды участников выданы"


@pytest.mark.django_db
def test_the_edit_form_shows_the_deadline_in_the_department_time_and_saves_changes(client, campaign, department_user):
    stage = make_stage(campaign)
    client.force_login(department_user)
    url = reverse("procedures:plan_stage_edit", kwargs={"campaign_code": campaign.code, "pk": stage.pk})

    page = client.get(url).content.decode()
    assert 'value="2026-04-16"' in page and 'value="01:59"' in page

    response = client.post(
        url,
        {
            "kind": Stage.Kind.OTHER,
            "title": "Проверить кабинеты",
            "deadline_date": "2026-04-16",
            "deadline_time": "10:00",
            "responsible_role": Role.DIRECTOR,
        },
    )
    assert response.status_code == 302
    stage.refresh_from_db()
    assert (stage.title, stage.responsible_role) == ("Проверить кабинеты", Role.DIRECTOR)
    assert stage.deadline == datetime.datetime(2026, 4, 16, 5, 0, tzinfo=UTC)
    assert AuditEntry.objects.filter(action="stage.updated", target_id=str(stage.pk)).exists()


@pytest.mark.django_db
def test_deleting_a_stage_asks_for_confirmation_first(client, campaign, department_user, school, coordinator):
    stage = make_stage(campaign)
    stage_mark_done(stage=stage, school=school, actor=coordinator)
    client.force_login(department_user)
    url = reverse("procedures:plan_stage_delete", kwargs={"campaign_code": campaign.code, "pk": stage.pk})

    page = client.get(url)
    assert page.status_code == 200
    assert "Удалить этап" in page.content.decode()
    assert Stage.objects.filter(pk=stage.pk).exists()

    assert client.post(url).status_code == 302
    assert not Stage.objects.filter(pk=stage.pk).exists()
    assert not StageMark.objects.exists()
    assert AuditEntry.objects.filter(action="stage.deleted").exists()


@pytest.mark.django_db
def test_the_plan_page_shows_department_time_with_moscow_time_alongside(client, campaign, department_user):
    make_stage(campaign, title="Подготовить аудитории")
    client.force_login(department_user)

    page = client.get(reverse("procedures:plan", kwargs={"campaign_code": campaign.code})).content.decode()

    assert "Подготовить аудитории" in page
    assert "16.04.2026 01:59" in page
    assert "15.04 23:59 МСК" in page


@pytest.mark.django_db
def test_the_responsible_role_is_a_role_held_in_a_school(campaign, department_user):
    stage = Stage(campaign=campaign, kind=Stage.Kind.OTHER, title="x", deadline=DEADLINE)
    stage.responsible_role = Role.MUNICIPAL_COORDINATOR
    with pytest.raises(ValidationError):
        stage_save(stage=stage, actor=department_user)
    assert not Stage.objects.exists()


@pytest.mark.django_db
def test_another_municipalitys_campaign_does_not_exist_for_the_department(client, campaign):
    stranger = user_with_role(Role.DEPARTMENT_STAFF, department=DepartmentFactory(code="uo-other"))
    stage = make_stage(campaign)
    client.force_login(stranger)

    for name, kwargs in [
        ("procedures:plan", {}),
        ("procedures:progress", {}),
        ("procedures:plan_stage_edit", {"pk": stage.pk}),
        ("procedures:plan_stage_delete", {"pk": stage.pk}),
    ]:
        url = reverse(name, kwargs={"campaign_code": campaign.code, **kwargs})
        assert client.get(url).status_code == 404, name
    delete_url = reverse("procedures:plan_stage_delete", kwargs={"campaign_code": campaign.code, "pk": stage.pk})
    assert client.post(delete_url).status_code == 404
    assert Stage.objects.filter(pk=stage.pk).exists()


@pytest.mark.django_db
def test_a_stage_of_another_campaign_is_404_under_ours(client, campaign, department, department_user):
    other_campaign = make_campaign(
        department,
        code="VPR-2027",
        status=Campaign.Status.DRAFT,
        window_start=datetime.date(2027, 4, 20),
        window_end=datetime.date(2027, 5, 20),
        upload_deadline=datetime.datetime(2027, 5, 25, 18, 59, tzinfo=UTC),
    )
    stage = make_stage(other_campaign)
    client.force_login(department_user)

    url = reverse("procedures:plan_stage_edit", kwargs={"campaign_code": campaign.code, "pk": stage.pk})
    assert client.get(url).status_code == 404


# Status from data -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_schedule_stages_read_the_schools_schedule(campaign, school, other_school):
    submitted = make_stage(campaign, kind=Stage.Kind.SCHEDULE_SUBMITTED)
    approved = make_stage(campaign, kind=Stage.Kind.SCHEDULE_APPROVED)
    sent_at = datetime.datetime(2026, 3, 20, 10, 0, tzinfo=UTC)
    SchoolSchedule.objects.create(
        campaign=campaign, school=school, status=SchoolSchedule.Status.SUBMITTED, submitted_at=sent_at
    )

    statuses = plan_statuses(campaign=campaign, stages=[submitted, approved], schools=[school, other_school])

    assert statuses[(submitted.pk, school.pk)].done and statuses[(submitted.pk, school.pk)].done_at == sent_at
    assert not statuses[(approved.pk, school.pk)].done
    assert not statuses[(submitted.pk, other_school.pk)].done
    assert not statuses[(submitted.pk, school.pk)].manual

    SchoolSchedule.objects.filter(school=school).update(
        status=SchoolSchedule.Status.APPROVED, decided_at=sent_at + datetime.timedelta(days=2)
    )
    statuses = plan_statuses(campaign=campaign, stages=[submitted, approved], schools=[school])
    assert statuses[(submitted.pk, school.pk)].done
    assert statuses[(approved.pk, school.pk)].done_at == sent_at + datetime.timedelta(days=2)


@pytest.mark.django_db
def test_a_returned_schedule_is_not_submitted(campaign, school):
    stage = make_stage(campaign, kind=Stage.Kind.SCHEDULE_SUBMITTED)
    SchoolSchedule.objects.create(campaign=campaign, school=school, status=SchoolSchedule.Status.RETURNED)

    assert not plan_statuses(campaign=campaign, stages=[stage], schools=[school])[(stage.pk, school.pk)].done


@pytest.mark.django_db
def test_documents_are_read_when_the_latest_version_of_every_document_is_acknowledged(campaign, school):
    stage = make_stage(campaign, kind=Stage.Kind.DOCUMENTS_READ)

    def done():
        return plan_statuses(campaign=campaign, stages=[stage], schools=[school])[(stage.pk, school.pk)]

    assert not done().done, "with no document published there is nothing read yet"

    regulation = Document.objects.create(
        department=campaign.department, campaign=campaign, kind=Document.Kind.REGULATION, title="Регламент"
    )
    order = Document.objects.create(
        department=campaign.department, campaign=campaign, kind=Document.Kind.ORDER, title="Распоряжение"
    )
    first = publish(regulation, 1)
    order_v1 = publish(order, 1)
    DocumentAcknowledgement.objects.create(
        version=first, school=school, acknowledged_at=datetime.datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    )
    assert not done().done, "the order is not read yet"

    read_at = datetime.datetime(2026, 3, 5, 8, 0, tzinfo=UTC)
    DocumentAcknowledgement.objects.create(version=order_v1, school=school, acknowledged_at=read_at)
    assert done().done and done().done_at == read_at

    publish(regulation, 2)
    assert not done().done, "a new version of the regulation must be read again"


@pytest.mark.django_db
def test_kinds_without_a_checker_take_the_schools_manual_mark(campaign, school, coordinator):
    stage = make_stage(campaign, kind=Stage.Kind.OTHER)
    assert not plan_statuses(campaign=campaign, stages=[stage], schools=[school])[(stage.pk, school.pk)].done

    stage_mark_done(stage=stage, school=school, actor=coordinator)

    status = plan_statuses(campaign=campaign, stages=[stage], schools=[school])[(stage.pk, school.pk)]
    assert status.done and status.manual and status.marked_by == str(coordinator)


@pytest.mark.django_db
def test_a_registered_checker_replaces_the_manual_mark(monkeypatch, campaign, school, other_school, coordinator):
    stage = make_stage(campaign, kind=Stage.Kind.ORDER_ISSUED)
    StageMark.objects.create(stage=stage, school=other_school)
    # the order's own checker (procedures.selectors.orders) is set aside: this test registers its own
    checks = {kind: check for kind, check in plan_services._STAGE_CHECKS.items() if kind != Stage.Kind.ORDER_ISSUED}
    monkeypatch.setattr(plan_services, "_STAGE_CHECKS", checks)
    issued_at = datetime.datetime(2026, 4, 1, 6, 0, tzinfo=UTC)

    @register_stage_check(Stage.Kind.ORDER_ISSUED)
    def order_issued(campaign, schools):
        return {school.pk: (True, issued_at)}

    statuses = plan_statuses(campaign=campaign, stages=[stage], schools=[school, other_school])
    assert statuses[(stage.pk, school.pk)].done_at == issued_at
    assert not statuses[(stage.pk, other_school.pk)].done, "the old manual mark no longer counts"
    with pytest.raises(ValidationError):
        stage_mark_done(stage=stage, school=school, actor=coordinator)


def test_no_checker_can_be_registered_for_other_stages():
    with pytest.raises(ValueError):
        register_stage_check(Stage.Kind.OTHER)


def test_a_kind_cannot_get_two_different_checkers():
    with pytest.raises(ValueError):

        @register_stage_check(Stage.Kind.SCHEDULE_SUBMITTED)
        def another(campaign, schools):
            return {}


# The school's checklist -------------------------------------------------------------------------------------


def checklist_url(school, campaign=None):
    url = reverse("procedures:checklist", kwargs={"school_code": school.code})
    return url + "?" + urlencode({"campaign": campaign.code}) if campaign else url


@pytest.mark.django_db
def test_without_an_active_campaign_the_checklist_says_it_is_not_announced(client, department, school, coordinator):
    make_campaign(
        department, code="VPR-DRAFT", title="ВПР-черновик", status=Campaign.Status.DRAFT, upload_deadline=DEADLINE
    )
    client.force_login(coordinator)

    response = client.get(checklist_url(school))

    assert response.status_code == 200
    assert "Кампания ещё не объявлена" in response.content.decode()
    assert "ВПР-черновик" not in response.content.decode()


@pytest.mark.django_db
def test_each_school_reads_the_same_deadline_in_its_own_time_zone(client, campaign, department):
    make_stage(campaign, title="Выдать коды участников", kind=Stage.Kind.CODES_ISSUED)
    moscow_school = SchoolFactory(department=department, time_zone="Europe/Moscow")
    ural_school = SchoolFactory(department=department, time_zone="Asia/Yekaterinburg")

    client.force_login(user_with_role(Role.SCHOOL_COORDINATOR, school=moscow_school))
    moscow_page = client.get(checklist_url(moscow_school)).content.decode()
    client.force_login(user_with_role(Role.DIRECTOR, school=ural_school))
    ural_page = client.get(checklist_url(ural_school)).content.decode()

    assert "15.04.2026 23:59" in moscow_page and "МСК" not in moscow_page.split('data-testid="checklist"')[1]
    assert "16.04.2026 01:59" in ural_page and "15.04 23:59 МСК" in ural_page


@pytest.mark.django_db
def test_the_checklist_gives_status_and_days_left_by_the_schools_calendar(campaign, school):
    overdue = make_stage(campaign, title="Приказ", kind=Stage.Kind.ORDER_ISSUED, deadline=DEADLINE)
    soon = make_stage(
        campaign, title="Коды", kind=Stage.Kind.CODES_ISSUED, deadline=DEADLINE + datetime.timedelta(days=3)
    )
    SchoolSchedule.objects.create(campaign=campaign, school=school, status=SchoolSchedule.Status.APPROVED)
    done = make_stage(campaign, kind=Stage.Kind.SCHEDULE_APPROVED, deadline=DEADLINE + datetime.timedelta(days=5))
    # 16 April, 19:30 in Yekaterinburg: the order's deadline passed this night
    now = datetime.datetime(2026, 4, 16, 14, 30, tzinfo=UTC)

    rows = {row.stage.pk: row for row in checklist(campaign=campaign, school=school, tz=school.tzinfo, now=now)}

    assert rows[overdue.pk].state == StageState.OVERDUE and rows[overdue.pk].days_overdue == 0
    assert rows[soon.pk].state == StageState.PENDING and rows[soon.pk].days_left == 3
    assert rows[done.pk].state == StageState.DONE
    assert [row.stage.pk for row in rows.values()] == [overdue.pk, soon.pk, done.pk]


@pytest.mark.django_db
def test_the_coordinator_marks_a_manual_stage_done_and_can_withdraw_it(client, campaign, school, coordinator):
    stage = make_stage(campaign, kind=Stage.Kind.OTHER, title="Провести инструктаж организаторов")
    client.force_login(coordinator)
    page = client.get(checklist_url(school)).content.decode()
    assert "отметить выполненным" in page and "отмечается школой вручную" in page

    url = reverse("procedures:plan_stage_mark", kwargs={"school_code": school.code, "stage_id": stage.pk})
    response = client.post(url, {"action": "done"})

    assert response.status_code == 302 and response["Location"] == checklist_url(school, campaign)
    mark = StageMark.objects.get(stage=stage, school=school)
    assert mark.done_by == coordinator
    assert "отметка вручную" in client.get(checklist_url(school)).content.decode()

    client.post(url, {"action": "undo"})
    assert not StageMark.objects.exists()


@pytest.mark.django_db
def test_a_stage_read_from_data_cannot_be_marked_by_hand(client, campaign, school, coordinator):
    stage = make_stage(campaign, kind=Stage.Kind.SCHEDULE_SUBMITTED)
    client.force_login(coordinator)

    assert "отметить выполненным" not in client.get(checklist_url(school)).content.decode()
    response = client.post(
        reverse("procedures:plan_stage_mark", kwargs={"school_code": school.code, "stage_id": stage.pk}), follow=True
    )
    assert "отмечается автоматически" in response.content.decode()
    assert not StageMark.objects.exists()


@pytest.mark.django_db
def test_the_director_reads_the_checklist_but_does_not_mark(client, campaign, school, role_users):
    stage = make_stage(campaign)
    director = role_users[Role.DIRECTOR]
    client.force_login(director)

    assert "отметить выполненным" not in client.get(checklist_url(school)).content.decode()
    url = reverse("procedures:plan_stage_mark", kwargs={"school_code": school.code, "stage_id": stage.pk})
    assert client.post(url).status_code == 403
    assert not StageMark.objects.exists()


@pytest.mark.django_db
def test_a_coordinator_cannot_mark_a_stage_of_another_municipality(client, school, coordinator):
    foreign = make_campaign(
        DepartmentFactory(code="uo-other"), code="VPR-OTHER", title="Чужая", upload_deadline=DEADLINE
    )
    stage = make_stage(foreign)
    client.force_login(coordinator)

    url = reverse("procedures:plan_stage_mark", kwargs={"school_code": school.code, "stage_id": stage.pk})
    assert client.post(url).status_code == 404
    assert not StageMark.objects.exists()


@pytest.mark.django_db
def test_with_two_active_campaigns_the_checklist_offers_a_choice(client, campaign, department, school, coordinator):
    second = make_campaign(
        department,
        code="NIKO-2026",
        title="НИКО-2026",
        window_start=datetime.date(2026, 10, 1),
        window_end=datetime.date(2026, 10, 20),
        upload_deadline=DEADLINE,
    )
    make_stage(campaign, title="Этап ВПР")
    make_stage(second, title="Этап НИКО")
    client.force_login(coordinator)

    first_page = client.get(checklist_url(school)).content.decode()
    second_page = client.get(checklist_url(school, second)).content.decode()

    assert 'data-testid="campaign-selector"' in first_page
    assert "Этап ВПР" in first_page and "Этап НИКО" not in first_page
    assert "Этап НИКО" in second_page and "Этап ВПР" not in second_page


# «Ход кампании» ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_progress_puts_the_late_schools_first_and_counts_each_stage(campaign, department, school, other_school):
    past = make_stage(campaign, kind=Stage.Kind.OTHER, deadline=DEADLINE)
    future = make_stage(campaign, kind=Stage.Kind.ROOMS_SET, deadline=DEADLINE + datetime.timedelta(days=10))
    StageMark.objects.create(stage=past, school=school)
    now = DEADLINE + datetime.timedelta(days=1)

    progress = campaign_progress(campaign=campaign, now=now)

    assert [row.school for row in progress.rows] == [other_school, school]
    assert [cell.state for cell in progress.rows[0].cells] == [StageState.OVERDUE, StageState.PENDING]
    assert (progress.stages[0].done, progress.stages[0].not_done, progress.stages[0].overdue) == (1, 1, 1)
    assert (progress.stages[1].done, progress.stages[1].not_done) == (0, 2)
    assert progress.late_total == 1
    assert [row.school for row in campaign_progress(campaign=campaign, now=now, only_late=True).rows] == [other_school]
    assert future.pk == progress.stages[1].stage.pk


@pytest.mark.django_db
def test_the_progress_page_highlights_overdue_and_filters_the_late(client, campaign, school, other_school, municipal):
    stage = make_stage(campaign, kind=Stage.Kind.OTHER, deadline=datetime.datetime(2026, 1, 10, 9, 0, tzinfo=UTC))
    StageMark.objects.create(stage=stage, school=school, done_at=datetime.datetime(2026, 1, 9, 9, 0, tzinfo=UTC))
    client.force_login(municipal)
    url = reverse("procedures:progress", kwargs={"campaign_code": campaign.code})

    page = client.get(url).content.decode()
    late_page = client.get(url + "?late=1").content.decode()

    assert page.index(other_school.short_name) < page.index(school.short_name)
    assert 'data-state="overdue"' in page and 'data-state="done"' in page and "09.01" in page
    assert other_school.short_name in late_page and school.short_name not in late_page
    assert reverse("procedures:progress_school", args=[campaign.code, other_school.code]) in page


@pytest.mark.django_db
def test_the_progress_page_does_not_grow_in_queries_with_the_schools(client, campaign, department, municipal):
    stages_create_defaults(campaign=campaign, actor=municipal)
    client.force_login(municipal)
    url = reverse("procedures:progress", kwargs={"campaign_code": campaign.code})
    counts = []
    for total in (2, 6):
        while department.schools.count() < total:
            new = SchoolFactory(department=department)
            SchoolSchedule.objects.create(campaign=campaign, school=new, status=SchoolSchedule.Status.APPROVED)
            StageMark.objects.create(stage=campaign.stages.get(kind=Stage.Kind.ORDER_ISSUED), school=new)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@pytest.mark.django_db
def test_the_department_reads_a_schools_plan_in_its_own_time(client, campaign, department, municipal):
    moscow_school = SchoolFactory(department=department, time_zone="Europe/Moscow")
    make_stage(campaign, title="Выдать коды участников")
    client.force_login(municipal)

    page = client.get(reverse("procedures:progress_school", args=[campaign.code, moscow_school.code])).content.decode()

    assert "Выдать коды участников" in page
    assert "16.04.2026 01:59" in page and "15.04 23:59 МСК" in page
    assert "отметить выполненным" not in page


@pytest.mark.django_db
def test_the_checklist_links_a_stage_to_where_its_work_is_done(client, campaign, school, coordinator):
    make_stage(campaign, kind=Stage.Kind.SCHEDULE_SUBMITTED, title="Направить график")
    make_stage(campaign, kind=Stage.Kind.OTHER, title="Проверить кабинеты")
    client.force_login(coordinator)

    rows = checklist(campaign=campaign, school=school, tz=school.tzinfo)

    assert rows[0].url == reverse(
        "procedures:schedule", kwargs={"campaign_code": campaign.code, "school_code": school.code}
    )
    assert rows[1].url is None
    assert f'href="{rows[0].url}"' in client.get(checklist_url(school)).content.decode()
