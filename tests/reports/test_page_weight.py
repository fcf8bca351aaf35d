"""The department's region-wide pages list the schools a page of 50 at a time (by code, R15), searched by code or
name, the assessment page also filtered to the schools with a signal; the funnel's charts keep every school."""

import json
import re

import pytest
from django.conf import settings
from django.urls import reverse

from monitoring.signals import assessment_signals
from tests.reports.drilldown_data import drilled, more_schools

# the funnel page's fixtures (a department user's client; schools with signals) are used by name
from tests.reports.test_funnel import assessment_url, funnel_data, funnel_url, staff, table_rows  # noqa: F401


@pytest.fixture
def region(campaign, school, other_school, pupil, department):
    """The drill-down's two schools (sch660001, sch660002) and 52 more with 6 participants each, created
    sch660061 down to sch660010 so that only the page's ordering can put them by code."""
    assessment = drilled(campaign, school, other_school, pupil)
    for first in range(61, 9, -1):
        more_schools(assessment, department, 1, first=first)
    return assessment


def _chart(html: str, chart_id: str) -> dict:
    pattern = rf'<script id="{chart_id}-data" type="application/json">(.*?)</script>'
    return json.loads(re.search(pattern, html, re.S).group(1))


@pytest.mark.django_db
def test_the_assessment_page_lists_50_schools_a_page_by_code_and_the_municipality_on_the_first(staff, region):  # noqa: F811 (fixtures)
    first = staff.get(assessment_url(region)).content.decode()
    codes = list(table_rows(first, "municipal-schools"))
    expected = ["sch660001", "sch660002"] + [f"sch6600{i}" for i in range(10, 62)]
    assert codes == expected[: settings.PAGE_SIZE]
    assert 'data-testid="item-analysis"' in first and 'id="chart-marks"' in first
    second = staff.get(assessment_url(region), {"page": 2}).content.decode()
    assert list(table_rows(second, "municipal-schools")) == expected[50:]
    # the next pages carry the schools only, with a way back to the municipality's figures
    assert 'data-testid="item-analysis"' not in second and "chart.umd.min.js" not in second
    assert 'data-testid="municipality-on-first-page"' in second
    assert 'data-figure="participants"' not in second


@pytest.mark.django_db
def test_the_assessment_pages_search_keeps_the_order_and_the_page_links_keep_the_search(staff, region):  # noqa: F811 (fixtures)
    response = staff.get(assessment_url(region), {"q": "СШ №1"})  # the names of sch660001, sch660010…19
    codes = list(table_rows(response.content.decode(), "municipal-schools"))
    assert codes == ["sch660001"] + [f"sch6600{i}" for i in range(10, 20)]
    assert list(
        table_rows(staff.get(assessment_url(region), {"q": "SCH66005"}).content.decode(), "municipal-schools")
    ) == [f"sch66005{i}" for i in range(10)]
    html = staff.get(assessment_url(region), {"q": "sch6600"}).content.decode()  # 52 schools: two pages
    assert "?q=sch6600&amp;page=2" in html
    assert "Таких школ нет" in staff.get(assessment_url(region), {"q": "нет такой"}).content.decode()


@pytest.mark.django_db
def test_only_the_schools_with_a_signal_are_listed_when_asked(staff, funnel_data):  # noqa: F811 (fixtures)
    flagged = sorted({signal.school for signal in assessment_signals(funnel_data)})
    everyone = list(table_rows(staff.get(assessment_url(funnel_data)).content.decode(), "municipal-schools"))
    assert flagged and set(flagged) < set(everyone)
    html = staff.get(assessment_url(funnel_data), {"signals": "1"}).content.decode()
    assert list(table_rows(html, "municipal-schools")) == flagged
    assert 'name="signals" value="1" id="only-flagged" checked' in html


@pytest.mark.django_db
def test_the_funnel_charts_keep_every_school_while_its_tables_show_50_a_page(staff, region):  # noqa: F811 (fixtures)
    first = staff.get(funnel_url(region)).content.decode()
    plotted = [point[0] for point in _chart(first, "chart-funnel-low")["points"]]
    assert len(plotted) > settings.PAGE_SIZE and plotted == sorted(plotted)
    high = _chart(first, "chart-funnel-high")["points"]
    assert all(len(point) == 3 and isinstance(point[1], int) for point in high)  # code, participants, share
    for testid in ("funnel-low", "funnel-high"):
        assert list(table_rows(first, testid)) == (["sch660001", "sch660002"] + [f"sch6600{i}" for i in range(10, 58)])
    second = staff.get(funnel_url(region), {"page": 2}).content.decode()
    assert list(table_rows(second, "funnel-low")) == [f"sch6600{i}" for i in range(58, 62)]
    assert _chart(second, "chart-funnel-low")["points"] == _chart(first, "chart-funnel-low")["points"]
    assert 'data-testid="funnel-pages-note"' in first
    found = staff.get(funnel_url(region), {"q": "sch66006"}).content.decode()
    assert list(table_rows(found, "funnel-high")) == ["sch660060", "sch660061"]


@pytest.mark.django_db
def test_the_trend_page_lists_50_schools_a_page_by_code_and_searches_them(staff, region):  # noqa: F811 (fixtures)
    url = reverse("reports:municipal_trend", args=[region.campaign.code, region.code])
    expected = ["sch660001", "sch660002"] + [f"sch6600{i}" for i in range(10, 62)]
    assert list(table_rows(staff.get(url).content.decode(), "school-trends")) == expected[:50]
    assert list(table_rows(staff.get(url, {"page": 2}).content.decode(), "school-trends")) == expected[50:]
    found = staff.get(url, {"q": "сш №2"}).content.decode()  # the name of sch660002 and sch660020…29
    assert list(table_rows(found, "school-trends")) == ["sch660002"] + [f"sch6600{i}" for i in range(20, 30)]
