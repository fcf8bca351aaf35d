"""The charts of the results pages: each one's data (json_script) carries the numbers of the table beside it, a
hidden figure is left out of the chart, no inline script or style runs (CSP), the vendored Chart.js is used."""

import json
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from schools.models import Role
from tests.reports.drilldown_data import drilled

PAGES = {
    "municipal": lambda a, s: reverse("reports:municipal_assessment", args=[a.campaign.code, a.code]),
    "funnel": lambda a, s: reverse("reports:municipal_funnel", args=[a.campaign.code, a.code]),
    "school": lambda a, s: reverse("grading:results_figures", args=[a.campaign.code, s.code, a.code]),
    "class": lambda a, s: reverse("grading:results_class", args=[a.campaign.code, s.code, a.code, "4В"]),
}


@pytest.fixture
def assessment(campaign, school, other_school, pupil):
    return drilled(campaign, school, other_school, pupil)


def payloads(html: str) -> dict[str, dict]:
    """chart id → the JSON its canvas is drawn from."""
    found = {}
    for canvas in re.finditer(r'<canvas id="([^"]+)" data-chart="([^"]+)" data-chart-source="([^"]+)"', html):
        chart_id, kind, source = canvas.groups()
        data = re.search(rf'<script id="{source}" type="application/json">(.*?)</script>', html, re.S)
        assert data, f"no data for {chart_id}"
        found[chart_id] = json.loads(data.group(1))
        assert found[chart_id]["type"] == kind
    return found


@pytest.fixture
def staff(client, role_users):
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    return client


@pytest.mark.django_db
def test_the_municipal_charts_carry_the_tables_numbers(staff, assessment, school):
    response = staff.get(PAGES["municipal"](assessment, school))
    whole = response.context["whole"]
    charts = payloads(response.content.decode())
    assert set(charts) == {"chart-marks", "chart-tasks", "chart-levels", "chart-mark-groups", "chart-histogram"}
    marks = charts["chart-marks"]
    assert marks["labels"] == ["Муниципалитет"]
    assert {series["mark"]: series["values"] for series in marks["series"]} == {
        mark: [share] for mark, share in whole.marks.items()
    }
    assert charts["chart-tasks"]["series"] == [{"label": "Муниципалитет", "values": list(whole.tasks.values())}]
    histogram = charts["chart-histogram"]
    assert dict(zip(histogram["labels"], histogram["values"], strict=True)) == whole.histogram
    assert histogram["boundaries"] == [{"score": 2, "mark": "3"}, {"score": 4, "mark": "4"}, {"score": 6, "mark": "5"}]
    levels = {group.key: group.share for group in response.context["page"].levels}
    assert charts["chart-levels"]["labels"] == ["Б", "П"]
    assert charts["chart-levels"]["series"][0]["values"] == [levels["Б"], levels["П"]]


@pytest.mark.django_db
def test_the_school_charts_compare_the_school_and_the_municipality(staff, assessment, school):
    response = staff.get(PAGES["school"](assessment, school))
    charts = payloads(response.content.decode())
    whole, municipality = response.context["whole"], response.context["municipality"]
    marks = charts["chart-marks"]
    # 4А and 4Б are hidden for the department (small, and the complement): not in the chart
    assert marks["labels"] == ["Школа sch660001", "Класс 4В", "Муниципалитет"]
    fives = next(series for series in marks["series"] if series["mark"] == "5")["values"]
    class_4v = response.context["drill"].class_group("4В").figures
    assert fives == [whole.marks["5"], class_4v.marks["5"], municipality.marks["5"]]
    lines = charts["chart-tasks"]
    assert lines["reference"] == "Муниципалитет"
    assert lines["series"] == [
        {"label": "Школа sch660001", "values": list(whole.tasks.values())},
        {"label": "Муниципалитет", "values": list(municipality.tasks.values())},
    ]
    histogram = charts["chart-histogram"]
    assert histogram["values"] == list(whole.histogram.values())


@pytest.mark.django_db
@pytest.mark.parametrize("page", sorted(PAGES))
def test_no_inline_script_or_style_and_the_vendored_chart_library(staff, assessment, school, page):
    html = staff.get(PAGES[page](assessment, school)).content.decode()
    for script in re.finditer(r"<script([^>]*)>(.*?)</script>", html, re.S):
        attributes, body = script.groups()
        assert "src=" in attributes or 'type="application/json"' in attributes, script.group(0)[:200]
        assert "src=" not in attributes or not body.strip()
    assert " style=" not in html and "<style" not in html
    assert re.search(r" on[a-z]+=", html) is None
    assert f"{settings.STATIC_URL}vendor/chartjs/chart.umd.min.js" in html
    assert f"{settings.STATIC_URL}js/charts.js" in html
    assert payloads(html), "no chart on the page"
    # every chart has a table beside it
    assert html.count("<canvas") <= html.count("<table")


def test_the_chart_files_are_static_files():
    library = finders.find("vendor/chartjs/chart.umd.min.js")
    assert library and "Chart.js v4.6.1" in open(library, encoding="utf-8").read(400)
    script = open(finders.find("js/charts.js"), encoding="utf-8").read()
    for kind in ("marks", "tasks", "histogram", "groups", "funnel"):
        assert f"{kind}: function (data)" in script
    assert "beforeprint" in script  # redrawn at the printed size
    assert "@media print" in open(finders.find("css/portal.css"), encoding="utf-8").read()
