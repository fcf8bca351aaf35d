"""Spreadsheets the portal writes never carry a live formula from what people typed (CSV/formula injection)."""

import datetime
import io
from types import SimpleNamespace

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from grading.results_form import form_write
from procedures.models import ScheduleEntry, SchoolSchedule
from schools.models import Role
from tests.factories import SchoolClassFactory, SchoolFactory, make_assessment, make_campaign, user_with_role
from vpr_portal.excel import safe_cell, safe_row

HYPERLINK = '=HYPERLINK("http://x","y")'


@pytest.mark.parametrize("text", [HYPERLINK, "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_text_that_would_start_a_formula_is_written_as_text(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["СШ №1", "4А", "", None, 5, -3, 2.5, datetime.date(2026, 4, 21), "Иванов-Петров"])
def test_numbers_dates_and_ordinary_texts_are_written_unchanged(value):
    assert safe_cell(value) == value
    assert safe_row([value]) == [value]


def cells(data: bytes) -> list:
    sheet = load_workbook(io.BytesIO(data)).active
    return [cell for row in sheet.iter_rows() for cell in row]


def assert_no_formula(data: bytes, *, expected_text: str) -> None:
    found = [cell for cell in cells(data) if cell.value == "'" + expected_text]
    assert found, "the text is missing from the workbook"
    for cell in cells(data):
        assert cell.data_type != "f"
        if isinstance(cell.value, str):
            assert not cell.value.startswith("=")
    assert all(cell.data_type == "s" for cell in found)


@pytest.mark.django_db
def test_a_school_named_like_a_formula_is_plain_text_in_the_calendar_xlsx(client, department):
    campaign = make_campaign(department)
    assessment = make_assessment(campaign, code="RU-4", grade=4)
    school = SchoolFactory(department=department, code="sch660009", short_name=HYPERLINK)
    school_class = SchoolClassFactory(school=school, academic_year=2025, grade=4, letter="А")
    schedule = SchoolSchedule.objects.create(campaign=campaign, school=school)
    ScheduleEntry.objects.create(
        schedule=schedule, assessment=assessment, school_class=school_class, date=datetime.date(2026, 4, 21), lesson=2
    )
    client.force_login(user_with_role(Role.DEPARTMENT_STAFF, department=department, username="uo"))
    response = client.get(reverse("procedures:calendar_xlsx", kwargs={"campaign_code": campaign.code}))
    assert response.status_code == 200
    assert_no_formula(b"".join(response.streaming_content), expected_text=HYPERLINK)


def test_the_results_form_writes_a_formula_like_class_name_as_text():
    output = io.BytesIO()
    tasks = [SimpleNamespace(label="1", max_points=2)]
    form_write(output, tasks=tasks, rows=[["10001", "=1+1", "М", 1, 2, 5, 2, 3]], title="RU-4")
    assert_no_formula(output.getvalue(), expected_text="=1+1")
    values = [cell.value for cell in cells(output.getvalue())]
    assert "10001" in values and 2 in values and 5 in values  # numbers stay numbers
