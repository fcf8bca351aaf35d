"""The school's analytical справка (reports/kinds/school_report.py, reports/views_school_report.py): built through
report_request, its PDF and DOCX read as text — every section of each assessment, the figures of `results_figures`
(decimal commas, as the tables print), the weak skills, the signal and its case, the school's conclusions, no pupil's
name (R11); new conclusions make it outdated while the built version keeps its text; the pages: the school writes its
conclusions (revisions, errors writing nothing), the department reads every school's, another school gets 404."""

import datetime
import re

import pytest
from django.urls import reverse

from grading.figures import MARKS, assessment_figures
from monitoring.models import ManagementDecision, SignalCase
from reports.generation import report_request, report_state
from reports.kinds.school_report import LATER_SECTIONS, NAME
from reports.report_render import docx_text
from reports.report_sections import FIGURE_SECTIONS
from reports.school_conclusions import TEXT_MAX_LENGTH, conclusions_of, conclusions_save
from schools.models import AuditEntry, Role
from tests.factories import user_with_role
from tests.reports.school_report_data import NAME as PUPIL_NAME
from tests.reports.school_report_data import STRONG_SKILL, WEAK_SKILL, plant
from vpr_portal.models import GeneratedDocument
from vpr_portal.pdf import pdf_text

CONCLUSIONS = "Выводы по русскому языку: задание C вызвало затруднения у обоих классов."
MEASURES = "Провести в 4А и 4Б занятия по решению задач в два действия до 20 декабря."
DECISION = "Включить решение задач в два действия в план методического объединения."
GENERAL = "Общий вывод школы: результаты согласуются с текущей успеваемостью."


@pytest.fixture
def planted(department, school, other_school):
    return plant(department, school, other_school)


def comma(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def build(campaign, school, user, callbacks) -> dict[str, str]:
    """Builds the справка (both formats, in-process) and returns format → its text."""
    with callbacks(execute=True):
        documents = report_request(name=NAME, campaign=campaign, school=school, user=user)
    texts = {}
    for document in documents:
        document.refresh_from_db()
        assert document.status == GeneratedDocument.Status.DONE, document.error
        data = document.file.read()
        texts[document.params["format"]] = pdf_text(data) if document.params["format"] == "pdf" else docx_text(data)
    return texts


def flat(text: str) -> str:
    """The text with its line breaks and repeated spaces as single spaces (a PDF breaks lines anywhere)."""
    return re.sub(r"\s+", " ", text)


def write(planted, school, user, *, based_on=0, conclusions=CONCLUSIONS):
    assessment = planted["assessment"]
    return conclusions_save(
        campaign=planted["campaign"],
        school=school,
        sections={
            str(assessment.pk): {"conclusions": conclusions, "measures": MEASURES},
            "general": {"conclusions": GENERAL, "measures": ""},
        },
        parts=[str(assessment.pk), str(planted["maths"].pk), "general"],
        based_on=based_on,
        actor=user,
    )


def test_the_pdf_and_the_docx_hold_every_section_and_the_figures_of_results_figures(
    planted, school, coordinator, django_capture_on_commit_callbacks
):
    case = SignalCase.objects.get(school=school, assessment=planted["assessment"], kind="high_results")
    case.status, case.conclusion = SignalCase.Status.CLOSED, SignalCase.Conclusion.NOT_CONFIRMED
    case.measures = "Проведена выборочная перепроверка работ комиссией школы."
    case.save()
    write(planted, school, coordinator)
    ManagementDecision.objects.create(
        department=school.department,
        level=ManagementDecision.Level.SCHOOL,
        school=school,
        campaign=planted["campaign"],
        assessment=planted["assessment"],
        basis=ManagementDecision.Basis.WEAK_SKILL,
        skill=WEAK_SKILL,
        text=DECISION,
        responsible="Заместитель директора по УВР",
        due_on=datetime.date(2026, 12, 20),
    )
    texts = build(planted["campaign"], school, coordinator, django_capture_on_commit_callbacks)
    for fmt, raw in texts.items():
        text = flat(raw)
        assert school.name in text and school.code in text and school.department.name in text, fmt
        # the assessments in catalogue order (grade, subject): MA-4 (Математика) first, then T-4
        for number, assessment in ((1, planted["maths"]), (2, planted["assessment"])):
            assert f"{number}. {assessment} ({assessment.code})" in text, (fmt, assessment.code)
            titles = [*FIGURE_SECTIONS, *LATER_SECTIONS]
            for index, title in enumerate(titles, start=1):
                assert f"{number}.{index}. {title}" in text, (fmt, number, title)
        assert "3. Общие выводы и меры" in text and "4. Управленческие решения" in text, fmt
        # the figures of results_figures, as the tables print them
        figures = assessment_figures(assessment=planted["assessment"], school=school)
        municipality = assessment_figures(assessment=planted["assessment"])
        row = " ".join(comma(figures.marks[mark]) for mark in MARKS) + " " + comma(figures.mean_score)
        assert f"Школа (вся параллель) {figures.participants} {row}" in text, fmt
        row = " ".join(comma(municipality.marks[mark]) for mark in MARKS)
        assert f"Муниципалитет {municipality.participants} {row}" in text, fmt
        for label, share in figures.tasks.items():
            assert f"{comma(share)} {comma(municipality.tasks[label])}" in text, (fmt, label)
        journal = figures.journal
        assert f"{journal.n} {comma(journal.lower)} {comma(journal.confirmed)} {comma(journal.higher)}" in text, fmt
        # classes by their names; the weak skill (C: below 50 %) and the strong one listed under their headings
        assert "Класс 4А" in text and "Класс 4Б" in text, fmt
        weak_part = text.split("2.6. ")[1].split("2.7. ")[0]
        weak_list = weak_part.split("Слабо сформированные умения")[1].split("Успешно сформированные умения")[0]
        assert WEAK_SKILL in weak_list and STRONG_SKILL not in weak_list, fmt
        assert STRONG_SKILL in weak_part.split("Успешно сформированные умения")[1], fmt
        # the signal with its evidence in words and its case
        assert "Признак: высокие результаты" in text and "доля «4» и «5» в школе, %" in text, fmt
        assert "Разбор: закрыт." in text and "признак не подтвердился" in text, fmt
        assert "выборочная перепроверка работ комиссией школы" in text, fmt
        # the dynamics over the campaigns held, the school's texts, the signatures
        assert "ВПР-2025" in text.split("2.9. ")[1], fmt
        assert DECISION in text and "Основание: слабо сформированное умение: T-4" in text and "20.12.2026" in text, fmt
        for words in (CONCLUSIONS, MEASURES, GENERAL, "Директор", "Ответственный за проведение ВПР"):
            assert words in text, (fmt, words)
        # R15: no other school is named (nothing to rank against but the municipality), classes in name order
        assert planted["other_school"].code not in raw and planted["other_school"].name not in raw, fmt
        assert re.search(r"Класс 4А [\d ,]+ Класс 4Б [\d ,]+ Муниципалитет", text), fmt  # rows by class name
        # no pupil's name anywhere (the department reads it): the planted pupil's surname and name
        for name in (*PUPIL_NAME, planted["pupil"].last_name, planted["pupil"].first_name):
            assert name not in raw, (fmt, name)


def test_new_conclusions_make_the_built_spravka_outdated_and_the_old_version_keeps_its_text(
    planted, school, coordinator, django_capture_on_commit_callbacks
):
    campaign = planted["campaign"]
    write(planted, school, coordinator)
    first = build(campaign, school, coordinator, django_capture_on_commit_callbacks)
    assert not report_state(name=NAME, campaign=campaign, school=school, user=coordinator).outdated
    newer = "Новая редакция выводов: затруднения с задачами сохраняются только в 4Б."
    write(planted, school, coordinator, based_on=1, conclusions=newer)
    state = report_state(name=NAME, campaign=campaign, school=school, user=coordinator)
    assert state.outdated and not state.latest.current
    second = build(campaign, school, coordinator, django_capture_on_commit_callbacks)
    state = report_state(name=NAME, campaign=campaign, school=school, user=coordinator)
    assert [(version.number, version.current) for version in state.versions] == [(2, True), (1, False)]
    assert newer in flat(second["docx"]) and CONCLUSIONS not in flat(second["docx"])
    old = state.versions[1].documents["pdf"]
    old_text = flat(pdf_text(old.file.read()))
    assert CONCLUSIONS in old_text and newer not in old_text and CONCLUSIONS in flat(first["pdf"])


# Conclusions -----------------------------------------------------------------------------------------------------


def test_each_saving_is_a_revision_kept_in_the_history_and_audited(planted, school, coordinator):
    campaign = planted["campaign"]
    assert conclusions_of(campaign, school).revision == 0
    assert write(planted, school, coordinator).revision == 1
    assert write(planted, school, coordinator, based_on=1).revision == 1  # the same texts: nothing new
    assert write(planted, school, coordinator, based_on=1, conclusions="Вторая редакция.").revision == 2
    current = conclusions_of(campaign, school)
    assert current.text(planted["assessment"].pk, "conclusions") == "Вторая редакция."
    from reports.school_conclusions import conclusions_history

    history = conclusions_history(campaign, school)
    assert [r.number for r in history] == [2, 1]
    assert history[1].sections[str(planted["assessment"].pk)]["conclusions"] == CONCLUSIONS
    entries = AuditEntry.objects.filter(action="school_conclusions.saved", school=school)
    assert entries.count() == 2 and all(CONCLUSIONS not in entry.target_label for entry in entries)


def page_url(planted, school):
    return reverse("reports:school_report", kwargs={"school_code": school.code, "campaign_code": "VPR-2026"})


def conclusions_url(school):
    return reverse(
        "reports:school_report_conclusions", kwargs={"school_code": school.code, "campaign_code": "VPR-2026"}
    )


def form_data(planted, *, based_on=0, conclusions=CONCLUSIONS):
    return {
        "based_on": based_on,
        f"{planted['assessment'].pk}-conclusions": conclusions,
        f"{planted['assessment'].pk}-measures": MEASURES,
        "general-conclusions": GENERAL,
        "general-measures": "",
    }


def test_the_coordinator_writes_the_conclusions_on_the_page(client, planted, school, coordinator):
    client.force_login(coordinator)
    page = client.get(page_url(planted, school))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="conclusions-form"' in body and 'data-testid="report-build"' in body
    assert WEAK_SKILL in body  # the outline's preview of the weak skills
    assert PUPIL_NAME[0] not in body
    response = client.post(conclusions_url(school), form_data(planted))
    assert response.status_code == 302 and response["Location"] == page_url(planted, school)
    assert conclusions_of(planted["campaign"], school).text(planted["assessment"].pk, "measures") == MEASURES
    body = client.get(page_url(planted, school)).content.decode()
    assert 'data-testid="conclusions-revision" data-number="1"' in body and CONCLUSIONS in body


def test_a_wrong_saving_writes_nothing_and_keeps_the_typed_text(client, planted, school, coordinator, role_users):
    client.force_login(coordinator)
    too_long = "ы" * (TEXT_MAX_LENGTH + 1)
    response = client.post(conclusions_url(school), form_data(planted, conclusions=too_long))
    assert response.status_code == 400 and "сократите" in response.content.decode()
    assert conclusions_of(planted["campaign"], school).revision == 0
    write(planted, school, role_users[Role.DIRECTOR])  # the director saved meanwhile
    typed = "Текст, набранный по старой редакции."
    response = client.post(conclusions_url(school), form_data(planted, based_on=0, conclusions=typed))
    body = response.content.decode()
    assert response.status_code == 400 and "Ваш текст не сохранён" in body and typed in body
    assert conclusions_of(planted["campaign"], school).revision == 1


def test_the_department_reads_and_builds_but_does_not_write(
    client, planted, school, department_user, django_capture_on_commit_callbacks
):
    client.force_login(department_user)
    body = client.get(page_url(planted, school)).content.decode()
    assert 'data-testid="conclusions-form"' not in body and 'data-testid="report-build"' in body
    assert client.post(conclusions_url(school), form_data(planted)).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page_url(planted, school))
    assert response.status_code == 302
    state = report_state(name=NAME, campaign=planted["campaign"], school=school, user=department_user)
    assert state.latest.done and state.latest.requested_by == department_user
    pdf = state.latest.documents["pdf"]
    download = client.get(reverse("reports:school_report_file", kwargs={"pk": pdf.pk}))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    # another school's coordinator: neither the page nor the file exists
    stranger = user_with_role(Role.SCHOOL_COORDINATOR, school=planted["other_school"], username="coord2")
    client.force_login(stranger)
    assert client.get(page_url(planted, school)).status_code == 404
    assert client.get(reverse("reports:school_report_file", kwargs={"pk": pdf.pk})).status_code == 404
    assert client.post(conclusions_url(school), form_data(planted)).status_code == 404


def test_the_index_lists_the_schools_campaigns_with_results(client, planted, school, coordinator):
    client.force_login(coordinator)
    body = client.get(reverse("reports:school_report_index", kwargs={"school_code": school.code})).content.decode()
    assert 'data-campaign="VPR-2026"' in body and 'data-campaign="VPR-2025"' in body
    assert body.index('data-campaign="VPR-2026"') < body.index('data-campaign="VPR-2025"')


@pytest.mark.django_db(transaction=True)
def test_the_figures_parts_are_kept_until_the_results_change(department, school, other_school):
    """Outside a transaction (as the jobs run) the figures' sections are kept in the results' cache under the
    results' stamps: the same text again, and a new result shows at once."""
    from reports.kinds.school_report import content
    from tests.reports.test_figures import record

    planted = plant(department, school, other_school)
    campaign = planted["campaign"]
    first = content(campaign, school, lambda done, total: None)
    again = content(campaign, school, lambda done, total: None)
    assert again.text() == first.text()
    assert "Русский язык, 4 кл. (T-4) 13 " in flat(first.text().replace("\n", " "))
    record(planted["assessment"], school, [("11099", "4Б", (2, 1, 3), 5, False, False)])
    changed = flat(content(campaign, school, lambda done, total: None).text())
    assert "Русский язык, 4 кл. (T-4) 14 " in changed
    figures = assessment_figures(assessment=planted["assessment"], school=school)
    row = " ".join(comma(figures.marks[mark]) for mark in MARKS) + " " + comma(figures.mean_score)
    assert f"Школа (вся параллель) 14 {row}" in changed
