"""The objectivity signals (monitoring/signals.py, docs/glossary.md «Признаки необъективности»): each kind on
planted results just below, at and just above its thresholds, with its evidence; the municipality is every
school of the department; a fixed number of queries for any number of schools; and `results_figures --json`
listing them."""

import datetime
import io
import itertools
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grading.models import Score, Work
from grading.summaries import summaries_refresh
from monitoring.signals import Signal, Thresholds, assessment_signals
from procedures.models import Campaign, Participant
from tests.factories import DepartmentFactory, SchoolFactory, make_assessment, make_campaign

_codes = itertools.count(10001)


def plant(assessment, school, rows) -> None:
    """Present participants of the school with complete works: each row is (points per task, journal mark or
    None); the primary score and mark follow from the points as the grading services set them."""
    tasks = list(assessment.tasks.order_by("position"))
    participants = Participant.objects.bulk_create(
        Participant(
            campaign=assessment.campaign,
            assessment=assessment,
            school=school,
            code=str(next(_codes) % 100000).zfill(5),
            class_name=f"{assessment.grade}А",
            sex="Ж",
        )
        for _row in rows
    )
    works = Work.objects.bulk_create(
        Work(
            participant=participant,
            assessment=assessment,
            school=school,
            primary_score=sum(points),
            mark=assessment.mark_for(sum(points)),
            journal_mark=journal,
            is_complete=True,
        )
        for participant, (points, journal) in zip(participants, rows, strict=True)
    )
    Score.objects.bulk_create(
        Score(work=work, task=task, value=value)
        for work, (points, _journal) in zip(works, rows, strict=True)
        for task, value in zip(tasks, points, strict=True)
    )
    # rows written past the services: their summary rows, as the services would keep them
    summaries_refresh(school_id=school.pk, assessment_ids=[assessment.pk])


def totals(assessment, scores, journal=None) -> list[tuple]:
    """Rows of the given primary scores, spread over the tasks from the first (each up to its maximum)."""
    maxima = list(assessment.tasks.order_by("position").values_list("max_points", flat=True))
    rows = []
    for score in scores:
        points, left = [], score
        for maximum in maxima:
            points.append(min(maximum, left))
            left -= points[-1]
        assert left == 0, score
        rows.append((tuple(points), journal))
    return rows


def spread(total: int, n: int) -> list[int]:
    """n numbers summing to `total`, differing by at most 1."""
    whole, extra = divmod(total, n)
    return [whole + 1] * extra + [whole] * (n - extra)


def kinds(signals, kind: str) -> list[Signal]:
    return [signal for signal in signals if signal.kind == kind]


@pytest.fixture
def campaign(department):
    return make_campaign(department)


@pytest.fixture
def ru4(campaign):
    """Русский язык 4 кл.: max 24, «3» from 10, «4» from 16, «5» from 21."""
    return make_assessment(campaign)


# Boundary bunching ------------------------------------------------------------------------------------------------

# At the boundary c = 10 (windows 6…13), with the lower window's pupils at 6 and 7 and nobody at 8 or 9: the pile at
# 10 is improbable (p0 = 0.5 for W_down ≥ W_up). Scores 0…5 lie outside every window of 10, 16 and 21.


def bunched(up: int, far_below: int, filler: int) -> list[int]:
    return [10] * up + [6, 7] * (far_below // 2) + [6] * (far_below % 2) + [0] * filler


@pytest.mark.django_db
@pytest.mark.parametrize(("filler", "flagged"), [(0, False), (1, True), (2, True)])
def test_bunching_needs_twenty_participants(ru4, school, filler, flagged):
    # up 10, down 0, W_up 10, W_down 9: p0 = 11/21, p = (11/21)^10 = 0.001555; participants 19, 20, 21
    plant(ru4, school, totals(ru4, bunched(10, 9, filler)))
    found = kinds(assessment_signals(ru4), "boundary_bunching")
    assert bool(found) is flagged
    if flagged:
        assert found == [
            Signal("boundary_bunching", "sch660001", {"c": 10, "up": 10, "down": 0, "p0": 0.5238, "p": 0.001555})
        ]


@pytest.mark.django_db
@pytest.mark.parametrize(("up", "flagged"), [(7, False), (8, True), (9, True)])
def test_bunching_needs_eight_scores_beside_the_boundary(ru4, school, up, flagged):
    # up + down = up (down 0), W_down 10 ≥ W_up: p0 = 0.5, p = 0.5^up (0.0078 already under 0.01 at 7)
    plant(ru4, school, totals(ru4, bunched(up, 10, 20 - up - 10 + 5)))
    found = kinds(assessment_signals(ru4), "boundary_bunching")
    assert bool(found) is flagged
    if flagged:
        assert found[0].evidence == {"c": 10, "up": up, "down": 0, "p0": 0.5, "p": float(f"{0.5**up:.4g}")}


@pytest.mark.django_db
def test_bunching_needs_an_improbable_pile(ru4, school):
    # up 5, down 3 (at 8 and 9), p0 = 0.5: p = 93/256 = 0.36
    plant(ru4, school, totals(ru4, [10] * 5 + [9, 8, 8] + [6, 7] * 5 + [0] * 10))
    assert kinds(assessment_signals(ru4), "boundary_bunching") == []


@pytest.mark.django_db
@pytest.mark.parametrize(("limit", "flagged"), [(0.0039, False), (0.00390625, False), (0.0040, True)])
def test_bunching_flags_p_strictly_below_its_threshold(ru4, school, limit, flagged):
    plant(ru4, school, totals(ru4, bunched(8, 10, 5)))  # p = 0.5^8 = 0.00390625
    found = kinds(assessment_signals(ru4, thresholds=Thresholds(bunching_p=limit)), "boundary_bunching")
    assert bool(found) is flagged


@pytest.mark.django_db
def test_bunching_at_two_boundaries_is_one_signal_with_the_smallest_p(ru4, school):
    # at 10: up 8 (p 0.0039); at 21 (windows 17…24): up 10, W_down 10 at 17 and 18 (p 0.00098)
    plant(ru4, school, totals(ru4, bunched(8, 10, 0) + [21] * 10 + [17, 18] * 5))
    assert [s.evidence["c"] for s in kinds(assessment_signals(ru4), "boundary_bunching")] == [21]


# Inverted difficulty ----------------------------------------------------------------------------------------------

# One базовый and one повышенный task of 10 points, two schools of 50: a school's completion of a task is Σ points / 5,
# the municipality's Σ points of both schools / 10, so the gap is (other's Σ − school's Σ) / 10 points.


@pytest.fixture
def two_tasks(campaign):
    return make_assessment(
        campaign, code="T-5", tasks=[("1", 10, "Б"), ("2", 10, "П")], scale={"3": 5, "4": 10, "5": 15}
    )


def plant_levels(assessment, school, basic: int, raised: int) -> None:
    plant(assessment, school, [((b, p), None) for b, p in zip(spread(basic, 50), spread(raised, 50), strict=True)])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("other_basic", "other_raised", "flagged"),
    [
        (349, 200, False),  # Б 9.9 points below, П/В 20 above
        (350, 200, True),  # Б 10.0 below
        (351, 200, True),
        (350, 301, False),  # П/В 9.9 above
        (350, 300, True),  # П/В 10.0 above
        (350, 299, True),
    ],
)
def test_inverted_difficulty_at_ten_points_on_both_sides(
    two_tasks, school, other_school, other_basic, other_raised, flagged
):
    plant_levels(two_tasks, school, 250, 400)  # Б 50 %, П 80 %
    plant_levels(two_tasks, other_school, other_basic, other_raised)
    found = kinds(assessment_signals(two_tasks), "inverted_difficulty")
    assert [s.school for s in found] == (["sch660001"] if flagged else [])
    if (other_basic, other_raised) == (350, 200):
        assert found[0].evidence == {
            "b_school": 50.0,
            "b_municipality": 60.0,
            "pv_school": 80.0,
            "pv_municipality": 60.0,
        }


@pytest.mark.django_db
def test_inverted_difficulty_needs_tasks_of_both_kinds(campaign, school, other_school):
    basic_only = make_assessment(campaign, code="B-4", tasks=[("1", 10, "Б"), ("2", 10, "Б")])
    plant_levels(basic_only, school, 0, 500)
    plant_levels(basic_only, other_school, 500, 0)
    assert kinds(assessment_signals(basic_only), "inverted_difficulty") == []


# Journal gap ------------------------------------------------------------------------------------------------------

# 5 points → «2» against a journal «4»: two marks apart; 12 points → «3» against «4»: one apart.


def journal_rows(ru4, gap: int, near: int, without: int = 0) -> list[tuple]:
    return totals(ru4, [5] * gap, 4) + totals(ru4, [12] * near, 4) + totals(ru4, [12] * without)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("gap", "near", "flagged"),
    [
        (9, 0, False),  # 9 with a journal mark, all two apart
        (1, 9, True),  # 10, share 10.0 %
        (2, 9, True),  # 11
        (2, 19, False),  # share 9.5 %
        (2, 18, True),  # 10.0 %
        (2, 17, True),  # 10.5 %
    ],
)
def test_journal_gap_needs_ten_journal_marks_and_ten_percent(ru4, school, gap, near, flagged):
    plant(ru4, school, journal_rows(ru4, gap, near, without=30))  # those without a journal mark do not count
    found = kinds(assessment_signals(ru4), "journal_gap")
    assert bool(found) is flagged
    if flagged:
        n = gap + near
        assert found[0].evidence == {"n": n, "gap": gap, "share": round(100 * gap / n, 1)}


# High results -----------------------------------------------------------------------------------------------------

# Two schools of 500 with one task of 24 points: the gap is (school's «4»+«5» − other's) / 10 points.


@pytest.mark.django_db
@pytest.mark.parametrize(("other_high", "flagged"), [(151, False), (150, True), (149, True)])
def test_high_results_at_twenty_five_points(campaign, school, other_school, other_high, flagged):
    one_task = make_assessment(campaign, code="R-6", grade=6, tasks=[("1", 24, "Б")])
    plant(one_task, school, totals(one_task, [20] * 400 + [5] * 100))
    plant(one_task, other_school, totals(one_task, [20] * other_high + [5] * (500 - other_high)))
    found = kinds(assessment_signals(one_task), "high_results")
    assert [s.school for s in found] == (["sch660001"] if flagged else [])
    if other_high == 150:
        assert found[0].evidence == {"school": 80.0, "municipality": 55.0}


@pytest.mark.django_db
def test_the_municipality_is_the_departments_schools(campaign, school, other_school):
    one_task = make_assessment(campaign, code="R-6", grade=6, tasks=[("1", 24, "Б")])
    plant(one_task, school, totals(one_task, [20] * 8 + [5] * 2))  # 80 %
    plant(one_task, other_school, totals(one_task, [20] * 6 + [5] * 4))  # 60 %: the municipality 70 %
    elsewhere = SchoolFactory(department=DepartmentFactory(code="uo-other"), code="sch999001")
    plant(one_task, elsewhere, totals(one_task, [5] * 100))  # would make the municipality 12.7 %
    assert assessment_signals(one_task) == []


# Stable low -------------------------------------------------------------------------------------------------------


def low_rows(ru4, share_of_2: tuple[int, int]) -> list[tuple]:
    low, n = share_of_2
    return totals(ru4, [5] * low + [12] * (n - low))


@pytest.fixture
def years(department):
    """RU-4 in the campaigns of 2023…2026 (2026 the current), with a mathematics-only campaign in between."""
    found = {}
    for year in (2023, 2024, 2025, 2026):
        campaign = make_campaign(department, code=f"VPR-{year}", window_start=datetime.date(year, 4, 20))
        found[year] = make_assessment(campaign)
    only_math = make_campaign(department, code="MA-2025", window_start=datetime.date(2025, 10, 1))
    make_assessment(only_math, code="MA-4", subject="Математика")
    return found


def plant_years(years, school, other_school, shares: dict) -> list[Signal]:
    for year, assessment in years.items():
        plant(assessment, other_school, low_rows(assessment, (0, 10)))  # every campaign has results
        if shares.get(year):
            plant(assessment, school, low_rows(assessment, shares[year]))
    return kinds(assessment_signals(years[2026], school=school), "stable_low")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("shares", "flagged"),
    [
        ({2026: (1, 2), 2025: (1, 10), 2024: (1, 10), 2023: (1, 2)}, False),  # 1 of 3 (2023 is outside)
        ({2026: (1, 4), 2025: (1, 10), 2024: (1, 2)}, True),  # 2 of 3, 25.0 % counts
        ({2026: (1, 2), 2025: (1, 2), 2024: (1, 2)}, True),  # 3 of 3
        ({2026: (8, 33), 2025: (1, 10), 2024: (1, 2)}, False),  # 24.2 % does not count
        ({2026: (1, 10), 2025: (1, 2), 2024: (1, 2)}, True),  # the two before, not the current
    ],
)
def test_stable_low_in_two_of_the_last_three_campaigns(years, school, other_school, shares, flagged):
    assert bool(plant_years(years, school, other_school, shares)) is flagged


@pytest.mark.django_db
def test_a_campaign_without_the_schools_results_does_not_count(years, school, other_school):
    # 2025 has results of other schools only: the window stays 2026, 2025, 2024, and 2023 stays outside
    found = plant_years(years, school, other_school, {2026: (1, 2), 2024: (1, 10), 2023: (1, 2)})
    assert found == []


@pytest.mark.django_db
def test_stable_low_evidence_lists_the_three_campaigns(years, school, other_school):
    found = plant_years(years, school, other_school, {2026: (1, 4), 2024: (3, 10)})
    assert found == [
        Signal(
            "stable_low",
            "sch660001",
            {
                "campaigns": [
                    {"code": "VPR-2026", "participants": 4, "share": 25.0},
                    {"code": "VPR-2025", "participants": 0, "share": None},
                    {"code": "VPR-2024", "participants": 10, "share": 30.0},
                ]
            },
        )
    ]


@pytest.mark.django_db
def test_stable_low_ignores_later_campaigns_and_other_departments(years, school, other_school):
    later = make_campaign(school.department, code="VPR-2027", window_start=datetime.date(2027, 4, 20))
    plant(make_assessment(later), school, low_rows(years[2026], (1, 2)))
    elsewhere = make_campaign(DepartmentFactory(code="uo-other"), code="VPR-X", window_start=datetime.date(2025, 12, 1))
    plant(make_assessment(elsewhere), school, low_rows(years[2026], (1, 2)))
    assert plant_years(years, school, other_school, {2026: (1, 2), 2025: (1, 10), 2024: (1, 10)}) == []


@pytest.mark.django_db
def test_stable_low_counts_only_campaigns_of_the_same_kind(years, school, other_school):
    """A trial run between two years of the ВПР is not one of «the last three campaigns» (it pushed ВПР-2025 out)."""
    trial = make_campaign(
        school.department, code="APR-2026", kind=Campaign.Kind.TRAINING, window_start=datetime.date(2026, 2, 1)
    )
    plant(make_assessment(trial), school, low_rows(years[2026], (1, 10)))
    found = plant_years(years, school, other_school, {2026: (1, 2), 2025: (1, 2), 2024: (1, 10)})
    assert [campaign["code"] for campaign in found[0].evidence["campaigns"]] == ["VPR-2026", "VPR-2025", "VPR-2024"]


# Every school, the order, the queries -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_schools_signals_by_school_code_then_kind(ru4, department):
    schools = [SchoolFactory(department=department, code=code) for code in ("sch660009", "sch660001", "sch660005")]
    plant(ru4, schools[0], totals(ru4, bunched(10, 10, 0), journal=5))  # bunching and journal gap (10 → «3»)
    plant(ru4, schools[1], totals(ru4, [12] * 20, journal=3))  # nothing
    plant(ru4, schools[2], totals(ru4, [22] * 5 + [12] * 5))  # high results (50 % against 10 %)
    found = assessment_signals(ru4)
    assert [(s.school, s.kind) for s in found] == [
        ("sch660005", "high_results"),
        ("sch660009", "boundary_bunching"),
        ("sch660009", "journal_gap"),
    ]
    assert assessment_signals(ru4, school=schools[2]) == found[:1]


@pytest.mark.django_db
def test_a_fixed_number_of_queries_for_any_number_of_schools(years, department):
    def count(n: int) -> int:
        for _ in range(n):
            school = SchoolFactory(department=department)
            for assessment in years.values():
                plant(assessment, school, totals(assessment, [5, 12, 22]))
        with CaptureQueriesContext(connection) as queries:
            assessment_signals(years[2026])
        return len(queries)

    assert count(2) == count(5)


# The command ------------------------------------------------------------------------------------------------------


def run_json(*args) -> dict:
    out = io.StringIO()
    call_command("results_figures", "--campaign", "VPR-2026", "--assessment", "RU-4", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_results_figures_lists_the_signals_with_their_evidence(ru4, school, other_school):
    plant(ru4, school, totals(ru4, bunched(10, 10, 0)))
    plant(ru4, other_school, totals(ru4, [12] * 20))
    bunching = {
        "kind": "boundary_bunching",
        "school": "sch660001",
        "evidence": {"c": 10, "up": 10, "down": 0, "p0": 0.5, "p": 0.0009766},
    }
    assert run_json("--school", "sch660001")["signals"] == [bunching]
    assert run_json("--school", "sch660002")["signals"] == []
    assert run_json()["signals"] == [bunching]
