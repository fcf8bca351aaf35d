"""The school's order on conducting the ВПР (Регламент 4.3.1): its content from the approved schedule and the
staffing, the PDF and the DOCX, versions when the staffing or schedule change, the signed scan, the plan-graph."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from procedures.models import (
    Appointment,
    ScheduleEntry,
    SchoolOrder,
    SchoolSchedule,
    Stage,
)
from procedures.selectors.orders import order_state
from procedures.services.orders import SCAN_MAX_BYTES, order_approve, order_scan_upload, order_submit
from procedures.services.plan import plan_statuses, stage_is_manual, stage_link
from schools.models import AuditEntry, Role
from tests.factories import StaffFactory, make_room, make_sitting, make_sitting_room, user_with_role
from vpr_portal.pdf import pdf_text

PDF = b"%PDF-1.4\n% signed order\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def appoint(campaign, school, staff, duty, **extra):
    return Appointment.objects.create(campaign=campaign, school=school, staff=staff, duty=duty, **extra)


@pytest.fixture
def prepared(campaign, assessment, math_assessment, school, class_4a):
    """An approved schedule (Russian and maths in 4А) and the staffing of the order."""
    school.name = "МАОУ «Средняя школа №1»"
    school.director_name = "Иванова Ольга Петровна"
    school.save()
    schedule = SchoolSchedule.objects.create(campaign=campaign, school=school, status=SchoolSchedule.Status.APPROVED)
    ScheduleEntry.objects.create(
        schedule=schedule, assessment=assessment, school_class=class_4a, date=datetime.date(2026, 4, 21), lesson=2
    )
    ScheduleEntry.objects.create(
        schedule=schedule, assessment=math_assessment, school_class=class_4a, date=datetime.date(2026, 4, 23), lesson=3
    )
    sitting = make_sitting(assessment, school, date=datetime.date(2026, 4, 21), lesson=2)
    sitting_room = make_sitting_room(sitting, make_room(school, name="Каб. 12", rows=4, columns=4))
    people = {
        "coordinator": StaffFactory(
            school=school,
            last_name="Воронцова",
            first_name="Елена",
            middle_name="Игоревна",
            position="заместитель директора",
        ),
        "technical": StaffFactory(
            school=school,
            last_name="Лебедев",
            first_name="Артём",
            middle_name="Сергеевич",
            position="учитель информатики",
        ),
        "organizer1": StaffFactory(school=school, last_name="Синицына", first_name="Наталья", middle_name="Павловна"),
        "organizer2": StaffFactory(school=school, last_name="Щеглов", first_name="Игорь", middle_name="Викторович"),
        "expert": StaffFactory(school=school, last_name="Дроздова", first_name="Марина", middle_name="Андреевна"),
    }
    appoint(campaign, school, people["coordinator"], Appointment.Duty.COORDINATOR)
    appoint(campaign, school, people["technical"], Appointment.Duty.TECHNICAL)
    appoint(campaign, school, people["organizer1"], Appointment.Duty.ORGANIZER, sitting_room=sitting_room)
    appoint(campaign, school, people["organizer2"], Appointment.Duty.ORGANIZER, sitting_room=sitting_room)
    appoint(campaign, school, people["expert"], Appointment.Duty.EXPERT, assessment=assessment)
    return {"schedule": schedule, "sitting_room": sitting_room, **people}


def issue(campaign, school, actor, number="45-о", date=datetime.date(2026, 4, 1)):
    """Submits a version and has the director approve it: the order in force (see test_order_approval.py)."""
    order = order_submit(campaign=campaign, school=school, number=number, date=date, actor=actor)
    director = user_with_role(Role.DIRECTOR, school=school)
    return order_approve(order=order, actor=director)


def order_url(name, order, **extra):
    kwargs = {"campaign_code": order.campaign.code, "school_code": order.school.code, **extra}
    return reverse(f"procedures:{name}", kwargs=kwargs)


def flat(text: str) -> str:
    return " ".join(text.split())


# Content, PDF and DOCX --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_pdf_names_the_appointed_people_and_the_schedule(client, prepared, campaign, school, coordinator):
    order = issue(campaign, school, coordinator)
    client.force_login(coordinator)

    response = client.get(order_url("order_pdf", order, version=1))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = flat(pdf_text(response.content))
    assert "МАОУ «Средняя школа №1»" in text
    assert "ПРИКАЗ" in text and "01.04.2026" in text and "№ 45-о" in text
    assert "О проведении Всероссийских проверочных работ в 2026 году" in text
    assert "ПРИКАЗЫВАЮ:" in text
    assert "Воронцова Елена Игоревна, заместитель директора" in text
    assert "Лебедев Артём Сергеевич" in text
    for surname in ("Синицына", "Щеглов", "Дроздова"):
        assert surname in text
    assert "Каб. 12" in text
    assert "21.04.2026" in text and "23.04.2026" in text and "Математика, 4 кл." in text and "4А" in text
    assert "конфиденциальность" in text
    assert "Контроль за исполнением настоящего приказа оставляю за собой." in text
    assert "О.П. Иванова" in text


@pytest.mark.django_db
def test_the_docx_reads_back_with_the_points_and_the_tables(client, prepared, campaign, school, coordinator):
    from docx import Document

    order = issue(campaign, school, coordinator)
    client.force_login(coordinator)

    response = client.get(order_url("order_docx", order, version=1))

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.docx"')
    document = Document(io.BytesIO(response.content))
    paragraphs = [p.text for p in document.paragraphs]
    assert "ПРИКАЗ" in paragraphs
    assert "01.04.2026\t№ 45-о" in paragraphs
    assert "О проведении Всероссийских проверочных работ в 2026 году" in paragraphs
    assert any(
        p.startswith("2. Назначить школьным координатором ВПР") and "Воронцова Елена Игоревна" in p for p in paragraphs
    )
    assert any(p.startswith("3. Назначить техническим специалистом") and "Лебедев Артём" in p for p in paragraphs)
    assert any(p.startswith("Директор") and p.endswith("О.П. Иванова") for p in paragraphs)
    schedule, organizers, experts = ([[c.text for c in row.cells] for row in t.rows] for t in document.tables)
    assert schedule[0] == ["Дата", "Урок", "Работа", "Классы", "Время, мин"]
    assert ["21.04.2026", "2", "Русский язык, 4 кл.", "4А", "45"] in schedule
    assert organizers[1][3] == "Каб. 12" and "Синицына" in organizers[1][4] and "Щеглов" in organizers[1][4]
    assert experts[1][0] == "Русский язык, 4 кл." and "Дроздова Марина Андреевна" in experts[1][1]


@pytest.mark.django_db
def test_the_page_previews_the_draft_before_anything_is_issued(client, prepared, campaign, school, coordinator):
    client.force_login(coordinator)

    page = client.get(reverse("procedures:order", args=[campaign.code, school.code])).content.decode()

    assert 'data-testid="order-none"' in page
    assert "Воронцова Елена Игоревна" in page and "Отправить директору на утверждение" in page
    assert not SchoolOrder.objects.exists()


@pytest.mark.django_db
def test_submitting_through_the_page_creates_version_1_and_audits_it(client, prepared, campaign, school, role_users):
    director = role_users[Role.DIRECTOR]
    client.force_login(director)

    response = client.post(
        reverse("procedures:order_submit", args=[campaign.code, school.code]), {"number": "45-о", "date": "2026-04-01"}
    )

    assert response.status_code == 302
    order = SchoolOrder.objects.get()
    assert (order.version, order.number, order.date, order.created_by) == (
        1,
        "45-о",
        datetime.date(2026, 4, 1),
        director,
    )
    assert [p["name"] for p in order.content["coordinator"]] == ["Воронцова Елена Игоревна"]
    assert order.status == SchoolOrder.Status.SUBMITTED
    entry = AuditEntry.objects.get(action="order.submitted")
    assert entry.school == school and entry.after["version"] == 1 and entry.after["number"] == "45-о"


@pytest.mark.django_db
def test_the_order_waits_for_the_approved_schedule(prepared, campaign, school, coordinator):
    SchoolSchedule.objects.filter(pk=prepared["schedule"].pk).update(status=SchoolSchedule.Status.SUBMITTED)

    with pytest.raises(ValidationError, match="не согласован"):
        issue(campaign, school, coordinator)
    assert not SchoolOrder.objects.exists()


@pytest.mark.django_db
def test_a_number_is_required(prepared, campaign, school, coordinator):
    with pytest.raises(ValidationError):
        issue(campaign, school, coordinator, number="  ")
    assert not SchoolOrder.objects.exists()


# Versions ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_nothing_changed_means_no_new_version(prepared, campaign, school, coordinator):
    issue(campaign, school, coordinator)

    with pytest.raises(ValidationError, match="не изменились"):
        issue(campaign, school, coordinator, number="46-о")
    assert SchoolOrder.objects.count() == 1
    assert not order_state(campaign=campaign, school=school).needs_new_version


@pytest.mark.django_db
def test_a_new_expert_calls_for_version_2_and_version_1_stays_as_issued(
    client, prepared, campaign, school, math_assessment, coordinator
):
    first = issue(campaign, school, coordinator)
    newcomer = StaffFactory(school=school, last_name="Грачёва", first_name="Анна", middle_name="Ильинична")
    appoint(campaign, school, newcomer, Appointment.Duty.EXPERT, assessment=math_assessment)
    client.force_login(coordinator)

    page = client.get(reverse("procedures:order", args=[campaign.code, school.code])).content.decode()
    assert "Состав изменился — отправьте директору новую версию" in page
    assert order_state(campaign=campaign, school=school).changes == ["эксперты"]

    second = issue(campaign, school, coordinator, number="52-о", date=datetime.date(2026, 4, 10))

    assert second.version == 2
    first.refresh_from_db()
    assert "Грачёва" not in str(first.content) and "Грачёва" in str(second.content)
    assert "Грачёва" not in pdf_text(client.get(order_url("order_pdf", first, version=1)).content)
    assert "Грачёва" in pdf_text(client.get(order_url("order_pdf", second, version=2)).content)
    assert AuditEntry.objects.get(action="order.submitted", after__version=2).after["changed"] == "эксперты"
    page = client.get(reverse("procedures:order", args=[campaign.code, school.code])).content.decode()
    assert 'data-testid="order-current"' in page


@pytest.mark.django_db
def test_a_moved_lesson_and_a_replaced_organizer_are_changes(prepared, campaign, school, coordinator):
    issue(campaign, school, coordinator)
    ScheduleEntry.objects.filter(assessment__code="RU-4").update(lesson=3)
    Appointment.objects.filter(staff=prepared["organizer2"]).update(
        staff=StaffFactory(school=school, last_name="Чижова", first_name="Вера")
    )

    assert order_state(campaign=campaign, school=school).changes == ["график проведения", "организаторы в аудиториях"]


@pytest.mark.django_db
def test_a_new_version_cannot_be_dated_before_the_last(prepared, campaign, school, coordinator):
    issue(campaign, school, coordinator, date=datetime.date(2026, 4, 5))
    appoint(campaign, school, StaffFactory(school=school), Appointment.Duty.TECHNICAL)

    with pytest.raises(ValidationError):
        issue(campaign, school, coordinator, number="50-о", date=datetime.date(2026, 4, 4))
    assert SchoolOrder.objects.count() == 1


# The signed scan ---------------------------------------------------------------------------------------------


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT / "orders"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.django_db
def test_a_signed_scan_is_stored_and_downloaded_by_the_department(
    client, prepared, campaign, school, coordinator, department_user, settings
):
    order = issue(campaign, school, coordinator)
    client.force_login(coordinator)

    response = client.post(
        order_url("order_scan_upload", order, version=1), {"file": SimpleUploadedFile("скан.pdf", PDF)}
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.signed_scan.name == f"orders/{school.pk}/{campaign.pk}/v1/order-{school.code}-v1.pdf"
    assert AuditEntry.objects.filter(action="order.scan_uploaded").exists()
    client.force_login(department_user)
    download = client.get(order_url("order_scan", order, version=1))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


@pytest.mark.django_db
def test_replacing_a_scan_keeps_only_the_new_file(
    prepared, campaign, school, coordinator, settings, django_capture_on_commit_callbacks
):
    order = issue(campaign, school, coordinator)
    order_scan_upload(order=order, file=SimpleUploadedFile("first.pdf", PDF), actor=coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        order_scan_upload(order=order, file=SimpleUploadedFile("second.png", PNG), actor=coordinator)

    assert [p.name for p in stored_files(settings)] == [f"order-{school.code}-v1.png"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, data",
    [
        ("приказ.docx", b"PK\x03\x04 a word file"),
        ("скан.exe", b"MZ\x90\x00"),
        ("скан.pdf", b"MZ\x90\x00 an executable renamed"),
        ("скан.jpg", PNG),
        ("скан.png", b""),
    ],
)
def test_a_wrong_scan_is_refused_and_nothing_is_written(
    client, prepared, campaign, school, coordinator, settings, name, data
):
    order = issue(campaign, school, coordinator)
    client.force_login(coordinator)

    response = client.post(order_url("order_scan_upload", order, version=1), {"file": SimpleUploadedFile(name, data)})

    assert response.status_code == 400
    order.refresh_from_db()
    assert not order.signed_scan and stored_files(settings) == []
    assert not AuditEntry.objects.filter(action="order.scan_uploaded").exists()


@pytest.mark.django_db
def test_a_scan_over_20_mb_is_refused_in_russian(client, prepared, campaign, school, coordinator, settings):
    order = issue(campaign, school, coordinator)
    client.force_login(coordinator)

    response = client.post(
        order_url("order_scan_upload", order, version=1),
        {"file": SimpleUploadedFile("скан.pdf", PDF + b"0" * SCAN_MAX_BYTES)},
    )

    assert response.status_code == 400 and "больше 20 МБ" in response.content.decode()
    order.refresh_from_db()
    assert not order.signed_scan and stored_files(settings) == []


@pytest.mark.django_db
def test_the_department_reads_but_does_not_issue_or_upload(
    client, prepared, campaign, school, coordinator, department_user
):
    order = issue(campaign, school, coordinator)
    client.force_login(department_user)

    assert client.get(order_url("order_pdf", order, version=1)).status_code == 200
    page = client.get(reverse("procedures:order", args=[campaign.code, school.code])).content.decode()
    assert 'data-testid="order-issue-form"' not in page and 'data-testid="scan-form-1"' not in page
    issue_url = reverse("procedures:order_submit", args=[campaign.code, school.code])
    assert client.post(issue_url, {"number": "1", "date": "2026-04-02"}).status_code == 403
    upload = client.post(order_url("order_scan_upload", order, version=1), {"file": SimpleUploadedFile("s.pdf", PDF)})
    assert upload.status_code == 403


@pytest.mark.django_db
def test_another_schools_coordinator_gets_404(client, prepared, campaign, school, other_school, coordinator):
    order = issue(campaign, school, coordinator)
    client.force_login(user_with_role(Role.SCHOOL_COORDINATOR, school=other_school))

    assert client.get(order_url("order_pdf", order, version=1)).status_code == 404
    assert client.get(order_url("order_docx", order, version=1)).status_code == 404
    issue_url = reverse("procedures:order_submit", args=[campaign.code, school.code])
    assert client.post(issue_url, {"number": "1", "date": "2026-04-02"}).status_code == 404


# The plan-graph -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_order_issued_is_read_from_the_orders(prepared, campaign, school, other_school, coordinator):
    stage = Stage.objects.create(
        campaign=campaign,
        kind=Stage.Kind.ORDER_ISSUED,
        title="Издать приказ",
        deadline=datetime.datetime(2026, 4, 10, 13, 0, tzinfo=datetime.UTC),
    )
    assert not stage_is_manual(Stage.Kind.ORDER_ISSUED)
    before = plan_statuses(campaign=campaign, stages=[stage], schools=[school, other_school])
    assert not before[(stage.pk, school.pk)].done

    order = issue(campaign, school, coordinator)
    appoint(campaign, school, StaffFactory(school=school), Appointment.Duty.TECHNICAL)
    issue(campaign, school, coordinator, number="46-о")

    after = plan_statuses(campaign=campaign, stages=[stage], schools=[school, other_school])
    assert after[(stage.pk, school.pk)].done and after[(stage.pk, school.pk)].done_at == order.decided_at
    assert not after[(stage.pk, other_school.pk)].done
    assert stage_link(Stage.Kind.ORDER_ISSUED, campaign=campaign, school=school) == reverse(
        "procedures:order", args=[campaign.code, school.code]
    )
