"""Analytical reports built in the background (reports.generation): both formats from one content, built once
while the sources are unchanged, a new version after a change with the old one kept and marked outdated, the
versions read only within the user's scope; and the renderers (reports.report_render) writing the same words to
the PDF and the DOCX."""

import datetime

import pytest

from grading.models import ResultsStamp
from reports import report_charts
from reports.generation import ReportKind, register_report, report_request, report_state
from reports.report_doc import Bullets, Heading, Paragraph, ReportDocument, Table
from reports.report_render import docx_text, report_docx, report_pdf
from schools.access import Capability
from schools.models import Role
from tests.factories import make_assessment, user_with_role
from vpr_portal.models import GeneratedDocument
from vpr_portal.pdf import pdf_text

BUILT: list[tuple[int, int | None]] = []


def _content(campaign, school, progress):
    BUILT.append((campaign.pk, school.pk if school else None))
    doc = ReportDocument(
        title="Проверочная справка",
        organisation=school.name if school else campaign.department.name,
        campaign=campaign.title,
        date=datetime.date(2026, 11, 29),
    )
    for step in range(3):
        doc.add(Heading(f"Раздел {step + 1}"), Paragraph(f"Текст раздела {step + 1}."))
        progress(step + 1, 3)
    return doc


def _source(campaign, school):
    return {
        "stamps": sorted(
            ResultsStamp.objects.filter(assessment__campaign=campaign).values_list("assessment_id", "version")
        )
    }


register_report(
    ReportKind(
        name="test_report",
        title=lambda campaign, school: f"Проверочная справка {school.code}",
        content=_content,
        source=_source,
        capability=Capability.VIEW_SCHOOL_REPORT,
        filename=lambda campaign, school: f"test-{school.code}",
    )
)
register_report(
    ReportKind(
        name="test_municipal",
        title=lambda campaign, school: "Проверочный отчёт",
        content=_content,
        source=_source,
        capability=Capability.BUILD_MUNICIPAL_REPORT,
        filename=lambda campaign, school: "test-municipal",
        per_school=False,
    )
)


@pytest.fixture
def campaign(department):
    from tests.factories import make_campaign

    return make_campaign(department)


def _ask(name, campaign, school, user, callbacks):
    with callbacks(execute=True):
        return report_request(name=name, campaign=campaign, school=school, user=user)


def test_both_formats_are_built_from_one_request_with_progress_to_100(
    campaign, school, coordinator, django_capture_on_commit_callbacks
):
    documents = _ask("test_report", campaign, school, coordinator, django_capture_on_commit_callbacks)
    assert sorted(document.params["format"] for document in documents) == ["docx", "pdf"]
    for document in documents:
        document.refresh_from_db()
        document.job.refresh_from_db()
        assert document.status == GeneratedDocument.Status.DONE
        assert document.progress == 100
    pdf = next(d for d in documents if d.params["format"] == "pdf")
    docx = next(d for d in documents if d.params["format"] == "docx")
    assert "Раздел 3" in pdf_text(pdf.file.read())
    assert "Раздел 3" in docx_text(docx.file.read())
    assert pdf.file.name.endswith(f"test-{school.code}.pdf")


def test_asking_again_with_the_same_sources_builds_nothing(
    campaign, school, coordinator, django_capture_on_commit_callbacks
):
    before = len(BUILT)
    first = _ask("test_report", campaign, school, coordinator, django_capture_on_commit_callbacks)
    built = len(BUILT)
    assert built == before + 1  # one content for both formats (reports.generation.shared_content)
    again = _ask("test_report", campaign, school, coordinator, django_capture_on_commit_callbacks)
    assert [d.pk for d in again] == [d.pk for d in first]
    assert len(BUILT) == built
    state = report_state(name="test_report", campaign=campaign, school=school, user=coordinator)
    assert [version.number for version in state.versions] == [1]
    assert not state.outdated


def test_a_changed_source_marks_the_report_outdated_and_a_rebuild_keeps_both_versions(
    campaign, school, coordinator, django_capture_on_commit_callbacks
):
    assessment = make_assessment(campaign)
    _ask("test_report", campaign, school, coordinator, django_capture_on_commit_callbacks)
    ResultsStamp.objects.update_or_create(assessment=assessment, defaults={"version": 7})  # a new import
    state = report_state(name="test_report", campaign=campaign, school=school, user=coordinator)
    assert state.outdated and not state.latest.current
    _ask("test_report", campaign, school, coordinator, django_capture_on_commit_callbacks)
    state = report_state(name="test_report", campaign=campaign, school=school, user=coordinator)
    assert [(version.number, version.current) for version in state.versions] == [(2, True), (1, False)]
    assert not state.outdated
    assert state.latest.requested_by == coordinator
    assert all(version.done for version in state.versions)


def test_a_schools_report_is_read_by_its_school_and_the_department_not_by_another_school(
    campaign, school, other_school, coordinator, department_user, django_capture_on_commit_callbacks
):
    _ask("test_report", campaign, school, coordinator, django_capture_on_commit_callbacks)
    assert report_state(name="test_report", campaign=campaign, school=school, user=department_user).versions
    other_coordinator = user_with_role(Role.SCHOOL_COORDINATOR, school=other_school, username="coord2")
    assert not report_state(name="test_report", campaign=campaign, school=school, user=other_coordinator).versions


def test_a_municipal_report_is_read_by_the_departments_staff_only(
    campaign, role_users, coordinator, department_user, django_capture_on_commit_callbacks
):
    _ask("test_municipal", campaign, None, department_user, django_capture_on_commit_callbacks)
    colleague = role_users[Role.MUNICIPAL_COORDINATOR]
    assert report_state(name="test_municipal", campaign=campaign, school=None, user=colleague).versions
    assert not report_state(name="test_municipal", campaign=campaign, school=None, user=coordinator).versions


def test_the_pdf_and_the_docx_say_the_same():
    doc = ReportDocument(
        title="Аналитическая справка",
        organisation="МБОУ «Школа № 1»",
        parent_organisation="Управление образования",
        campaign="ВПР-2026",
        date=datetime.date(2026, 11, 29),
        version="Версия 2",
        signatures=("Директор",),
    )
    doc.add(
        Heading("Математика, 5 класс"),
        Bullets(("умение А", "умение Б")),
        Table(("Отметка", "Школа"), (("«2»", 12.5), ("«3»", None)), numeric=frozenset({1})),
        report_charts.marks_bars("Рисунок 1. Отметки", [("Школа", {"2": 12.5, "3": 40, "4": 35, "5": 12.5})]),
    )
    pdf, docx = pdf_text(report_pdf(doc)), docx_text(report_docx(doc))
    for words in ("Управление образования", "Математика, 5 класс", "умение Б", "12,5", "—", "Рисунок 1. Отметки"):
        assert words in pdf, words
        assert words in docx, words
    assert "АНАЛИТИЧЕСКАЯ СПРАВКА" in docx and "Версия 2" in pdf and "Директор" in docx
    assert "Страница 1 из" in pdf
