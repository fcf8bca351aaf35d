"""The school's side of the re-check: scans checked by content and size, the batch matched by code (all or
nothing), sending refused with the missing list and then locked, scans served only within scope, and the cover
letter (R14) carrying every field of every work, in PDF and DOCX, without a pupil's name."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from monitoring import recheck_scans as rs
from monitoring.models import CommissionMember, Recheck, RecheckScan, RecheckSelection, RecheckWork
from schools.models import AuditEntry, Notification, Role
from tests.factories import (
    PupilFactory,
    SchoolClassFactory,
    StaffFactory,
    make_assessment,
    make_campaign,
    make_participant,
    make_work,
    user_with_role,
)

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


def upload(name: str, data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


@pytest.fixture
def campaign(department):
    return make_campaign(department)


@pytest.fixture
def assessment(campaign):
    return make_assessment(campaign)


@pytest.fixture
def original_expert(school):
    return StaffFactory(
        school=school,
        last_name="Оценкина",
        first_name="Вера",
        middle_name="Павловна",
        position="учитель начальных классов",
    )


@pytest.fixture
def works(school, assessment, original_expert):
    """Three present participants with results (variants 1, 2, 1), a pupil behind the first; an absent one and one
    without a result, which are not re-checked."""
    school_class = SchoolClassFactory(school=school, grade=4, letter="Б")
    pupil = PupilFactory(school_class=school_class, last_name="Секретова")
    made = []
    for code, variant, score, pupil_of in (("10001", 1, 14, pupil), ("10002", 2, 9, None), ("10003", 1, 20, None)):
        participant = make_participant(
            assessment, pupil_of, code=code, variant=variant, school=school, class_name="4Б", sex="Ж"
        )
        made.append(
            make_work(participant, expert=original_expert, primary_score=score, mark=assessment.mark_for(score))
        )
    absent = make_participant(assessment, code="10004", variant=2, school=school, class_name="4Б", absent=True)
    make_work(absent, expert=original_expert)
    no_result = make_participant(assessment, code="10005", variant=2, school=school, class_name="4Б")
    make_work(no_result, expert=original_expert)
    return made


@pytest.fixture
def selection(school, assessment, works, department):
    recheck = Recheck.objects.create(campaign=assessment.campaign, department=department)
    return RecheckSelection.objects.create(
        recheck=recheck, school=school, assessment=assessment, reason=RecheckSelection.Reason.MANUAL
    )


@pytest.fixture
def coordinator(school):
    return user_with_role(Role.SCHOOL_COORDINATOR, school=school)


def upload_all(selection, by, *, skip_code=None, skip_variant=None):
    for work in rs.works_to_send(selection):
        if work.participant.code != skip_code:
            rs.scan_upload(selection=selection, upload=upload(f"{work.participant.code}.pdf"), by=by, work_id=work.pk)
    for variant in (1, 2):
        if variant != skip_variant:
            rs.scan_upload(selection=selection, upload=upload("k.png", PNG), by=by, variant=variant)


# What is sent --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_present_participants_with_a_result_are_to_be_scanned(selection):
    state = rs.selection_scans(selection)
    assert [row.code for row in state.works] == ["10001", "10002", "10003"]
    assert [row.variant for row in state.variants] == [1, 2]


# Type and size ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_file_is_checked_by_its_content_not_its_name(selection, coordinator, works):
    with pytest.raises(ValidationError, match="не PDF, JPEG или PNG"):
        rs.scan_upload(
            selection=selection,
            upload=upload("10001.pdf", b"MZ\x90\x00 not a pdf"),
            by=coordinator,
            work_id=works[0].pk,
        )
    assert not RecheckScan.objects.exists()
    scan = rs.scan_upload(selection=selection, upload=upload("photo.pdf", JPEG), by=coordinator, work_id=works[0].pk)
    assert scan.content_type == "image/jpeg"
    assert scan.file.name.endswith("10001.jpg")


@pytest.mark.django_db
def test_a_file_over_20_mb_is_refused(selection, coordinator, works):
    big = upload("10001.pdf", PDF + b"0" * (rs.SCAN_MAX_BYTES + 1 - len(PDF)))
    with pytest.raises(ValidationError, match="больше 20 МБ"):
        rs.scan_upload(selection=selection, upload=big, by=coordinator, work_id=works[0].pk)
    assert not RecheckScan.objects.exists()


@pytest.mark.django_db
def test_a_work_not_selected_and_a_variant_nobody_wrote_are_refused(selection, coordinator, school, assessment):
    other = make_work(make_participant(assessment, code="10009", variant=1, school=school, absent=True))
    with pytest.raises(ValidationError, match="нет среди отобранных"):
        rs.scan_upload(selection=selection, upload=upload("x.pdf"), by=coordinator, work_id=other.pk)
    with pytest.raises(ValidationError, match="Вариант 3"):
        rs.scan_upload(selection=selection, upload=upload("k.pdf"), by=coordinator, variant=3)


@pytest.mark.django_db(transaction=True)
def test_replacing_a_scan_leaves_nothing_stale(selection, coordinator, works):
    first = rs.scan_upload(selection=selection, upload=upload("a.pdf"), by=coordinator, work_id=works[0].pk)
    old_name = first.file.name
    second = rs.scan_upload(selection=selection, upload=upload("b.png", PNG), by=coordinator, work_id=works[0].pk)
    assert list(RecheckScan.objects.filter(work=works[0])) == [second]
    assert not default_storage.exists(old_name)
    assert default_storage.exists(second.file.name)


# The batch ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_batch_is_matched_to_works_by_the_file_names_code(selection, coordinator):
    scans = rs.scans_upload_batch(
        selection=selection, uploads=[upload("10001.pdf"), upload("10003.JPG", JPEG)], by=coordinator
    )
    assert sorted(scan.work.participant.code for scan in scans) == ["10001", "10003"]
    assert AuditEntry.objects.filter(action="recheck.scan_uploaded").exists()


@pytest.mark.django_db
def test_a_batch_with_unknown_codes_is_refused_whole_with_their_list(selection, coordinator):
    with pytest.raises(ValidationError) as refused:
        rs.scans_upload_batch(
            selection=selection,
            uploads=[upload("10001.pdf"), upload("10004.pdf"), upload("Иванов.pdf")],
            by=coordinator,
        )
    assert "10004.pdf" in str(refused.value) and "Иванов.pdf" in str(refused.value)
    assert not RecheckScan.objects.exists()


@pytest.mark.django_db
def test_a_batch_with_one_bad_file_or_a_code_twice_is_refused_whole(selection, coordinator):
    with pytest.raises(ValidationError, match="10002.pdf"):
        rs.scans_upload_batch(
            selection=selection, uploads=[upload("10001.pdf"), upload("10002.pdf", b"text")], by=coordinator
        )
    with pytest.raises(ValidationError, match="нескольких файлах: 10001"):
        rs.scans_upload_batch(
            selection=selection, uploads=[upload("10001.pdf"), upload("10001.png", PNG)], by=coordinator
        )
    assert not RecheckScan.objects.exists()


# Sending -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sending_is_refused_with_the_list_of_what_is_missing(selection, coordinator):
    upload_all(selection, coordinator, skip_code="10002", skip_variant=2)
    with pytest.raises(ValidationError) as refused:
        rs.scans_send(selection=selection, by=coordinator)
    assert refused.value.messages == ["Нет сканов работ: 10002.", "Нет критериев оценивания вариантов: 2."]
    selection.refresh_from_db()
    assert selection.scans_sent_at is None


@pytest.mark.django_db
def test_sending_notifies_the_department_and_locks_the_scans(selection, coordinator, department_user, works):
    upload_all(selection, coordinator)
    rs.scans_send(selection=selection, by=coordinator)
    selection.refresh_from_db()
    assert selection.scans_sent_at is not None
    assert Notification.objects.filter(
        user=department_user, key=f"recheck_selection:{selection.pk}:scans_sent"
    ).exists()
    assert AuditEntry.objects.filter(action="recheck.scans_sent").exists()
    with pytest.raises(ValidationError, match="уже отправлены"):
        rs.scan_upload(selection=selection, upload=upload("a.pdf"), by=coordinator, work_id=works[0].pk)
    with pytest.raises(ValidationError, match="уже отправлены"):
        rs.scans_send(selection=selection, by=coordinator)


# The pages ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_school_page_shows_codes_what_is_missing_and_no_name(client, selection, coordinator):
    client.force_login(coordinator)
    url = reverse("monitoring:recheck_school", kwargs={"school_code": selection.school.code})
    page = client.get(url).content.decode()
    assert "10001" in page and "10003" in page and "10004" not in page
    assert "Нет сканов работ: 10001, 10002, 10003." in page
    assert "Секретова" not in page


@pytest.mark.django_db
def test_the_page_uploads_and_answers_a_refusal_in_russian(client, selection, coordinator, works):
    client.force_login(coordinator)
    kwargs = {"school_code": selection.school.code, "pk": selection.pk}
    response = client.post(
        reverse("monitoring:recheck_scans_batch", kwargs=kwargs), {"files": [upload("10001.pdf"), upload("99999.pdf")]}
    )
    assert response.status_code == 400
    assert "99999.pdf" in response.content.decode()
    response = client.post(
        reverse("monitoring:recheck_scan_upload", kwargs=kwargs), {"work": works[1].pk, "file": upload("x.png", PNG)}
    )
    assert response.status_code == 302
    assert RecheckScan.objects.get().work == works[1]
    response = client.post(reverse("monitoring:recheck_scans_send", kwargs=kwargs))
    assert response.status_code == 400
    assert "Нет сканов работ: 10001, 10003." in response.content.decode()


@pytest.mark.django_db
def test_another_schools_selection_and_scans_are_404(client, selection, coordinator, other_school, works):
    scan = rs.scan_upload(selection=selection, upload=upload("a.pdf"), by=coordinator, work_id=works[0].pk)
    stranger = user_with_role(Role.SCHOOL_COORDINATOR, school=other_school)
    client.force_login(stranger)
    kwargs = {"school_code": other_school.code, "pk": selection.pk}
    assert client.post(reverse("monitoring:recheck_scans_send", kwargs=kwargs)).status_code == 404
    assert (
        client.get(
            reverse("monitoring:recheck_scan_school", kwargs={"school_code": other_school.code, "pk": scan.pk})
        ).status_code
        == 404
    )
    assert client.get(reverse("monitoring:recheck_letter", args=[selection.pk, "docx"])).status_code == 404


@pytest.mark.django_db
def test_a_scan_is_served_inline_to_the_school_and_the_department_without_a_name(
    client, selection, coordinator, department_user, works
):
    scan = rs.scan_upload(selection=selection, upload=upload("Секретова.pdf"), by=coordinator, work_id=works[0].pk)
    for user, url in (
        (coordinator, reverse("monitoring:recheck_scan_school", args=[selection.school.code, scan.pk])),
        (department_user, reverse("monitoring:recheck_scan_department", args=[scan.pk])),
    ):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("inline;")
        assert "10001" in response["Content-Disposition"] and "Секретова" not in response["Content-Disposition"]
        assert b"".join(response.streaming_content) == PDF


@pytest.mark.django_db
def test_a_commission_expert_reads_only_the_scans_of_works_they_hold(client, selection, coordinator, works, department):
    upload_all(selection, coordinator)
    holder = user_with_role(Role.EXPERT, school=StaffFactory().school, username="holder")
    other = user_with_role(Role.EXPERT, school=StaffFactory().school, username="other_expert")
    member = CommissionMember.objects.create(recheck=selection.recheck, staff=StaffFactory(user=holder))
    CommissionMember.objects.create(recheck=selection.recheck, staff=StaffFactory(user=other))
    recheck_work = RecheckWork.objects.create(selection=selection, work=works[1], expert=member)  # variant 2
    allowed = {scan.pk for scan in rs.scans_for_work(recheck_work)}
    assert {(s.kind, s.work_id, s.variant) for s in RecheckScan.objects.filter(pk__in=allowed)} == {
        (RecheckScan.Kind.WORK, works[1].pk, None),
        (RecheckScan.Kind.CRITERIA, None, 2),
    }
    for scan in RecheckScan.objects.all():
        url = reverse("monitoring:recheck_scan", args=[scan.pk])
        client.force_login(holder)
        assert client.get(url).status_code == (200 if scan.pk in allowed else 404)
        client.force_login(other)
        assert client.get(url).status_code == 404


# The cover letter (R14) ---------------------------------------------------------------------------------------


def letter_fields(selection, works, expert) -> list[str]:
    school = selection.school
    fields = [school.name, school.address, selection.school.department.name, "Русский язык", "Директор"]
    for work in works:
        p = work.participant
        fields += [p.code, p.class_name, str(p.variant), str(work.primary_score)]
    return fields + [expert.full_name, expert.position]


@pytest.fixture
def lettered_school(school):
    school.address = "620000, г. Екатеринбург, ул. Ленина, 1"
    school.phone = "+7 343 000-00-00"
    school.email = "school@example.org"
    school.director_name = "Директорова А. Б."
    school.save()
    return school


@pytest.mark.django_db
def test_the_cover_letter_has_every_field_of_every_work_and_no_name(lettered_school, selection, works, original_expert):
    letter = rs.cover_letter(selection)
    assert [(row.code, row.class_name, row.variant, row.total) for row in letter.rows] == [
        ("10001", "4Б", "1", "14"),
        ("10002", "4Б", "2", "9"),
        ("10003", "4Б", "1", "20"),
    ]
    assert {(row.expert_name, row.expert_position, row.subject) for row in letter.rows} == {
        (original_expert.full_name, "учитель начальных классов", "Русский язык")
    }
    assert letter.letterhead[0] == lettered_school.name
    assert "+7 343 000-00-00" in letter.letterhead[2] and "school@example.org" in letter.letterhead[2]


@pytest.mark.django_db
def test_the_letters_pdf_and_docx_carry_every_field(
    client, lettered_school, selection, coordinator, works, original_expert
):
    from docx import Document
    from pypdf import PdfReader

    client.force_login(coordinator)
    texts = {}
    response = client.get(reverse("monitoring:recheck_letter", args=[selection.pk, "pdf"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    texts["pdf"] = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    response = client.get(reverse("monitoring:recheck_letter", args=[selection.pk, "docx"]))
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    texts["docx"] = "\n".join([p.text for p in document.paragraphs] + cells)
    for fmt, text in texts.items():
        flat = " ".join(text.split())
        for field in letter_fields(selection, works, original_expert):
            assert " ".join(field.split()) in flat, f"{fmt}: {field}"
        assert "Секретова" not in flat, fmt
    rows = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert rows[1] == [
        lettered_school.name,
        "Русский язык",
        "4Б",
        original_expert.full_name,
        "учитель начальных классов",
        "10001",
        "1",
        "14",
    ]
    assert client.get(reverse("monitoring:recheck_letter", args=[selection.pk, "odt"])).status_code == 404


@pytest.mark.django_db
def test_the_department_reads_the_letter_and_scans_of_its_own_schools_only(
    client, selection, coordinator, department_user, works
):
    from tests.factories import DepartmentFactory

    scan = rs.scan_upload(selection=selection, upload=upload("a.pdf"), by=coordinator, work_id=works[0].pk)
    letter = reverse("monitoring:recheck_letter_department", args=[selection.pk, "docx"])
    scan_url = reverse("monitoring:recheck_scan_department", args=[scan.pk])
    client.force_login(department_user)
    assert client.get(letter).status_code == 200
    client.force_login(user_with_role(Role.DEPARTMENT_STAFF, department=DepartmentFactory(code="uo-other")))
    assert client.get(letter).status_code == 404
    assert client.get(scan_url).status_code == 404
