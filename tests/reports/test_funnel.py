"""The funnel plot (reports/funnel.py) against limits computed by hand, and its page (reports:municipal_funnel):
schools by code with their share and position, hidden small groups, no names, flat queries; the signals' links."""

import json
import re
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from monitoring.signals import assessment_signals
from reports.funnel import (
    ABOVE_INNER,
    ABOVE_OUTER,
    BELOW_INNER,
    BELOW_OUTER,
    INSIDE,
    Z_OUTER,
    curve_sizes,
    funnel,
    limits,
    position,
)
from schools.models import Role
from tests.factories import SchoolFactory
from tests.reports.drilldown_data import drilled, more_schools, people
from tests.reports.test_figures import record
from tests.reports.test_municipal_report import figures_json


def test_limits_are_p0_plus_minus_z_standard_errors_clipped_to_0_100():
    # p0 = 0.2, n = 25: sd = √(0.2 × 0.8 / 25) = 0.08; 1.96 × 0.08 = 0.1568; 3.09 × 0.08 = 0.2472
    assert limits(Fraction(1, 5), 25, 1.96) == pytest.approx((4.32, 35.68))
    assert limits(Fraction(1, 5), 25, 3.09) == pytest.approx((0.0, 44.72))  # 0.2 − 0.2472 < 0: clipped
    # n = 100: sd = 0.04; ±0.0784 and ±0.1236
    assert limits(0.2, 100, 1.96) == pytest.approx((12.16, 27.84))
    assert limits(0.2, 100, 3.09) == pytest.approx((7.64, 32.36))
    assert limits(0.9, 4, 3.09)[1] == 100.0  # clipped above


def test_positions_against_the_inner_and_outer_limits():
    p0 = Fraction(1, 5)
    assert position(9, 25, p0) == ABOVE_INNER  # 36 % > 35.68, < 44.72
    assert position(12, 25, p0) == ABOVE_OUTER  # 48 % > 44.72
    assert position(20, 100, p0) == INSIDE
    assert position(7, 100, p0) == BELOW_OUTER  # 7 % < 7.64
    assert position(12, 100, p0) == BELOW_INNER  # 12 % < 12.16, > 7.64
    assert position(8, 25, p0) == INSIDE  # 32 %


def test_the_funnel_keeps_the_order_given_and_leaves_out_empty_groups():
    schools = [
        ("sch660005", 100, 7),
        ("sch660001", 25, 9),
        ("sch660002", 25, 12),
        ("sch660003", 0, 0),
        ("sch660004", 100, 20),
    ]
    result = funnel(schools, total=350, total_count=70)
    assert result.p0 == 20.0
    assert [point.code for point in result.points] == ["sch660005", "sch660001", "sch660002", "sch660004"]
    by_code = {point.code: point for point in result.points}
    assert by_code["sch660001"].share == 36.0 and by_code["sch660001"].position == ABOVE_INNER
    assert by_code["sch660001"].outside_inner and not by_code["sch660001"].outside_outer
    assert by_code["sch660002"].outside_outer
    assert by_code["sch660005"].position == BELOW_OUTER
    assert by_code["sch660004"].inner == pytest.approx((12.16, 27.84))
    # the limits are drawn from n = 1 to the largest school
    assert result.curve[0][0] == 1 and result.curve[-1][0] == 100
    n100 = next(row for row in result.curve if row[0] == 100)
    assert n100[1:] == pytest.approx((12.16, 27.84, 7.64, 32.36))


def test_without_participants_there_is_no_funnel():
    assert funnel([("sch660001", 0, 0)], total=0, total_count=0).p0 is None


def test_curve_sizes_are_spread_over_a_large_range():
    assert curve_sizes(5) == [1, 2, 3, 4, 5]
    sizes = curve_sizes(5000, steps=50)
    assert sizes[0] == 1 and sizes[-1] == 5000 and len(sizes) <= 51 and sizes == sorted(sizes)
    assert curve_sizes(3, smallest=5) == []


# The funnel page (reports:municipal_funnel) ----------------------------------------------------------------------


def funnel_url(assessment) -> str:
    return reverse("reports:municipal_funnel", args=[assessment.campaign.code, assessment.code])


def assessment_url(assessment) -> str:
    return reverse("reports:municipal_assessment", args=[assessment.campaign.code, assessment.code])


def table_rows(html: str, testid: str) -> dict[str, str]:
    table = html[html.index(f'data-testid="{testid}"') :].split("</table>")[0]
    return {m.group(1): m.group(2) for m in re.finditer(r'<tr data-school="([^"]+)">(.*?)</tr>', table, re.S)}


@pytest.fixture
def funnel_data(campaign, school, other_school, pupil, department):
    """sch660001 (17) and sch660002 (12) of the drill-down, sch660000 with 3 (hidden; sch660002, the smallest
    other, hidden as its complement), sch660003 with 40 participants all «2» (outside the outer limit)."""
    assessment = drilled(campaign, school, other_school, pupil)
    record(assessment, SchoolFactory(department=department, code="sch660000"), people("30", "4А", 3))
    low = [(f"40{i:03d}", "4А", (0, 0, 0), 3, False, False) for i in range(1, 41)]
    record(assessment, SchoolFactory(department=department, code="sch660003"), low)
    return assessment


@pytest.fixture
def staff(client, role_users):
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    return client


@pytest.mark.django_db
def test_the_funnel_page_lists_every_school_by_code_with_its_share_and_position(staff, campaign, funnel_data):
    response = staff.get(funnel_url(funnel_data))
    assert response.status_code == 200
    html = response.content.decode()
    municipality = figures_json(campaign, funnel_data)
    plots = response.context["plots"]
    assert plots.low.p0 == municipality["marks"]["2"]
    assert plots.high.p0 == pytest.approx(
        round(
            100 * (municipality["mark_counts"]["4"] + municipality["mark_counts"]["5"]) / municipality["participants"],
            1,
        )
    )
    rows = table_rows(html, "funnel-low")
    # by code, whatever the results (sch660003 has every participant with «2»)
    assert list(rows) == ["sch660000", "sch660001", "sch660002", "sch660003"]
    ours = figures_json(campaign, funnel_data, "sch660001")
    assert f"{ours['marks']['2']:.1f}".replace(".", ",") in rows["sch660001"]
    expected = funnel(
        [("sch660001", ours["participants"], ours["mark_counts"]["2"])],
        total=municipality["participants"],
        total_count=municipality["mark_counts"]["2"],
    ).points[0]
    assert f'data-position="{expected.position}"' in rows["sch660001"]
    assert "100,0" in rows["sch660003"] and 'data-position="above_outer"' in rows["sch660003"]
    assert "выше внешней границы" in rows["sch660003"]
    # under 5, and its complement: listed with participants, without a share, not plotted
    for code in ("sch660000", "sch660002"):
        assert "%" not in rows[code] and "—" in rows[code]
    assert "мало" in rows["sch660000"] and "мало" not in rows["sch660003"]  # 3 and 40 participants
    chart = json.loads(
        re.search(r'<script id="chart-funnel-low-data" type="application/json">(.*?)</script>', html).group(1)
    )
    assert [point[0] for point in chart["points"]] == ["sch660001", "sch660003"]
    # a point is only its code, participants and share; the schools outside the limits are listed once
    assert chart["points"][1] == ["sch660003", 40, 100.0]
    assert chart["outside_outer"] == [p.code for p in plots.low.points if p.position.endswith("_outer")]
    assert chart["outside_inner"] == [p.code for p in plots.low.points if p.position != "inside"]
    assert "sch660003" in chart["outside_outer"] and "sch660003" in chart["outside_inner"]
    at_40 = next(row for row in chart["curve"] if row[0] == 40)  # n, inner lower, upper, outer lower, upper
    assert at_40[4] == pytest.approx(limits(plots.low.p0 / 100, 40, Z_OUTER)[1], abs=0.2)


@pytest.mark.django_db
def test_the_funnel_page_shows_no_pupil_name_and_links_back(staff, funnel_data, pupil):
    html = staff.get(funnel_url(funnel_data)).content.decode()
    assert pupil.last_name not in html and pupil.first_name not in html
    assert assessment_url(funnel_data) in html
    assert funnel_url(funnel_data) in staff.get(assessment_url(funnel_data)).content.decode()
    campaign_page = reverse("reports:municipal_results", args=[funnel_data.campaign.code])
    assert funnel_url(funnel_data) in staff.get(campaign_page).content.decode()


@pytest.mark.django_db
def test_a_school_gets_403_and_another_department_404(client, role_users, funnel_data):
    from tests.factories import DepartmentFactory, make_assessment, make_campaign

    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    assert client.get(funnel_url(funnel_data)).status_code == 403
    foreign = make_assessment(make_campaign(DepartmentFactory(code="uo-other"), code="VPR-OTHER"))
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    assert client.get(funnel_url(foreign)).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("url", [funnel_url, assessment_url])
def test_the_queries_do_not_grow_with_the_schools(
    staff, campaign, school, other_school, pupil, department, django_assert_max_num_queries, url
):
    assessment = drilled(campaign, school, other_school, pupil)
    with CaptureQueriesContext(connection) as two_schools:
        assert staff.get(url(assessment)).status_code == 200
    more_schools(assessment, department, 4)
    with django_assert_max_num_queries(len(two_schools)):
        response = staff.get(url(assessment))
    html = response.content.decode()
    assert html.count("<tr data-school=") >= 6
    assert pupil.last_name not in html


@pytest.mark.django_db
def test_signal_badges_link_to_their_case_when_monitoring_has_the_page(staff, campaign, funnel_data):
    html = staff.get(assessment_url(funnel_data)).content.decode()
    signals = assessment_signals(funnel_data)
    assert signals, "the data plants at least one signal"
    for signal in signals:
        row = re.search(rf'<tr data-school="{signal.school}">(.*?)</tr>', html, re.S).group(1)
        try:
            case = reverse(
                "monitoring:signal_case",
                kwargs={
                    "campaign_code": campaign.code,
                    "assessment_code": funnel_data.code,
                    "school_code": signal.school,
                    "kind": signal.kind,
                },
            )
        except NoReverseMatch:  # before monitoring's cases exist: the badge without a link
            assert f'<span class="badge text-bg-light border" title="{signal.kind}"' in row
        else:
            assert f'href="{case}"' in row and f'data-signal="{signal.kind}"' in row
