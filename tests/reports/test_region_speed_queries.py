"""The region-wide pages read a fixed number of queries whatever the number of schools, and the shortcuts that
make them fast at region scale give the same numbers as the long way: tallies without task sums, a campaign's
tallies in one read, percentages rounded half up in integers, the binomial tails of boundary bunching in one call,
the signals from tallies a page has read already."""

import random
from fractions import Fraction
from math import floor

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from scipy.stats import binom

from grading.completion import sum_tallies
from grading.figures import campaign_tallies, percent, round_half_up, tallies, tallies_raw, with_task_sums
from monitoring.signals import CampaignResults, _binomial_tails, _low_shares, assessment_signals
from schools.models import Role
from tests.factories import SchoolFactory, make_assessment
from tests.reports.drilldown_data import drilled, people
from tests.reports.test_figures import SCALE, TASKS, record


def more_schools(assessment, department, n: int) -> None:
    """n more schools with 6 participants each (participants' codes of five characters, as PostgreSQL keeps)."""
    for index in range(1, n + 1):
        extra = SchoolFactory(department=department, code=f"sch6601{index:02d}", short_name=f"СШ №1{index:02d}")
        record(assessment, extra, people(f"8{index}", "4А", 6, start=index))


def exact_half_up(value: Fraction, places: int = 1) -> float:
    """The definition: floor(v · 10^places + ½) / 10^places, from exact fractions."""
    scale = 10**places
    return float(Fraction(floor(value * scale + Fraction(1, 2)), scale))


def test_percentages_in_integers_round_as_the_exact_fractions():
    assert percent(49, 400) == 12.3  # 12.25 → 12.3, never the binary float's 12.2
    assert percent(1, 8) == 12.5 and percent(0, 7) == 0.0 and percent(3, 0) == 0.0
    assert round_half_up(Fraction(1225, 100)) == 12.3 and round_half_up(Fraction(1224, 100)) == 12.2
    generator = random.Random(10)
    for _ in range(20000):
        whole = generator.randint(1, 10 ** generator.randint(1, 7))
        part = generator.randint(0, 3 * whole)
        assert percent(part, whole) == exact_half_up(Fraction(100 * part, whole))
        assert round_half_up(Fraction(part, whole), 3) == exact_half_up(Fraction(part, whole), 3)


def test_binomial_tails_in_one_call_are_those_of_one_call_each():
    generator = random.Random(6)
    windows = set()
    for _ in range(500):
        n = generator.randint(8, 200)
        wide_up, wide_down = generator.randint(0, 300), generator.randint(0, 300)
        windows.add((generator.randint(0, n), n, min(0.9, max(0.5, (wide_up + 1) / (wide_up + wide_down + 2)))))
    tails = _binomial_tails(windows)
    assert len(tails) == len(windows)
    for (up, n, p0), p in tails.items():
        assert p == float(binom.sf(up - 1, n, p0))


@pytest.mark.django_db
def test_tallies_without_task_sums_are_the_tallies_less_their_task_sums(campaign, school, other_school, pupil):
    assessment = drilled(campaign, school, other_school, pupil)
    whole = tallies(assessment=assessment, group="school")
    light = tallies(assessment=assessment, group="school", task_sums=False)
    assert whole == tallies_raw(assessment=assessment, group="school")
    assert set(light) == {school.pk, other_school.pk} == set(whole)
    for pk, tally in light.items():
        assert (tally.absent, tally.present, tally.results) == (whole[pk].absent, whole[pk].present, whole[pk].results)
        assert not tally.task_points and not tally.task_points_by_mark
    assert sum(whole[school.pk].results.values()) == 17  # 6 + 3 + 8 present with a complete work
    assert sum(whole[school.pk].task_points.values()) > 0


@pytest.mark.django_db
def test_the_schools_light_tallies_summed_with_the_task_sums_are_the_municipal_tally(
    campaign, school, other_school, pupil
):
    assessment = drilled(campaign, school, other_school, pupil)
    light = tallies(assessment=assessment, group="school", task_sums=False)
    municipality = with_task_sums(sum_tallies(light.values()), assessment=assessment)
    assert municipality == tallies(assessment=assessment)[None] == tallies_raw(assessment=assessment)[None]
    assert sum(municipality.task_points.values()) > 0
    own = with_task_sums(
        tallies(assessment=assessment, school=school, task_sums=False)[None], assessment=assessment, school=school
    )
    assert own == tallies(assessment=assessment, school=school)[None]


@pytest.mark.django_db
def test_a_campaigns_tallies_are_each_assessments_municipal_tally(campaign, school, other_school, pupil):
    first = drilled(campaign, school, other_school, pupil)
    second = make_assessment(campaign, code="T-5", tasks=TASKS, scale=SCALE)
    record(second, other_school, people("51", "5А", 7, start=2))
    by_assessment = campaign_tallies(campaign=campaign, task_sums=True)
    assert set(by_assessment) == {first.pk, second.pk}
    for assessment in (first, second):
        assert by_assessment[assessment.pk] == tallies(assessment=assessment)[None]
    assert sum(by_assessment[second.pk].results.values()) == 7
    light = campaign_tallies(campaign=campaign)
    assert light[first.pk].results == by_assessment[first.pk].results and not light[first.pk].task_points


@pytest.mark.django_db
def test_signals_from_the_tallies_a_page_read_are_the_signals(campaign, school, other_school, pupil, department):
    assessment = drilled(campaign, school, other_school, pupil)
    more_schools(assessment, department, 3)
    read = tallies(assessment=assessment, group="school")
    assert assessment_signals(assessment, tallies_by_school=read) == assessment_signals(assessment)


@pytest.mark.django_db
def test_stable_lows_shares_summed_in_sql_are_those_of_the_tallies(campaign, school, other_school, pupil):
    assessment = drilled(campaign, school, other_school, pupil)
    from_tallies = CampaignResults("c", tallies(assessment=assessment, group="school"))
    from_sql = CampaignResults("c", {}, low_shares=_low_shares(assessment, None))
    for pk in (school.pk, other_school.pk, -1):
        assert from_sql.low_share(pk) == from_tallies.low_share(pk)
    assert from_sql.low_share(other_school.pk)[0] == 12 and from_sql.low_share(-1) == (0, None)
    assert _low_shares(assessment, school) == {school.pk: from_tallies.low_share(school.pk)}


def _pages(campaign, assessment, school) -> list[str]:
    on_assessment = {"campaign_code": campaign.code, "assessment_code": assessment.code}
    on_school = {**on_assessment, "school_code": school.code}
    return [
        reverse("reports:municipal_results", kwargs={"campaign_code": campaign.code}),
        reverse("reports:municipal_assessment", kwargs=on_assessment),
        reverse("reports:municipal_funnel", kwargs=on_assessment),
        reverse("reports:municipal_trend", kwargs=on_assessment),
        reverse("grading:results_figures", kwargs=on_school),
        reverse("grading:results_class", kwargs={**on_school, "class_name": "4А"}),
        reverse("reports:school_trend", kwargs=on_school),
        reverse("monitoring:campaign_signals", kwargs={"campaign_code": campaign.code}),
    ]


@pytest.mark.django_db
def test_each_region_page_reads_as_many_queries_for_six_schools_as_for_two(
    client, role_users, campaign, school, other_school, pupil, department
):
    assessment = drilled(campaign, school, other_school, pupil)
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    pages = _pages(campaign, assessment, school)

    def counts() -> list[int]:
        found = []
        for url in pages:
            client.get(url)  # once first: a session's or a cache's first read is not the page's
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200, url
            found.append(len(queries))
        return found

    two = counts()
    more_schools(assessment, department, 4)
    assert counts() == two
