"""The results form's upload to ФИС ОКО (Регламент 6.6.9): the status of each school × assessment it writes, the
department's matrix (the late first, flat in queries), the school's page in its own time (R16), recording the
upload with the file (xlsx only, 20 MB at most, nothing written when refused), downloads scoped to the school
and the department, and the plan-graph's stage read from the uploads."""

import datetime
import io
import zoneinfo

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grading.models import FormUpload
from grading.selectors.uploads import UploadState, school_uploads, upload_cells, upload_matrix
from procedures.models import Stage
from procedures.services.plan import plan_statuses, stage_is_manual, stage_link
from schools.models import AuditEntry, Role
from tests.factories import (
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    make_assessment,
    make_participant,
    make_work,
    user_with_role,
)

UTC = datetime.UTC
MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
# The campaign fixture's deadline: 25.05.2026 23:59 in Yekaterinburg = 21:59 in Moscow = 18:59 UTC.
DEADLINE = datetime.datetime(2026, 5, 25, 18, 59, tzinfo=UTC)
BEFORE = DEADLINE - datetime.timedelta(minutes=30)
# 22:30 in Moscow, 00:30 the next day in Yekaterinburg: late in both, though a Moscow wall clock still reads
# a time before «23:59».
AFTER = DEADLINE + datetime.timedelta(minutes=31)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_bytes(rows=(("Код", "Класс"), ("10001", "4А"))) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def graded_form(assessment, school, school_class) -> bytes:
    """Two participants graded in full through the import: the filled form for ФИС ОКО, as the portal exports it
    (the upload is recorded only with that school's complete form, equal to its results)."""
    from tests.grading.test_write_guards import exported, filled_in, import_bytes

    for number in (1, 2):
        make_participant(assessment, PupilFactory(school_class=school_class), code=f"1000{number}")
    import_bytes(assessment, school, filled_in(exported(assessment, school, filled=False)), actor=None)
    return exported(assessment, school, filled=True)


def resaved(data: bytes) -> bytes:
    """The same workbook saved again: other bytes, the same form."""
    from openpyxl import load_workbook

    buffer = io.BytesIO()
    workbook = load_workbook(io.BytesIO(data))
    workbook.worksheets[0].title = "ФИС ОКО"
    workbook.save(buffer)
    return buffer.getvalue()


def works(assessment, school_class, *states, start=1):
    """One participant with a work per state: "none" (no score), "part" (scored, incomplete), "done", "absent"."""
    created = []
    for offset, state in enumerate(states):
        participant = make_participant(
            assessment,
            PupilFactory(school_class=school_class),
            code=str(10000 + start + offset),
            absent=state == "absent",
        )
        created.append(
            make_work(
                participant,
                primary_score={"part": 5, "done": 18}.get(state),
                mark=4 if state == "done" else None,
                is_complete=state == "done",
            )
        )
    return created


def record_upload(school, assessment, *, at=None):
    upload = FormUpload(campaign=assessment.campaign, school=school, assessment=assessment)
    if at is not None:
        upload.uploaded_at = at
    upload.file.save("form.xlsx", ContentFile(xlsx_bytes()), save=True)
    return upload


def state_of(campaign, school, assessment, *, now):
    cells = upload_cells(campaign=campaign, schools=[school], now=now)[school.pk]
    return {cell.assessment.code: cell.state for cell in cells}.get(assessment.code)


@pytest.fixture
def moscow_school(department):
    return SchoolFactory(
        department=department, code="sch770001", short_name="СШ №7 (Москва)", time_zone="Europe/Moscow"
    )


@pytest.fixture
def municipal(department):
    return user_with_role(Role.MUNICIPAL_COORDINATOR, department=department, username="mun-uploads")


# Statuses ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_nothing_scored_yet_is_not_started(campaign, assessment, school, class_4a):
    works(assessment, class_4a, "none", "none", "absent")
    assert state_of(campaign, school, assessment, now=BEFORE) == UploadState.NOT_STARTED


@pytest.mark.django_db
def test_a_school_without_participants_is_not_started(campaign, assessment, school, class_4a):
    assert state_of(campaign, school, assessment, now=BEFORE) == UploadState.NOT_STARTED


@pytest.mark.django_db
def test_some_works_scored_but_not_all_complete_is_checking(campaign, assessment, school, class_4a):
    works(assessment, class_4a, "done", "part", "none")
    assert state_of(campaign, school, assessment, now=BEFORE) == UploadState.CHECKING


@pytest.mark.django_db
def test_every_present_participants_work_complete_is_ready(campaign, assessment, school, class_4a):
    works(assessment, class_4a, "done", "done", "absent")
    assert state_of(campaign, school, assessment, now=BEFORE) == UploadState.READY


@pytest.mark.django_db
def test_a_recorded_upload_is_uploaded_even_after_the_deadline(campaign, assessment, school, class_4a):
    works(assessment, class_4a, "done", "part")
    record_upload(school, assessment, at=AFTER)
    assert state_of(campaign, school, assessment, now=BEFORE) == UploadState.UPLOADED
    cell = upload_cells(campaign=campaign, schools=[school], now=AFTER)[school.pk][0]
    assert cell.state == UploadState.UPLOADED and cell.uploaded_late


@pytest.mark.django_db
def test_past_the_deadline_without_an_upload_is_overdue_even_when_ready(campaign, assessment, school, class_4a):
    works(assessment, class_4a, "done")
    assert state_of(campaign, school, assessment, now=DEADLINE - datetime.timedelta(seconds=1)) == UploadState.READY
    assert state_of(campaign, school, assessment, now=DEADLINE) == UploadState.OVERDUE


@pytest.mark.django_db
def test_only_the_assessments_a_school_writes_are_listed(campaign, assessment, math_assessment, school, class_4a):
    from procedures.models import ClassAssignment

    grade5 = make_assessment(
        campaign, code="RU-5", subject=assessment.subject, grade=5, scale=assessment.scale, tasks=[]
    )
    other_class = SchoolClassFactory(school=school, grade=4, letter="Б")
    ClassAssignment.objects.create(assessment=math_assessment, school_class=other_class, school=school)
    cells = upload_cells(campaign=campaign, schools=[school], now=BEFORE)[school.pk]
    assert [cell.assessment.code for cell in cells] == ["MA-4", "RU-4"], "catalogue order"
    assert grade5.code not in {cell.assessment.code for cell in cells}, "no class of grade 5 writes it"


@pytest.mark.django_db
def test_the_same_instant_deadline_is_late_in_moscow_and_in_yekaterinburg_alike(
    campaign, assessment, school, class_4a, moscow_school
):
    """R16: the deadline is one moment, read by each school in its own time: 23:59 in Yekaterinburg is 21:59
    in Moscow. At 22:30 Moscow time both are late (a Moscow wall clock compared with «23:59» would say no)."""
    moscow_class = SchoolClassFactory(school=moscow_school, grade=4, letter="А")
    works(assessment, class_4a, "done")
    works(assessment, moscow_class, "done", start=50)
    for now, expected in ((BEFORE, UploadState.READY), (AFTER, UploadState.OVERDUE)):
        states = upload_cells(campaign=campaign, schools=[school, moscow_school], now=now)
        assert [states[s.pk][0].state for s in (school, moscow_school)] == [expected, expected], now
    ural_page = school_uploads(campaign=campaign, school=school, now=AFTER)
    moscow_page = school_uploads(campaign=campaign, school=moscow_school, now=AFTER)
    assert f"{ural_page.deadline.local:%d.%m.%Y %H:%M}" == "25.05.2026 23:59"
    assert f"{moscow_page.deadline.local:%d.%m.%Y %H:%M}" == "25.05.2026 21:59"
    assert moscow_page.deadline.moscow is None and ural_page.deadline.moscow is not None
    assert timezone.localtime(AFTER, MOSCOW).hour == 22


@pytest.mark.django_db
def test_each_school_page_shows_the_deadline_in_its_own_time(client, campaign, assessment, school, moscow_school):
    moscow_coordinator = user_with_role(Role.SCHOOL_COORDINATOR, school=moscow_school, username="moscow-up")
    ural_coordinator = user_with_role(Role.SCHOOL_COORDINATOR, school=school, username="ural-up")
    for user, target, local in (
        (ural_coordinator, school, "25.05.2026 23:59"),
        (moscow_coordinator, moscow_school, "25.05.2026 21:59"),
    ):
        client.force_login(user)
        page = client.get(reverse("grading:school_uploads", args=[campaign.code, target.code])).content.decode()
        assert local in page
        assert "срок истёк" in page  # the real clock is past May 2026 in these tests' campaign


# The department's matrix ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_matrix_counts_each_status_and_puts_the_late_first(
    campaign, assessment, math_assessment, school, other_school, class_4a, moscow_school
):
    campaign.upload_deadline = AFTER + datetime.timedelta(days=1)
    campaign.save(update_fields=["upload_deadline"])
    works(assessment, class_4a, "done")  # RU-4 ready at school; MA-4 not started there
    record_upload(school, assessment)
    other_class = SchoolClassFactory(school=other_school, grade=4, letter="Б")
    works(math_assessment, other_class, "part", start=30)  # MA-4 checking at other_school, RU-4 not started
    SchoolClassFactory(school=moscow_school, grade=4, letter="В")  # writes both, nothing yet

    matrix = upload_matrix(campaign=campaign, now=BEFORE)
    counts = {state: n for state, _label, n in matrix.counts}
    assert counts == {
        UploadState.OVERDUE: 0,
        UploadState.NOT_STARTED: 4,
        UploadState.CHECKING: 1,
        UploadState.READY: 0,
        UploadState.CHANGED: 0,
        UploadState.UPLOADED: 1,
    }
    # late first: the school with nothing begun, then the one checking a work, then the one half uploaded
    assert [row.school for row in matrix.rows] == [moscow_school, other_school, school]

    late = upload_matrix(campaign=campaign, now=campaign.upload_deadline)
    assert {state: n for state, _l, n in late.counts}[UploadState.OVERDUE] == 5
    assert late.rows[-1].school == school, "the school with an upload is least late"
    assert [row.count(UploadState.OVERDUE) for row in late.rows] == [2, 2, 1]

    only_checking = upload_matrix(campaign=campaign, state=UploadState.CHECKING, now=BEFORE)
    assert [row.school for row in only_checking.rows] == [other_school]
    one_school = upload_matrix(campaign=campaign, school_code=school.code, now=BEFORE)
    assert [row.school for row in one_school.rows] == [school]
    assert {s: n for s, _l, n in one_school.counts}[UploadState.UPLOADED] == 1


@pytest.mark.django_db
def test_the_matrix_page_filters_and_links_the_kept_file(
    client, campaign, assessment, school, other_school, class_4a, municipal
):
    works(assessment, class_4a, "done")
    record_upload(school, assessment)
    SchoolClassFactory(school=other_school, grade=4, letter="Б")
    client.force_login(municipal)
    url = reverse("grading:uploads", args=[campaign.code])

    page = client.get(url).content.decode()
    assert 'data-testid="count-overdue" data-count="1"' in page  # other_school's RU-4 (the real clock is past)
    assert reverse("grading:form_upload_file", args=[campaign.code, school.code, assessment.code]) in page
    assert page.index(f"school-{other_school.code}") < page.index(f"school-{school.code}"), "late first"

    filtered = client.get(url, {"status": "uploaded"}).content.decode()
    assert f"school-{school.code}" in filtered and f"school-{other_school.code}" not in filtered
    by_school = client.get(url, {"school": other_school.code}).content.decode()
    assert f'data-testid="school-{school.code}"' not in by_school


@pytest.mark.django_db
def test_the_matrix_does_not_grow_in_queries_with_the_schools(client, campaign, assessment, department, municipal):
    client.force_login(municipal)
    url = reverse("grading:uploads", args=[campaign.code])
    counts = []
    for total in (2, 6):
        while department.schools.count() < total:
            new = SchoolFactory(department=department)
            school_class = SchoolClassFactory(school=new, grade=4, letter="А")
            works(assessment, school_class, "done", "part", "absent", start=department.schools.count() * 10)
            if department.schools.count() % 2:
                record_upload(new, assessment)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@pytest.mark.django_db
def test_the_school_page_does_not_grow_in_queries_with_the_assessments(
    client, campaign, assessment, school, class_4a, coordinator
):
    from tests.factories import make_assessment

    client.force_login(coordinator)
    url = reverse("grading:school_uploads", args=[campaign.code, school.code])
    counts = []
    for code in ("MA-4", "EN-4"):
        new = make_assessment(campaign, code=code, subject=code)
        works(new, class_4a, "done", start=len(counts) * 10 + 20)
        record_upload(school, new)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# Recording the upload ------------------------------------------------------------------------------------


def post_upload(client, campaign, school, assessment, upload):
    return client.post(
        reverse("grading:form_upload", args=[campaign.code, school.code, assessment.code]), {"file": upload}
    )


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT / "uploads" / "fisoko"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.django_db
def test_the_coordinator_records_the_upload_with_its_file(
    client, campaign, assessment, school, class_4a, coordinator, settings
):
    client.force_login(coordinator)
    content = graded_form(assessment, school, class_4a)
    response = post_upload(client, campaign, school, assessment, SimpleUploadedFile("форма 4 кл.xlsx", content))
    assert response.status_code == 302
    upload = FormUpload.objects.get(school=school, assessment=assessment)
    assert upload.uploaded_by == coordinator and upload.campaign == campaign
    assert upload.file.read() == content
    entry = AuditEntry.objects.get(action="form_upload.recorded")
    assert entry.school == school and entry.after["original_name"] == "форма 4 кл.xlsx"
    assert state_of(campaign, school, assessment, now=BEFORE) == UploadState.UPLOADED


@pytest.mark.django_db
def test_recording_again_keeps_the_latest_file_and_audits_the_replacement(
    client, campaign, assessment, school, class_4a, coordinator, settings, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    first = graded_form(assessment, school, class_4a)
    second = resaved(first)
    with django_capture_on_commit_callbacks(execute=True):
        post_upload(client, campaign, school, assessment, SimpleUploadedFile("v1.xlsx", first))
    with django_capture_on_commit_callbacks(execute=True):
        response = post_upload(client, campaign, school, assessment, SimpleUploadedFile("v2.xlsx", second))
    assert response.status_code == 302
    upload = FormUpload.objects.get(school=school, assessment=assessment)
    assert upload.file.read() == second
    assert len(stored_files(settings)) == 1, "the replaced file is deleted"
    replaced = AuditEntry.objects.get(action="form_upload.replaced")
    assert replaced.before["file"] and replaced.after["original_name"] == "v2.xlsx"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, content, message",
    [
        ("form.csv", b"\xd0\x9a\xd0\xbe\xd0\xb4;\n10001;\n", "не книга Excel"),
        ("form.xlsx", b"not a zip at all", "не является книгой Excel"),
        ("form.xlsx", b"PK\x03\x04broken zip", "не является книгой Excel"),
        ("form.xlsx", b"", "пуст"),
    ],
)
def test_what_is_not_an_xlsx_workbook_is_refused_and_nothing_written(
    client, campaign, assessment, school, class_4a, coordinator, settings, name, content, message
):
    client.force_login(coordinator)
    response = post_upload(client, campaign, school, assessment, SimpleUploadedFile(name, content))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not FormUpload.objects.exists()
    assert stored_files(settings) == []
    assert not AuditEntry.objects.filter(action__startswith="form_upload").exists()


@pytest.mark.django_db
def test_a_file_over_the_limit_is_refused_and_nothing_written(
    client, campaign, assessment, school, class_4a, coordinator, settings
):
    content = xlsx_bytes()
    settings.UPLOAD_MAX_BYTES = len(content) - 1
    client.force_login(coordinator)
    response = post_upload(client, campaign, school, assessment, SimpleUploadedFile("form.xlsx", content))
    assert response.status_code == 400
    assert "больше" in response.content.decode()
    assert not FormUpload.objects.exists() and stored_files(settings) == []


@pytest.mark.django_db
def test_a_zip_that_is_not_a_workbook_is_refused(client, campaign, assessment, school, class_4a, coordinator, settings):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8\xff")
    client.force_login(coordinator)
    response = post_upload(client, campaign, school, assessment, SimpleUploadedFile("form.xlsx", buffer.getvalue()))
    assert response.status_code == 400
    assert not FormUpload.objects.exists() and stored_files(settings) == []


@pytest.mark.django_db
def test_an_assessment_the_school_does_not_write_cannot_be_recorded(client, campaign, assessment, school, coordinator):
    client.force_login(coordinator)  # no class of grade 4 at the school: it writes nothing
    response = post_upload(client, campaign, school, assessment, SimpleUploadedFile("form.xlsx", xlsx_bytes()))
    assert response.status_code == 404
    assert not FormUpload.objects.exists()


@pytest.mark.django_db
def test_the_director_reads_the_page_but_does_not_record(client, campaign, assessment, school, class_4a, role_users):
    director = role_users[Role.DIRECTOR]
    client.force_login(director)
    page = client.get(reverse("grading:school_uploads", args=[campaign.code, school.code])).content.decode()
    assert assessment.code in page and 'type="file"' not in page
    response = post_upload(client, campaign, school, assessment, SimpleUploadedFile("form.xlsx", xlsx_bytes()))
    assert response.status_code == 403


@pytest.mark.django_db
def test_the_technical_specialist_downloads_the_form_and_records_its_upload(
    client, campaign, assessment, school, class_4a, role_users, settings
):
    """The technical specialist's way: from his start page to the school's uploads page, the form for
    ФИС ОКО downloaded there, and its upload recorded with the file."""
    tech = role_users[Role.TECHNICAL_SPECIALIST]
    content = graded_form(assessment, school, class_4a)
    client.force_login(tech)
    start = client.get(reverse("procedures:technical_start", args=[school.code])).content.decode()
    uploads_url = reverse("grading:school_uploads", args=[campaign.code, school.code])
    assert uploads_url in start
    page = client.get(uploads_url)
    assert page.status_code == 200
    html = page.content.decode()
    filled_url = reverse("grading:results_form_filled", args=[campaign.code, school.code, assessment.code])
    assert filled_url in html and 'type="file"' in html
    assert client.get(filled_url).status_code == 200

    response = post_upload(client, campaign, school, assessment, SimpleUploadedFile("fisoko.xlsx", content))

    assert response.status_code == 302 and response["Location"] == uploads_url
    upload = FormUpload.objects.get(school=school, assessment=assessment)
    assert upload.uploaded_by == tech and upload.file.read() == content
    assert AuditEntry.objects.get(action="form_upload.recorded").actor == tech
    assert state_of(campaign, school, assessment, now=BEFORE) == UploadState.UPLOADED


@pytest.mark.django_db
def test_a_technical_specialist_of_another_school_gets_404(
    client, campaign, assessment, school, other_school, class_4a, role_users
):
    content = graded_form(assessment, school, class_4a)
    client.force_login(user_with_role(Role.TECHNICAL_SPECIALIST, school=other_school, username="other-tech"))
    response = post_upload(client, campaign, school, assessment, SimpleUploadedFile("fisoko.xlsx", content))
    assert response.status_code == 404
    assert client.get(reverse("grading:school_uploads", args=[campaign.code, school.code])).status_code == 404
    assert not FormUpload.objects.exists()


@pytest.mark.django_db
def test_a_form_refused_sends_the_technical_specialist_back_to_the_uploads_page(
    client, campaign, assessment, school, class_4a, role_users
):
    """The filled form is refused before codes are issued; the results page is not his: back to the uploads."""
    make_participant(assessment, PupilFactory(school_class=class_4a), code="")
    client.force_login(role_users[Role.TECHNICAL_SPECIALIST])
    response = client.get(reverse("grading:results_form_filled", args=[campaign.code, school.code, assessment.code]))
    assert response.status_code == 302
    assert response["Location"] == reverse("grading:school_uploads", args=[campaign.code, school.code])


# Downloads -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_kept_file_is_downloaded_by_the_school_and_the_department(
    client, campaign, assessment, school, other_school, role_users
):
    upload = record_upload(school, assessment)
    url = reverse("grading:form_upload_file", args=[campaign.code, school.code, assessment.code])
    for role in (Role.SCHOOL_COORDINATOR, Role.DIRECTOR, Role.DEPARTMENT_STAFF, Role.MUNICIPAL_COORDINATOR):
        client.force_login(role_users[role])
        response = client.get(url)
        assert response.status_code == 200, role
        assert response["Content-Type"] == XLSX_TYPE
        assert b"".join(response.streaming_content) == upload.file.open("rb").read()


@pytest.mark.django_db
def test_another_schools_coordinator_gets_404_and_an_expert_403(
    client, campaign, assessment, school, other_school, role_users
):
    record_upload(school, assessment)
    url = reverse("grading:form_upload_file", args=[campaign.code, school.code, assessment.code])
    stranger = user_with_role(Role.SCHOOL_COORDINATOR, school=other_school, username="other-coord")
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.force_login(role_users[Role.EXPERT])
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_a_file_not_recorded_is_404(client, campaign, assessment, school, coordinator):
    client.force_login(coordinator)
    url = reverse("grading:form_upload_file", args=[campaign.code, school.code, assessment.code])
    assert client.get(url).status_code == 404


# The plan-graph ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_results_stage_is_done_when_every_assessment_written_is_uploaded(
    campaign, assessment, math_assessment, school, other_school, class_4a
):
    stage = Stage.objects.create(
        campaign=campaign, kind=Stage.Kind.RESULTS_UPLOADED, title="Форма", deadline=campaign.upload_deadline
    )
    assert not stage_is_manual(Stage.Kind.RESULTS_UPLOADED)
    record_upload(school, assessment)
    statuses = plan_statuses(campaign=campaign, stages=[stage], schools=[school, other_school])
    assert not statuses[(stage.pk, school.pk)].done, "MA-4 is not uploaded yet"
    assert not statuses[(stage.pk, other_school.pk)].done, "a school writing nothing is not done"
    last = record_upload(school, math_assessment)
    status = plan_statuses(campaign=campaign, stages=[stage], schools=[school])[(stage.pk, school.pk)]
    assert status.done and status.done_at == last.uploaded_at
    assert stage_link(Stage.Kind.RESULTS_UPLOADED, campaign=campaign, school=school) == reverse(
        "grading:school_uploads", args=[campaign.code, school.code]
    )


@pytest.mark.django_db
def test_the_writing_pairs_query_returns_one_row_per_school_and_assessment(campaign, assessment, school, class_4a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from grading.selectors.uploads import _writing_pairs
    from tests.factories import PupilFactory, make_participant

    for _n in range(3):
        make_participant(assessment, pupil=PupilFactory(school=school, school_class=class_4a))
    with CaptureQueriesContext(connection) as captured:
        pairs = _writing_pairs(campaign=campaign, school_ids=[school.pk])
    assert pairs == {(school.pk, assessment.pk)}
    sql = captured.captured_queries[0]["sql"]
    assert "ORDER BY" not in sql  # ordering columns would widen DISTINCT to every participation
