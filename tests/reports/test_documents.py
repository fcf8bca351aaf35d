"""Documents built in the background: one job per key, progress saved as parts complete, a done document never
rebuilt, a failed one started again; the status page and the download scoped to the document's school."""

import pytest
from django.urls import reverse

from procedures.models import Participant
from procedures.printables import SCHOOL_SET, school_set_request
from procedures.services.participants import codes_issue, participant_exempt
from schools.models import AuditEntry, Role
from tests.factories import PupilFactory, SchoolClassFactory, user_with_role
from vpr_portal.documents import (
    BuiltDocument,
    document_build,
    document_request,
    documents_visible_to,
    register_document_builder,
)
from vpr_portal.models import GeneratedDocument
from vpr_portal.pdf import pdf_text
from vpr_portal.tasks import run_job

FAKE = "tests.fake_document"
CALLS: list[dict] = []


@register_document_builder(FAKE, roles={Role.SCHOOL_COORDINATOR, Role.DIRECTOR})
def build_fake(document, progress):
    """Three parts; records what it saw of its own row after each, and fails when asked to."""
    seen = []
    for done in (1, 2, 3):
        progress(done, 3)
        seen.append(GeneratedDocument.objects.get(pk=document.pk).progress)
    CALLS.append({"document": document.pk, "seen": seen})
    if document.params.get("fail"):
        raise ValueError("не удалось: нет данных")
    return BuiltDocument(filename="fake.pdf", content=b"%PDF-1.4 fake\n")


@pytest.fixture(autouse=True)
def _calls():
    CALLS.clear()
    yield
    CALLS.clear()


def request_fake(school, user, *, key="fake:1", **params):
    return document_request(key=key, kind=FAKE, title="Пробный документ", params=params, school=school, user=user)


@pytest.mark.django_db
def test_progress_is_saved_as_parts_complete_and_reaches_100(school, coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = request_fake(school, coordinator)

    document.refresh_from_db()
    assert CALLS[0]["seen"] == [33, 66, 99]
    assert (document.status, document.progress) == (GeneratedDocument.Status.DONE, 100)
    assert document.finished_at is not None
    with document.file.open("rb") as handle:
        assert handle.read() == b"%PDF-1.4 fake\n"


@pytest.mark.django_db
def test_the_build_is_queued_only_after_the_transaction_commits(
    school, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document = request_fake(school, coordinator)

    assert len(callbacks) == 1 and not CALLS
    assert GeneratedDocument.objects.get(pk=document.pk).status == GeneratedDocument.Status.QUEUED


@pytest.mark.django_db
def test_requesting_twice_gives_one_job(school, coordinator, role_users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = request_fake(school, coordinator)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = request_fake(school, role_users[Role.DIRECTOR])

    assert first.pk == second.pk
    assert GeneratedDocument.objects.count() == 1
    assert len(CALLS) == 1 and not callbacks


@pytest.mark.django_db
def test_a_done_document_is_not_rebuilt_when_its_task_runs_again(
    school, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = request_fake(school, coordinator)

    run_job.apply(args=[document.job_id])
    document_build(document_id=document.pk)

    assert len(CALLS) == 1


@pytest.mark.django_db
def test_a_failed_document_keeps_its_error_and_is_started_again_on_request(
    school, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = request_fake(school, coordinator, fail=True)
    document.refresh_from_db()
    assert document.status == GeneratedDocument.Status.FAILED
    assert document.error == "не удалось: нет данных" and not document.file

    document.params = {}
    document.save(update_fields=["params"])
    with django_capture_on_commit_callbacks(execute=True):
        again = request_fake(school, coordinator)

    again.refresh_from_db()
    assert again.pk == document.pk and again.status == GeneratedDocument.Status.DONE and again.error == ""
    assert len(CALLS) == 2


@pytest.mark.django_db
def test_a_missing_job_is_ignored_by_the_task():
    assert run_job.apply(args=[987654]).get() == "missing"


@pytest.mark.django_db
def test_an_unknown_kind_is_refused_before_anything_is_written(school, coordinator):
    with pytest.raises(ValueError):
        document_request(key="x", kind="no.such.kind", title="x", params={}, school=school, user=coordinator)
    assert not GeneratedDocument.objects.exists()


# Pages ------------------------------------------------------------------------------------------------------


def status_url(document):
    return reverse("reports:document_status", kwargs={"pk": document.pk})


def download_url(document):
    return reverse("reports:document_download", kwargs={"pk": document.pk})


@pytest.mark.django_db
def test_the_status_page_refreshes_itself_while_the_document_is_built(client, school, coordinator):
    document = GeneratedDocument.objects.create(
        key="running", kind=FAKE, title="Пробный документ", school=school, status="running", progress=40
    )
    client.force_login(coordinator)

    page = client.get(status_url(document)).content.decode()

    assert '<meta http-equiv="refresh" content="2">' in page
    assert 'aria-valuenow="40"' in page and "формируется" in page

    document.status, document.progress = GeneratedDocument.Status.DONE, 100
    document.save()
    page = client.get(status_url(document)).content.decode()
    assert "http-equiv" not in page and download_url(document) in page


@pytest.mark.django_db
def test_the_failed_status_page_offers_to_build_again(client, school, coordinator, django_capture_on_commit_callbacks):
    document = GeneratedDocument.objects.create(
        key="fake:failed", kind=FAKE, title="Пробный документ", school=school, status="failed", error="сломалось"
    )
    client.force_login(coordinator)
    assert "сломалось" in client.get(status_url(document)).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:document_retry", kwargs={"pk": document.pk}))

    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == GeneratedDocument.Status.DONE


@pytest.mark.django_db
def test_a_document_not_ready_yet_is_not_downloaded(client, school, coordinator):
    document = GeneratedDocument.objects.create(key="queued", kind=FAKE, title="Пробный документ", school=school)
    client.force_login(coordinator)

    response = client.get(download_url(document))

    assert response.status_code == 302 and response["Location"] == status_url(document)


@pytest.mark.django_db
def test_only_the_roles_of_the_documents_school_read_it(
    client, school, other_school, coordinator, role_users, department, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = request_fake(school, coordinator)
    # printing roles of another school, and one of the school that the document's kind does not name: 404
    outsiders = [
        user_with_role(Role.SCHOOL_COORDINATOR, school=other_school),
        user_with_role(Role.DIRECTOR, school=other_school),
        role_users[Role.TECHNICAL_SPECIALIST],
    ]
    # roles that print nowhere (the capabilities table): 403
    without_printing = [
        user_with_role(Role.EXPERT, department=department),
        role_users[Role.DEPARTMENT_STAFF],
        role_users[Role.EXPERT],
    ]
    for users, status in ((outsiders, 404), (without_printing, 403)):
        for user in users:
            client.force_login(user)
            assert client.get(status_url(document)).status_code == status
            assert client.get(download_url(document)).status_code == status
            assert document not in documents_visible_to(user)

    client.force_login(role_users[Role.DIRECTOR])
    response = client.get(download_url(document))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 fake\n"


# The whole school's set of participants' printables ------------------------------------------------------


@pytest.fixture
def coded_school(campaign, school, assessment, math_assessment):
    for letter, names in (("А", ["Снегирёва", "Зябликов"]), ("Б", ["Щеглова"]), ("В", ["Клестов", "Чижова"])):
        school_class = SchoolClassFactory(school=school, grade=4, letter=letter)
        for name in names:
            PupilFactory(school_class=school_class, last_name=name)
    codes_issue(campaign=campaign, school=school, actor=None)
    return school


@pytest.mark.django_db
def test_the_school_set_is_built_in_the_background_with_every_class(
    campaign, coded_school, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = school_set_request(campaign=campaign, school=coded_school, user=coordinator)

    document.refresh_from_db()
    assert (document.kind, document.status, document.progress) == (SCHOOL_SET, GeneratedDocument.Status.DONE, 100)
    with document.file.open("rb") as handle:
        text = pdf_text(handle.read())
    for class_name in ("4А", "4Б", "4В"):
        assert f"Коды участников для вырезания — класс {class_name}" in text
        assert f"Протокол соответствия кодов и ФИО участников — класс {class_name}" in text
    assert "Снегирёва" in text and "Чижова" in text


@pytest.mark.django_db
def test_asking_for_the_school_set_twice_gives_one_job_until_the_data_changes(
    campaign, coded_school, coordinator, role_users, assessment, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = school_set_request(campaign=campaign, school=coded_school, user=coordinator)
        second = school_set_request(campaign=campaign, school=coded_school, user=role_users[Role.DIRECTOR])
    assert first.pk == second.pk and GeneratedDocument.objects.count() == 1

    participant_exempt(
        participant=Participant.objects.filter(assessment=assessment).first(),
        reason="болезнь",
        document="справка",
        actor=coordinator,
    )
    with django_capture_on_commit_callbacks(execute=True):
        third = school_set_request(campaign=campaign, school=coded_school, user=coordinator)
    assert third.pk != first.pk, "the set shows exemptions: changed data is a new document"


@pytest.mark.django_db
def test_the_school_set_button_leads_to_the_status_page_and_each_download_is_audited(
    client, campaign, coded_school, coordinator, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    url = reverse(
        "procedures:participants_school_set",
        kwargs={"campaign_code": campaign.code, "school_code": coded_school.code},
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    document = GeneratedDocument.objects.get()
    assert response["Location"] == status_url(document)

    for _ in range(2):
        assert client.get(download_url(document)).status_code == 200

    entries = AuditEntry.objects.filter(action="participants.protocol_printed")
    assert entries.count() == 2
    assert all(e.actor == coordinator and e.school == coded_school for e in entries)


@pytest.mark.django_db
def test_the_department_and_experts_cannot_ask_for_the_school_set(client, campaign, coded_school, role_users):
    url = reverse(
        "procedures:participants_school_set",
        kwargs={"campaign_code": campaign.code, "school_code": coded_school.code},
    )
    for role in (Role.DEPARTMENT_STAFF, Role.EXPERT, Role.TECHNICAL_SPECIALIST):
        client.force_login(role_users[role])
        assert client.post(url).status_code == 403
    assert not GeneratedDocument.objects.exists()
    # the set holds the protocols with names: the technical specialist asks for it, and reads it, once the
    # coordinator allows him to print them
    from schools.services import delegation_set

    delegation_set(
        school=coded_school, role=Role.TECHNICAL_SPECIALIST, capability="print_names", allowed=True, actor=None
    )
    client.force_login(role_users[Role.TECHNICAL_SPECIALIST])
    response = client.post(url)
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
