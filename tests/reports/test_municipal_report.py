"""`export_municipal_report` (docs/commands.md) and its download on the department's overview: a sheet per
assessment, a row per school with results in the order of the codes and the municipality's row, every figure
equal to `results_figures --json`, empty cells where a figure has no value, codes without names (R11)."""

import io
import json
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command, execute_from_command_line
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grading.services.scores import cell_parse, work_recompute
from grading.summaries import summaries_refresh
from reports.exports import municipal_report_write
from schools.models import Role
from tests.factories import (
    DepartmentFactory,
    SchoolFactory,
    make_assessment,
    make_campaign,
    make_participant,
    make_score,
    make_work,
    user_with_role,
)
from tests.reports.test_figures import PEOPLE, SCALE, TASKS, record

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["Код", "Школа", "Участников", "Отсутствовали", "«2», %", "«3», %", "«4», %", "«5», %", "Средний балл"]
HEADER_END = ["Понизили, %", "Подтвердили, %", "Повысили, %", "Признаки"]

# sch660002: no journal marks at all (code, class, scores, journal, absent, exempt)
NO_JOURNAL = [
    ("20001", "4А", (2, 1, 3), None, False, False),
    ("20002", "4А", (0, 0, 1), None, False, False),
    ("20003", "4А", (None, None, None), None, True, False),
]
# sch660000 (first by code, best results): four present
BEST = [(f"3000{n}", "4А", (2, 1, 3), 5, False, False) for n in range(1, 5)]
ONLY_ABSENT = [("40001", "4А", (None, None, None), None, True, False)]


def run(*args, **options) -> tuple[int, str, str]:
    """Runs a command as `manage.py` does: exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err, **options)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue().strip(), err.getvalue().strip()


def figures_json(campaign, assessment, school=None) -> dict:
    options = {"school": school} if school else {}
    code, out, _err = run("results_figures", campaign=campaign.code, assessment=assessment.code, json=True, **options)
    assert code == 0
    return json.loads(out)


def sheet_rows(path: Path, name: str) -> list[list]:
    sheet = openpyxl.load_workbook(path)[name]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def record_named(assessment, pupil):
    """A participant with a pupil (a name the school knows): the report must show the code only."""
    tasks = list(assessment.tasks.order_by("position"))
    participant = make_participant(assessment, pupil, code="10999")
    work = make_work(participant, journal_mark=4)
    scores = {task.pk: make_score(work, task, value=cell_parse(1, max_points=task.max_points).value) for task in tasks}
    work_recompute(work, tasks=tasks, scores=scores, assessment=assessment)
    work.save()
    summaries_refresh(school_id=participant.school_id, assessment_ids=[assessment.pk])  # as the services keep them


@pytest.fixture
def planted(campaign, school, other_school, pupil, department):
    """T-4 with results in four schools (one of them only absent), RU-4 without any result."""
    small = make_assessment(campaign, code="T-4", tasks=TASKS, scale=SCALE)
    empty = make_assessment(campaign, code="RU-4")
    first = SchoolFactory(department=department, code="sch660000", short_name='=HYPERLINK("http://x","СШ")')
    absent_only = SchoolFactory(department=department, code="sch660003", short_name="СШ №3")
    record(small, school, PEOPLE)
    record_named(small, pupil)
    record(small, other_school, NO_JOURNAL)
    record(small, first, BEST)
    record(small, absent_only, ONLY_ABSENT)
    return {"small": small, "empty": empty, "schools": [first, school, other_school], "absent_only": absent_only}


def export(campaign, tmp_path) -> tuple[int, str, str, Path]:
    path = tmp_path / "report.xlsx"
    return (*run("export_municipal_report", campaign=campaign.code, output=str(path)), path)


def expected_cells(data: dict, labels: list[str]) -> list:
    """A row's figures as results_figures prints them; empty where the figure has no value."""
    present = data["participants"] > 0
    journal = data["journal"]
    compared = present and journal["n"] > 0
    return [
        data["participants"],
        data["absent"],
        *(data["marks"][mark] if present else None for mark in ("2", "3", "4", "5")),
        data["mean_score"] if present else None,
        *(data["tasks"][label] if present else None for label in labels),
        *(journal[key] if compared else None for key in ("lower", "confirmed", "higher")),
    ]


@pytest.mark.django_db
def test_the_report_has_a_sheet_per_assessment_and_the_figures_of_results_figures(campaign, planted, tmp_path):
    code, out, err, path = export(campaign, tmp_path)
    assert (code, err) == (0, "")
    assert "\n" not in out and "листов 2" in out and "школ с результатами 3" in out
    assert openpyxl.load_workbook(path).sheetnames == ["RU-4", "T-4"]  # the catalogue's order (grade, subject)

    rows = sheet_rows(path, "T-4")
    labels = [label for label, _max, _level in TASKS]
    assert rows[0] == [*HEADER, *labels, *HEADER_END]
    # one row per school with results, by code (sch660000 has the best results and still comes first), the
    # school of absent pupils only has no row, the municipality last
    assert [row[0] for row in rows[1:]] == ["sch660000", "sch660001", "sch660002", "муниципалитет"]
    assert rows[-1][1] == campaign.department.short_name
    for row, school in zip(rows[1:-1], planted["schools"], strict=True):
        assert row[2:-1] == expected_cells(figures_json(campaign, planted["small"], school.code), labels), school.code
    assert rows[-1][2:-1] == expected_cells(figures_json(campaign, planted["small"]), labels)
    assert rows[-1][3] == 4  # absent: the school of absent pupils only counts in the municipality


@pytest.mark.django_db
def test_the_signals_column_lists_the_kinds_results_figures_gives_each_school(campaign, planted, tmp_path):
    _code, _out, _err, path = export(campaign, tmp_path)
    rows = sheet_rows(path, "T-4")
    for row, school in zip(rows[1:-1], planted["schools"], strict=True):
        signals = figures_json(campaign, planted["small"], school.code)["signals"]
        assert row[-1] == (", ".join(signal["kind"] for signal in signals) or None), school.code
    # sch660000: every participant «5» against 64.3 % of «4» and «5» in the municipality
    assert "high_results" in rows[1][-1]
    assert rows[-1][-1] is None  # the municipality's row: its schools' signals are on their rows


@pytest.mark.django_db
def test_figures_are_numbers_and_missing_ones_empty(campaign, planted, tmp_path):
    _code, _out, _err, path = export(campaign, tmp_path)
    rows = sheet_rows(path, "T-4")
    no_journal = rows[3]
    assert no_journal[0] == "sch660002"
    assert no_journal[-4:-1] == [None, None, None]  # nobody has a journal mark: no comparison
    assert all(isinstance(value, int | float) for value in no_journal[2:-4])
    sheet = openpyxl.load_workbook(path)["T-4"]
    assert sheet.cell(row=3, column=5).number_format == "0.0"
    # an assessment without results: the header and the municipality's row, with counts and no figures
    empty = sheet_rows(path, "RU-4")
    assert len(empty) == 2 and empty[1][:4] == ["муниципалитет", campaign.department.short_name, 0, 0]
    assert set(empty[1][4:]) == {None}


@pytest.mark.django_db
def test_no_name_and_no_formula_in_the_file(campaign, planted, pupil, tmp_path):
    _code, _out, _err, path = export(campaign, tmp_path)
    workbook = openpyxl.load_workbook(path)
    texts = [str(value) for sheet in workbook for row in sheet.iter_rows(values_only=True) for value in row if value]
    assert not any(pupil.last_name in text or pupil.first_name in text for text in texts)
    assert not any(text.startswith("=") for text in texts)
    assert '\'=HYPERLINK("http://x","СШ")' in texts


@pytest.mark.django_db
def test_the_queries_do_not_grow_with_the_schools(campaign, department, school):
    small = make_assessment(campaign, code="T-4", tasks=TASKS, scale=SCALE)
    record(small, school, PEOPLE)
    counts = []
    for n in (1, 4):
        for index in range(n):
            extra = SchoolFactory(department=department, code=f"sch67{n}{index:03d}")
            record(small, extra, [(f"5{n}{index:03d}", "4А", (2, 1, 2), 4, False, False)])
        with CaptureQueriesContext(connection) as queries:
            municipal_report_write(campaign, io.BytesIO())
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_an_unknown_campaign_is_refused_and_nothing_written(db, tmp_path):
    path = tmp_path / "report.xlsx"
    code, out, err = run("export_municipal_report", campaign="VPR-1999", output=str(path))
    assert (code, out) == (1, "")
    assert err == "кампания с кодом «VPR-1999» не найдена"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db
def test_a_campaign_without_assessments_is_refused_and_nothing_written(department, tmp_path):
    campaign = make_campaign(department, code="VPR-2027")
    path = tmp_path / "report.xlsx"
    code, _out, err = run("export_municipal_report", campaign=campaign.code, output=str(path))
    assert code == 1 and "VPR-2027" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db
def test_a_missing_folder_is_refused(campaign, tmp_path):
    code, _out, err = run("export_municipal_report", campaign=campaign.code, output=str(tmp_path / "no" / "r.xlsx"))
    assert code == 1 and "не найдена" in err


@pytest.mark.parametrize("argv", [["--campaign", "VPR-2026"], ["--output", "r.xlsx"], []])
def test_wrong_arguments_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(["manage.py", "export_municipal_report", *argv])
    assert exit_.value.code == 2
    assert "--" in capsys.readouterr().err


# The browser ---------------------------------------------------------------------------------------------------


def report_url(campaign) -> str:
    return reverse("reports:municipal_report", kwargs={"campaign_code": campaign.code})


@pytest.mark.django_db
def test_the_department_downloads_the_report_from_its_overview(client, role_users, campaign, planted, pupil):
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    overview = client.get(reverse("reports:overview")).content.decode()
    assert report_url(campaign) in overview
    response = client.get(report_url(campaign))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"].startswith("attachment;")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["RU-4", "T-4"]
    rows = [list(row) for row in workbook["T-4"].iter_rows(values_only=True)]
    assert [row[0] for row in rows[1:]] == ["sch660000", "sch660001", "sch660002", "муниципалитет"]
    assert pupil.last_name.encode() not in response.content


@pytest.mark.django_db
def test_small_groups_show_no_percentages_to_the_department(client, role_users, campaign, planted):
    """A department view: sch660000 (4) and sch660002 (2) under 5 hide their percentages; sch660001 (8) and the
    municipality (14) show theirs, equal to results_figures."""
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(report_url(campaign)).content))
    rows = {row[0]: list(row) for row in workbook["T-4"].iter_rows(min_row=2, values_only=True)}
    assert rows["sch660000"][2] == 4 and set(rows["sch660000"][4:-1]) == {None}
    assert rows["sch660002"][2] == 2 and set(rows["sch660002"][4:-1]) == {None}
    labels = [label for label, _max, _level in TASKS]
    shown = figures_json(campaign, planted["small"], "sch660001")
    assert rows["sch660001"][2:-1] == expected_cells(shown, labels)


@pytest.mark.django_db
def test_one_small_school_hides_another_so_the_total_does_not_give_it_away(
    client, role_users, campaign, school, other_school
):
    small = make_assessment(campaign, code="T-4", tasks=TASKS, scale=SCALE)
    record(small, school, PEOPLE)  # 7 present
    record(small, other_school, NO_JOURNAL)  # 2 present: hidden
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(report_url(campaign)).content))
    rows = {row[0]: list(row) for row in workbook["T-4"].iter_rows(min_row=2, values_only=True)}
    assert set(rows["sch660002"][4:-1]) == {None}
    assert set(rows["sch660001"][4:-1]) == {None}  # the complement
    assert rows["муниципалитет"][4] is not None


@pytest.mark.django_db
def test_a_school_coordinator_gets_403(client, coordinator, campaign):
    client.force_login(coordinator)
    assert client.get(report_url(campaign)).status_code == 403


@pytest.mark.django_db
def test_another_departments_campaign_is_404(client, role_users):
    foreign = make_campaign(DepartmentFactory(code="uo-other"), code="VPR-OTHER")
    make_assessment(foreign)
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    assert client.get(report_url(foreign)).status_code == 404
    stranger = user_with_role(Role.DEPARTMENT_STAFF, department=DepartmentFactory(code="uo-third"))
    client.force_login(stranger)
    assert client.get(reverse("reports:municipal_report", kwargs={"campaign_code": "VPR-OTHER"})).status_code == 404
