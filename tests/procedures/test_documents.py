"""Regulation documents: the department publishes versions, schools download and confirm them, the department
sees who has not; files pass only through a scope-checked download."""

import datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from procedures.models import Document, DocumentAcknowledgement, DocumentVersion
from procedures.selectors.documents import document_version_status, documents_read_status
from procedures.services.documents import (
    DOCUMENT_MAX_BYTES,
    document_acknowledge,
    document_publish,
    document_version_publish,
)
from schools.models import AuditEntry, Notification, Role
from tests.factories import DepartmentFactory, SchoolFactory, add_role, make_campaign, user_with_role

PDF = b"%PDF-1.4\n% fictitious regulation\n"
DOCX = b"PK\x03\x04 fictitious docx"


def pdf(name="Регламент ВПР.pdf", data=PDF):
    return ContentFile(data, name=name)


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "documents"
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.fixture
def publish(department, department_user):
    def publish(title="Регламент проведения ВПР", file=None, **kwargs):
        return document_publish(
            department=department,
            kind=Document.Kind.REGULATION,
            title=title,
            file=file or pdf(),
            actor=department_user,
            **kwargs,
        )

    return publish


@pytest.fixture
def stranger_school():
    """A school of another municipality, with its coordinator."""
    school = SchoolFactory(department=DepartmentFactory(code="uo-elsewhere"), code="sch770001")
    user_with_role(Role.SCHOOL_COORDINATOR, school=school, username="stranger")
    return school


# Publishing and versions -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_publishing_stores_the_first_version_through_storage_under_documents_id_v1(publish, department_user):
    version = publish()
    document = version.document
    assert version.number == 1
    assert version.file.name == f"documents/{document.pk}/v1/Регламент_ВПР.pdf"
    with version.file.open("rb") as handle:
        assert handle.read() == PDF
    assert version.published_by == department_user
    entry = AuditEntry.objects.get(action="document.published")
    assert entry.actor == department_user and entry.target_id == str(document.pk)
    assert entry.department == document.department


@pytest.mark.django_db
def test_new_versions_are_numbered_2_and_3_and_keep_what_changed(publish, department_user):
    document = publish().document
    second = document_version_publish(
        document=document, file=pdf("Регламент v2.docx", DOCX), note="Изменён п. 6.4", actor=department_user
    )
    third = document_version_publish(document=document, file=pdf(), note="Добавлено прил. 3", actor=department_user)
    assert [v.number for v in document.versions.order_by("number")] == [1, 2, 3]
    assert (second.note, third.note) == ("Изменён п. 6.4", "Добавлено прил. 3")
    assert second.file.name == f"documents/{document.pk}/v2/Регламент_v2.docx"
    assert third.file.name.startswith(f"documents/{document.pk}/v3/")
    assert AuditEntry.objects.filter(action="document.version_published").count() == 2


@pytest.mark.django_db
def test_a_new_version_needs_a_note_of_what_changed(publish, department_user, settings):
    document = publish().document
    with pytest.raises(ValidationError):
        document_version_publish(document=document, file=pdf(), note="  ", actor=department_user)
    assert document.versions.count() == 1
    assert len(stored_files(settings)) == 1


@pytest.mark.django_db
def test_department_publishes_a_document_tied_to_a_campaign_in_the_browser(client, department_user, campaign):
    client.force_login(department_user)
    response = client.post(
        reverse("procedures:document_create"),
        {
            "kind": Document.Kind.ORDER,
            "title": "Распоряжение о проведении ВПР",
            "campaign": campaign.pk,
            "file": SimpleUploadedFile("Распоряжение.pdf", PDF, content_type="application/pdf"),
        },
    )
    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("procedures:document_detail", args=[document.pk])
    assert (document.kind, document.campaign, document.versions.get().number) == (Document.Kind.ORDER, campaign, 1)

    response = client.post(
        reverse("procedures:document_version_create", args=[document.pk]),
        {"file": SimpleUploadedFile("Распоряжение-2.pdf", PDF), "note": "Исправлены даты"},
    )
    assert response.status_code == 302
    assert list(document.versions.values_list("number", "note")) == [(2, "Исправлены даты"), (1, "")]


@pytest.mark.django_db
def test_a_campaign_of_another_department_is_refused(publish):
    foreign = make_campaign(DepartmentFactory(code="uo-elsewhere"), code="VPR-2026-X")
    with pytest.raises(ValidationError):
        publish(campaign=foreign)
    assert not Document.objects.exists()


# Refused files ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, data",
    [
        ("setup.exe", b"MZ\x90\x00"),
        ("scan.jpg", b"\xff\xd8\xff\xe0"),
        ("archive.zip", b"PK\x03\x04"),
        ("no-extension", PDF),
        ("renamed.pdf", b"MZ\x90\x00 an executable"),
        ("renamed.docx", PDF),
        ("binary.txt", b"\x00\x01\x02\x03"),
        ("empty.pdf", b""),
    ],
)
def test_a_refused_file_writes_nothing(publish, settings, name, data):
    with pytest.raises(ValidationError):
        publish(file=pdf(name, data))
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()
    assert stored_files(settings) == []
    assert not Notification.objects.exists() and not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_a_publication_failing_after_the_file_was_stored_leaves_no_file(publish, settings, monkeypatch):
    import procedures.services.documents as services

    def broken_audit(**kwargs):
        raise RuntimeError("audit unavailable")

    monkeypatch.setattr(services, "audit_record", broken_audit)
    with pytest.raises(RuntimeError):
        publish()
    assert not Document.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.django_db
def test_a_file_over_20_mb_is_refused_and_a_new_version_writes_nothing(publish, department_user, settings):
    document = publish().document
    big = pdf("Большой.pdf", PDF + b"0" * (DOCUMENT_MAX_BYTES - len(PDF) + 1))
    with pytest.raises(ValidationError, match="больше 20 МБ"):
        document_version_publish(document=document, file=big, note="Новая редакция", actor=department_user)
    assert document.versions.count() == 1
    assert len(stored_files(settings)) == 1


@pytest.mark.django_db
def test_exactly_20_mb_is_accepted(publish):
    version = publish(file=pdf("Ровно.pdf", PDF + b"0" * (DOCUMENT_MAX_BYTES - len(PDF))))
    assert version.file.size == DOCUMENT_MAX_BYTES


@pytest.mark.django_db
def test_the_form_refuses_a_wrong_type_in_russian_and_creates_nothing(client, department_user, settings):
    client.force_login(department_user)
    response = client.post(
        reverse("procedures:document_create"),
        {"kind": Document.Kind.REGULATION, "title": "Регламент", "file": SimpleUploadedFile("virus.exe", b"MZ")},
    )
    assert response.status_code == 200
    assert "Недопустимый тип файла «virus.exe». Разрешены: PDF, DOCX, DOC, ODT, XLSX, RTF, TXT." in (
        response.content.decode()
    )
    assert not Document.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.django_db
def test_the_form_refuses_an_oversized_version_in_russian(client, department_user, publish, settings):
    document = publish().document
    client.force_login(department_user)
    response = client.post(
        reverse("procedures:document_version_create", args=[document.pk]),
        {"file": SimpleUploadedFile("big.pdf", PDF + b"0" * DOCUMENT_MAX_BYTES), "note": "Новая редакция"},
    )
    assert response.status_code == 200
    assert "больше 20 МБ" in response.content.decode()
    assert document.versions.count() == 1
    assert len(stored_files(settings)) == 1


# Notifications ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_version_notifies_each_schools_coordinators_and_directors_once(
    publish, department_user, role_users, school, other_school, stranger_school
):
    other_director = user_with_role(Role.DIRECTOR, school=other_school)
    both = user_with_role(Role.SCHOOL_COORDINATOR, school=other_school)
    add_role(both, Role.DIRECTOR, school=other_school)
    expected = {role_users[Role.SCHOOL_COORDINATOR], role_users[Role.DIRECTOR], other_director, both}

    first = publish()
    second = document_version_publish(document=first.document, file=pdf(), note="Изменён п. 6.4", actor=department_user)

    for version in (first, second):
        notices = Notification.objects.filter(key=f"document:{version.pk}")
        assert sorted(n.user_id for n in notices) == sorted(u.pk for u in expected)
        assert all(n.url == reverse("procedures:document_detail", args=[first.document_id]) for n in notices)
    assert "Изменён п. 6.4" in Notification.objects.filter(key=f"document:{second.pk}").first().text
    # a department user, a technical specialist, an observer or a school of another municipality hears nothing
    assert Notification.objects.count() == 2 * len(expected)


# Acknowledgements ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_school_confirms_a_version_once_and_confirming_again_changes_nothing(client, coordinator, school, publish):
    version = publish()
    url = reverse("procedures:document_acknowledge", args=[version.document_id, 1])
    client.force_login(coordinator)

    response = client.post(url, {"school": school.pk})
    assert response.status_code == 302
    acknowledgement = DocumentAcknowledgement.objects.get()
    assert (acknowledgement.version, acknowledgement.school, acknowledgement.user) == (version, school, coordinator)
    assert acknowledgement.acknowledged_at is not None

    client.post(url, {"school": school.pk})
    again = DocumentAcknowledgement.objects.get()
    assert again.acknowledged_at == acknowledgement.acknowledged_at
    assert AuditEntry.objects.filter(action="document.acknowledged").count() == 1


@pytest.mark.django_db
def test_a_director_confirming_after_the_coordinator_changes_nothing(role_users, school, publish):
    version = publish()
    _ack, created = document_acknowledge(version=version, school=school, actor=role_users[Role.SCHOOL_COORDINATOR])
    assert created
    ack, created = document_acknowledge(version=version, school=school, actor=role_users[Role.DIRECTOR])
    assert not created and ack.user == role_users[Role.SCHOOL_COORDINATOR]


@pytest.mark.django_db
def test_a_school_of_another_municipality_cannot_confirm(client, publish, stranger_school):
    version = publish()
    client.force_login(stranger_school.memberships.get().user)
    response = client.post(reverse("procedures:document_acknowledge", args=[version.document_id, 1]))
    assert response.status_code == 404
    with pytest.raises(ValidationError):
        document_acknowledge(version=version, school=stranger_school, actor=stranger_school.memberships.get().user)
    assert not DocumentAcknowledgement.objects.exists()


@pytest.mark.django_db
def test_department_sees_which_schools_have_not_confirmed(
    client, department_user, coordinator, school, other_school, publish
):
    confirmed_too = SchoolFactory(department=school.department, code="sch660003", short_name="СШ №3")
    silent = SchoolFactory(department=school.department, code="sch660004", short_name="СШ №4 молчит")
    version = publish()
    document_acknowledge(version=version, school=school, actor=coordinator)
    document_acknowledge(version=version, school=confirmed_too, actor=coordinator)

    status = document_version_status(version=version)
    assert (status.acknowledged_count, status.school_count) == (2, 4)
    assert status.missing == [other_school, silent]
    assert [ack.school for ack in status.acknowledged] == [school, confirmed_too]

    client.force_login(department_user)
    html = client.get(reverse("procedures:document_version_status", args=[version.document_id, 1])).content.decode()
    assert "Школ ознакомлено: 2 из 4." in html
    missing = html.split('data-testid="missing"')[1].split("</ul>")[0]
    assert "СШ №2" in missing and "СШ №4 молчит" in missing
    assert "СШ №1" not in missing and "СШ №3" not in missing
    detail = client.get(reverse("procedures:document_detail", args=[version.document_id])).content.decode()
    assert "школ ознакомлено: 2 из 4" in detail


@pytest.mark.django_db
def test_confirming_version_1_does_not_confirm_version_2(client, coordinator, school, publish, department_user):
    first = publish()
    document_acknowledge(version=first, school=school, actor=coordinator)
    second = document_version_publish(document=first.document, file=pdf(), note="Новая редакция", actor=department_user)
    status = document_version_status(version=second)
    assert status.acknowledged == [] and school in status.missing
    assert document_version_status(version=first).acknowledged[0].school == school

    client.force_login(coordinator)
    html = client.get(reverse("procedures:document_list")).content.decode()
    assert "нужно ознакомиться" in html


# Downloads -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_own_school_downloads_any_version_with_a_russian_file_name(client, coordinator, publish, department_user):
    document = publish().document
    document_version_publish(
        document=document, file=pdf("Регламент v2.pdf", PDF + b"v2"), note="v2", actor=department_user
    )
    client.force_login(coordinator)
    for number, data, name in ((1, PDF, "Регламент_ВПР.pdf"), (2, PDF + b"v2", "Регламент_v2.pdf")):
        response = client.get(reverse("procedures:document_download", args=[document.pk, number]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == data
        assert response["Content-Type"] == "application/pdf"
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert f"filename*=UTF-8''{quote(name)}" in disposition
        assert f'filename="document-{document.pk}-v{number}.pdf"' in disposition


@pytest.mark.django_db
def test_department_downloads_its_documents(client, department_user, publish):
    version = publish()
    client.force_login(department_user)
    response = client.get(reverse("procedures:document_download", args=[version.document_id, 1]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.django_db
def test_a_school_of_another_municipality_gets_404_and_an_observer_403(client, role_users, publish, stranger_school):
    version = publish()
    url = reverse("procedures:document_download", args=[version.document_id, 1])
    client.force_login(stranger_school.memberships.get().user)
    assert client.get(url).status_code == 404
    assert client.get(reverse("procedures:document_detail", args=[version.document_id])).status_code == 404
    for role in (Role.OBSERVER, Role.TECHNICAL_SPECIALIST, Role.DEPARTMENT_REPRESENTATIVE):
        client.force_login(role_users[role])
        assert client.get(url).status_code == 403, role


@pytest.mark.django_db
def test_a_version_that_does_not_exist_is_404(client, coordinator, publish):
    version = publish()
    client.force_login(coordinator)
    assert client.get(reverse("procedures:document_download", args=[version.document_id, 7])).status_code == 404


@pytest.mark.django_db
def test_files_are_not_reachable_at_a_public_media_url(client, coordinator, publish):
    version = publish()
    client.force_login(coordinator)
    assert client.get(version.file.url).status_code == 404


# Lists -----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_school_lists_only_its_own_departments_documents(client, coordinator, publish, stranger_school):
    publish(title="Наш регламент")
    elsewhere = stranger_school.department
    document_publish(
        department=elsewhere,
        kind=Document.Kind.ORDER,
        title="Чужое распоряжение",
        file=pdf(),
        actor=user_with_role(Role.DEPARTMENT_STAFF, department=elsewhere),
    )
    client.force_login(coordinator)
    html = client.get(reverse("procedures:document_list")).content.decode()
    assert "Наш регламент" in html and "Чужое распоряжение" not in html


@pytest.mark.django_db
def test_the_list_filters_by_campaign(client, department_user, publish, campaign):
    publish(title="Регламент кампании", campaign=campaign)
    publish(title="Общие рекомендации")
    client.force_login(department_user)
    html = client.get(reverse("procedures:document_list"), {"campaign": campaign.pk}).content.decode()
    assert "Регламент кампании" in html and "Общие рекомендации" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.DEPARTMENT_STAFF, Role.SCHOOL_COORDINATOR])
def test_list_and_detail_queries_do_not_grow_with_documents_and_versions(client, role_users, publish, role):
    client.force_login(role_users[role])
    counts = []
    for size in (2, 6):
        for i in range(size - Document.objects.count()):
            version = publish(title=f"Документ {i}")
            document_version_publish(
                document=version.document, file=pdf(), note="v2", actor=role_users[Role.DEPARTMENT_STAFF]
            )
        with CaptureQueriesContext(connection) as list_queries:
            assert client.get(reverse("procedures:document_list")).status_code == 200
        with CaptureQueriesContext(connection) as detail_queries:
            assert client.get(reverse("procedures:document_detail", args=[version.document_id])).status_code == 200
        counts.append((len(list_queries), len(detail_queries)))
    assert counts[0] == counts[1]


# The plan-graph's selector ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_documents_read_status_needs_the_latest_version_of_every_campaign_document(
    publish, campaign, coordinator, school, other_school, department_user
):
    regulation = publish(title="Регламент", campaign=campaign)
    order = publish(title="Распоряжение", campaign=campaign)
    publish(title="Не из кампании")  # not part of the campaign: never needed
    for version in (regulation, order):
        document_acknowledge(version=version, school=school, actor=coordinator)
    document_acknowledge(version=regulation, school=other_school, actor=coordinator)

    status = documents_read_status(campaign=campaign, schools=[school, other_school])
    latest = DocumentAcknowledgement.objects.filter(school=school).order_by("-acknowledged_at").first()
    assert status == {school.pk: (True, latest.acknowledged_at), other_school.pk: (False, None)}

    # a new version of the regulation is read again before the school counts as done
    regulation_v2 = document_version_publish(
        document=regulation.document, file=pdf(), note="Новая редакция", actor=department_user
    )
    assert documents_read_status(campaign=campaign, schools=[school])[school.pk] == (False, None)
    later = timezone.now() + datetime.timedelta(hours=1)
    DocumentAcknowledgement.objects.create(
        version=regulation_v2, school=school, user=coordinator, acknowledged_at=later
    )
    assert documents_read_status(campaign=campaign, schools=[school.pk])[school.pk] == (True, later)


@pytest.mark.django_db
def test_documents_read_status_of_a_campaign_without_documents_is_not_done(campaign, school):
    assert documents_read_status(campaign=campaign, schools=[school]) == {school.pk: (False, None)}


@pytest.mark.django_db
def test_documents_read_status_takes_the_same_queries_for_2_and_6_schools(publish, campaign, coordinator, department):
    versions = [publish(title=f"Документ {i}", campaign=campaign) for i in range(3)]
    schools = [SchoolFactory(department=department) for _ in range(6)]
    for school in schools[::2]:
        for version in versions:
            document_acknowledge(version=version, school=school, actor=coordinator)
    counts = []
    for size in (2, 6):
        with CaptureQueriesContext(connection) as queries:
            status = documents_read_status(campaign=campaign, schools=schools[:size])
        assert len(status) == size
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 2
    assert [done for done, _at in status.values()] == [True, False] * 3
