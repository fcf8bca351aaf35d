"""The municipal analytical report (reports/kinds/municipal_report.py, reports/municipal_sections.py), built in the
background in PDF and DOCX on planted data and read back as text: every section present, the municipality's figures
equal to `results_figures --json`, the funnel's schools outside the outer limit by code, the planted signals with
their cases, violations by date then school code, the experts' cards by name marked «это не рейтинг», the decisions,
no pupil's name (R11) and nothing ordered by a result (R15); its page for the department only (a school: 403,
another department's campaign: 404), the files through the scope check, and a change that marks it outdated."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn

from grading.figures import HIDDEN_BELOW
from monitoring.cases import cases_open
from monitoring.models import ManagementDecision, Violation
from reports.generation import forget_kept_contents, report_request, report_state
from reports.municipal_sections import report_title, section_titles
from reports.report_doc import cell_text
from reports.report_render import docx_text
from reports.selectors import municipal_funnel
from schools.models import Role
from tests.factories import DepartmentFactory, SchoolFactory, StaffFactory, make_assessment, make_campaign, make_sitting
from tests.monitoring.recheck_plant import commission_expert, plant_recheck, recheck_of
from tests.reports.drilldown_data import drilled, more_schools
from tests.reports.test_figures import record
from tests.reports.test_municipal_report import figures_json
from vpr_portal.models import GeneratedDocument
from vpr_portal.pdf import pdf_text

pytestmark = pytest.mark.django_db

NAME = "municipal_report"
KEPT, CHANGED = ((2, 1, 3), (2, 1, 3)), ((2, 1, 3), (2, 1, 1))  # «5» stays; «5» → «4» (TASKS, SCALE)


def flat(text: str) -> str:
    """The words with any run of spaces and line breaks as one space (a table row reads as one line)."""
    return re.sub(r"\s+", " ", text).strip()


def squash(text: str) -> str:
    """The text without any space (a narrow column of the PDF breaks words across lines) and without the PDF's
    page footers (a table row may run onto the next page)."""
    return re.sub(r"АналитическийотчёторезультатахВПР—[\w-]+Страница\d+из\d+", "", re.sub(r"\s+", "", text))


def docx_words(data: bytes) -> str:
    """The DOCX's paragraphs and tables' cells in the document's order (reports.report_render.docx_text lists
    the tables after the paragraphs)."""
    body = Document(io.BytesIO(data)).element.body
    parts = []
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            parts.append("".join(node.text or "" for node in child.iter(qn("w:t"))))
        elif child.tag == qn("w:tbl"):
            parts.extend("".join(node.text or "" for node in cell.iter(qn("w:t"))) for cell in child.iter(qn("w:tc")))
    return "\n".join(parts)


@pytest.fixture(autouse=True)
def _no_kept_content():
    """The process keeps the content for the other format's job (reports.generation.shared_content): a test's
    database may reuse an earlier test's ids, so each test starts without it."""
    forget_kept_contents()
    yield
    forget_kept_contents()


@pytest.fixture
def planted(campaign, school, other_school, pupil, department):
    """T-4: the drill-down's schools (the named pupil in sch660001), five schools of 6, sch660080 with every
    participant at «5» and sch660090 with every one at «2» (both outside the funnel's outer limit); a re-check in
    sch660010 (2 of 5 works change mark: recheck_delta) and sch660011 by two original experts, cases opened; three
    violations; a municipal decision."""
    assessment = drilled(campaign, school, other_school, pupil)
    extra = more_schools(assessment, department, 5)
    high = SchoolFactory(department=department, code="sch660080", short_name="СШ №80")
    low = SchoolFactory(department=department, code="sch660090", short_name="СШ №90")
    record(assessment, low, [(f"9{i:04d}", "4А", (0, 0, 0), 3, False, False) for i in range(1, 16)])
    record(assessment, high, [(f"8{i:04d}", "4А", (2, 1, 3), 5, False, False) for i in range(1, 16)])
    recheck = recheck_of(campaign)
    member = commission_expert(recheck, last_name="Комиссарова")
    plant_recheck(
        assessment,
        extra[0],
        [KEPT] * 3 + [CHANGED] * 2,
        expert=StaffFactory(school=extra[0], last_name="Яковлева", first_name="Ольга"),
        member=member,
    )
    plant_recheck(
        assessment,
        extra[1],
        [KEPT] * 2,
        expert=StaffFactory(school=extra[1], last_name="Абрамова", first_name="Нина"),
        member=member,
    )
    cases_open(assessment=assessment)
    later = campaign.window_start + datetime.timedelta(days=1)
    for sitting_school, date, kind, reported in (
        (other_school, later, Violation.Kind.DEVICES, datetime.datetime(2026, 4, 1, 9, tzinfo=datetime.UTC)),
        (school, later, Violation.Kind.OUTSIDERS, datetime.datetime(2026, 4, 1, 10, tzinfo=datetime.UTC)),
        (high, campaign.window_start, Violation.Kind.SEATING, datetime.datetime(2026, 4, 2, 9, tzinfo=datetime.UTC)),
    ):
        Violation.objects.create(
            school=sitting_school,
            sitting=make_sitting(assessment, sitting_school, date=date),
            kind=kind,
            source=Violation.Source.DEPARTMENT,
            reported_at=reported,
        )
    ManagementDecision.objects.create(
        department=department,
        level=ManagementDecision.Level.DEPARTMENT,
        campaign=campaign,
        assessment=assessment,
        basis=ManagementDecision.Basis.WEAK_SKILL,
        skill="1.1",
        text="Провести семинар районного методического объединения учителей начальных классов",
        responsible="Методист Петрова Н. В.",
        due_on=datetime.date(2030, 10, 1),
    )
    return assessment


def build(campaign, user, callbacks) -> dict[str, GeneratedDocument]:
    with callbacks(execute=True):
        documents = report_request(name=NAME, campaign=campaign, school=None, user=user)
    built = {}
    for document in documents:
        document.refresh_from_db()
        assert document.status == GeneratedDocument.Status.DONE, document.error
        built[document.params["format"]] = document
    return built


@pytest.fixture
def texts(planted, campaign, department_user, django_capture_on_commit_callbacks) -> dict[str, str]:
    built = build(campaign, department_user, django_capture_on_commit_callbacks)
    docx = built["docx"].file.read()
    return {"pdf": pdf_text(built["pdf"].file.read()), "docx": docx_words(docx)}


def between(text: str, start: str, end: str) -> str:
    """The part of the squashed text from `start` up to the next `end` (both squashed too)."""
    text, start, end = squash(text), squash(start), squash(end)
    begin = text.index(start)
    return text[begin : text.index(end, begin + len(start))]


def test_every_section_is_in_the_pdf_and_the_docx(texts, campaign, department):
    for fmt, words in texts.items():
        text = squash(words).casefold()  # the PDF prints the title in capitals
        for expected in (department.name, report_title(), campaign.title, *section_titles().values(), "T-4", "xlsx"):
            assert squash(expected).casefold() in text, (fmt, expected)


def test_the_municipal_figures_equal_results_figures(texts, campaign, planted):
    data = figures_json(campaign, planted)
    assert data["school"] is None
    for fmt, words in texts.items():
        text = flat(words)
        for mark in ("2", "3", "4", "5"):
            row = f"«{mark}» {data['mark_counts'][mark]} {cell_text(data['marks'][mark])}"
            assert row in text, (fmt, row)
        assert f"Средний первичный балл: {cell_text(data['mean_score'])} из" in text
        for label, share in data["tasks"].items():
            assert re.search(rf"(^| ){label} [БПВ] \S+ \d+ {re.escape(cell_text(share))}( |$)", text), (fmt, label)
        journal = data["journal"]
        confirmed = round(journal["confirmed"] * journal["n"] / 100)
        assert f"Подтвердили {confirmed} {cell_text(journal['confirmed'])}" in text, fmt


def test_the_schools_outside_the_outer_limit_are_listed_by_code(texts, planted):
    plots = municipal_funnel(planted)
    outside = sorted({point.code for plot in (plots.low, plots.high) for point in plot.points if point.outside_outer})
    assert {"sch660080", "sch660090"} <= set(outside)
    for fmt, words in texts.items():
        table = between(words, "Школы за внешней границей", "Признаки необъективности и их разбор")
        listed = re.findall(r"sch\d{6}", table)
        assert sorted(set(listed)) == outside, fmt
        assert listed == sorted(listed), fmt  # by code, never by a result


def test_the_planted_signals_appear_with_their_cases_by_school_code(texts):
    for fmt, words in texts.items():
        table = between(words, "Признаки — повод посмотреть", "Общественное наблюдение и мониторинг")
        assert squash("sch660010 расхождение при перепроверке") in table, fmt
        assert squash("из них отметка изменилась: 2") in table, fmt
        assert "открыт" in table, fmt
        # a row: the code, then the signal in words (the funnel's labels may come between in the PDF's text)
        codes = re.findall(r"(sch\d{6})(?=скопление|обратная|расхождение|высокие|устойчиво)", table)
        assert len(codes) >= 3 and codes == sorted(codes), fmt


def test_violations_by_date_then_school_and_by_kind(texts):
    for fmt, words in texts.items():
        table = between(words, "Нарушения по датам, затем по кодам школ", "Результаты в аудиториях")
        assert re.findall(r"sch\d{6}", table) == ["sch660080", "sch660001", "sch660002"], fmt
        assert squash("средства связи у организаторов или участников") in table, fmt
        kinds = between(words, "Нарушения по видам и состоянию", "Нарушения по датам")
        assert squash("не соблюдена рассадка") in kinds, fmt


def test_the_experts_cards_are_by_name_and_not_a_rating(texts):
    for fmt, words in texts.items():
        part = between(words, "Согласованность оценивания", "Управленческие решения")
        assert squash("это не рейтинг") in part, fmt
        assert part.index("Абрамова") < part.index("Яковлева"), fmt
        recheck = between(words, "Перепроверка работ", "Согласованность оценивания")
        assert squash("из них отметка изменилась: 2") in recheck, fmt


def test_the_decisions_are_in_the_report(texts):
    for fmt, words in texts.items():
        part = between(words, "Управленческие решения", "Заключение")
        assert squash("Провести семинар районного методического объединения") in part, fmt
        assert "01.10.2030" in part and "муниципальное" in part, fmt


def test_no_pupils_name_anywhere(texts, pupil):
    for fmt, words in texts.items():
        for name in (pupil.last_name, pupil.first_name, pupil.middle_name):
            assert name not in words and name not in squash(words), fmt


def test_small_groups_show_no_percentages(campaign, school, department_user, django_capture_on_commit_callbacks):
    """Four participants in the whole municipality: counts, but no shares and no chart (a department view)."""
    small = make_assessment(campaign, code="S-4", tasks=[("A", 2, "Б"), ("B", 1, "Б")], scale={"3": 1, "4": 2, "5": 3})
    record(small, school, [(f"7000{i}", "4А", (2, 1), 5, False, False) for i in range(1, HIDDEN_BELOW)])
    built = build(campaign, department_user, django_capture_on_commit_callbacks)
    text = flat(docx_text(built["docx"].file.read()))
    assert "«5» 4 —" in text
    assert "100,0" not in text
    assert "Мало участников" in text


def test_the_second_format_reuses_the_content_of_the_first(
    planted, campaign, department_user, django_capture_on_commit_callbacks, monkeypatch
):
    from reports.kinds import municipal_report

    calls = []
    original = municipal_report.municipal_report_content
    monkeypatch.setattr(municipal_report, "municipal_report_content", lambda *args: calls.append(1) or original(*args))
    built = build(campaign, department_user, django_capture_on_commit_callbacks)
    assert len(calls) == 1 and set(built) == {"pdf", "docx"}


def test_a_change_marks_the_report_outdated_and_a_rebuild_is_version_2(
    planted, campaign, school, department_user, django_capture_on_commit_callbacks
):
    build(campaign, department_user, django_capture_on_commit_callbacks)
    state = report_state(name=NAME, campaign=campaign, school=None, user=department_user)
    assert not state.outdated
    Violation.objects.create(
        school=school,
        sitting=Violation.objects.filter(school=school).first().sitting,
        kind=Violation.Kind.OTHER,
        source=Violation.Source.DEPARTMENT,
    )
    assert report_state(name=NAME, campaign=campaign, school=None, user=department_user).outdated
    build(campaign, department_user, django_capture_on_commit_callbacks)
    state = report_state(name=NAME, campaign=campaign, school=None, user=department_user)
    assert [v.number for v in state.versions] == [2, 1] and not state.outdated


# The page ---------------------------------------------------------------------------------------------------------


def page_url(campaign) -> str:
    return reverse("reports:municipal_analytical_report", kwargs={"campaign_code": campaign.code})


def test_the_department_builds_and_downloads_from_the_page(
    client, role_users, campaign, planted, pupil, django_capture_on_commit_callbacks
):
    client.force_login(role_users[Role.MUNICIPAL_COORDINATOR])
    results = client.get(reverse("reports:municipal_results", kwargs={"campaign_code": campaign.code}))
    assert page_url(campaign) in results.content.decode()
    page = client.get(page_url(campaign)).content.decode()
    assert "Содержание отчёта" in page and "Признаки необъективности и их разбор" in page
    assert reverse("reports:municipal_report", kwargs={"campaign_code": campaign.code}) in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page_url(campaign))
    assert response.status_code == 302 and response["Location"] == page_url(campaign)
    page = client.get(page_url(campaign)).content.decode()
    document = GeneratedDocument.objects.get(kind="report.municipal_report.pdf")
    file_url = reverse("reports:municipal_report_file", kwargs={"pk": document.pk})
    assert file_url in page
    response = client.get(file_url)
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    assert "Аналитический отчёт" in pdf_text(data)
    assert pupil.last_name not in pdf_text(data)


def test_the_list_shows_the_departments_campaigns_with_their_latest_version(
    client, role_users, campaign, planted, department_user, django_capture_on_commit_callbacks
):
    build(campaign, department_user, django_capture_on_commit_callbacks)
    foreign = make_campaign(DepartmentFactory(code="uo-other"), code="VPR-OTHER")
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    page = client.get(reverse("reports:municipal_analytical_reports")).content.decode()
    assert page_url(campaign) in page and "версия 1 от" in page
    assert foreign.code not in page


def test_a_school_gets_403_and_cannot_read_the_file(
    client, role_users, campaign, planted, department_user, django_capture_on_commit_callbacks
):
    built = build(campaign, department_user, django_capture_on_commit_callbacks)
    for role in (Role.SCHOOL_COORDINATOR, Role.DIRECTOR):
        client.force_login(role_users[role])
        assert client.get(page_url(campaign)).status_code == 403
        assert client.post(page_url(campaign)).status_code == 403
        file_url = reverse("reports:municipal_report_file", kwargs={"pk": built["pdf"].pk})
        assert client.get(file_url).status_code == 403


def test_another_departments_campaign_and_report_are_404(
    client, role_users, campaign, planted, department_user, django_capture_on_commit_callbacks
):
    built = build(campaign, department_user, django_capture_on_commit_callbacks)
    foreign = make_campaign(DepartmentFactory(code="uo-other"), code="VPR-OTHER")
    make_assessment(foreign)
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    assert client.get(page_url(foreign)).status_code == 404
    stranger = DepartmentFactory(code="uo-third")
    from tests.factories import user_with_role

    client.force_login(user_with_role(Role.DEPARTMENT_STAFF, department=stranger, username="stranger"))
    assert client.get(page_url(campaign)).status_code == 404
    file_url = reverse("reports:municipal_report_file", kwargs={"pk": built["pdf"].pk})
    assert client.get(file_url).status_code == 404
