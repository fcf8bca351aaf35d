"""Marker agreement (monitoring/agreement.py, docs/recheck.md): exact, adjacent, mean difference and
quadratic-weighted κ against hand-computed values (a 2×2 case, a perfect case, a constant case), per original
expert and per task, over the works with a final result only; the cards by name, never by a figure (R15); a fixed
number of queries."""

from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from monitoring.agreement import marker_agreement, signed_round, weighted_kappa
from monitoring.models import RecheckWork
from tests.factories import SchoolFactory, StaffFactory, make_assessment, make_campaign
from tests.monitoring.recheck_plant import commission_expert, plant_recheck, recheck_of

pytestmark = pytest.mark.django_db

TASKS = [("1", 3), ("2", 3)]
SCALE = {"3": 2, "4": 4, "5": 6}  # 2–3 → «3», 4–5 → «4», 6 → «5»

# (original points, final points): marks 3→3, 3→4, 4→4, 4→4
TWO_BY_TWO = [((1, 1), (1, 1)), ((2, 1), (2, 2)), ((2, 2), (3, 1)), ((3, 2), (3, 2))]


@pytest.fixture
def setting():
    campaign = make_campaign()
    assessment = make_assessment(campaign, tasks=TASKS, scale=SCALE)
    school = SchoolFactory(department=campaign.department)
    return campaign, assessment, school


def test_weighted_kappa_by_hand():
    # observed (3,3)=1, (3,4)=1, (4,4)=2; rows 2, 2; columns 1, 3: Σ w o = 1/4 / 9, Σ w e = 8/16 / 9 → 1 − 0.5
    assert weighted_kappa([(3, 3), (3, 4), (4, 4), (4, 4)]) == Fraction(1, 2)
    assert weighted_kappa([(2, 2), (3, 3), (5, 5)]) == 1
    assert weighted_kappa([(4, 4), (4, 4)]) is None  # no variance: undefined
    assert weighted_kappa([]) is None
    # complete reversal of two marks three apart: κ = 1 − (2 · 9) / (9 + 9) · … = −1
    assert weighted_kappa([(2, 5), (5, 2)]) == -1


def test_signed_round_is_half_away_from_zero():
    assert signed_round(Fraction(-1, 4)) == -0.3
    assert signed_round(Fraction(1, 4)) == 0.3
    assert signed_round(Fraction(-1, 5)) == -0.2
    assert signed_round(None) is None


def test_two_by_two_case(setting):
    campaign, assessment, school = setting
    expert = StaffFactory(school=school, last_name="Петрова")
    plant_recheck(assessment, school, TWO_BY_TWO, expert=expert)
    agreement = marker_agreement(RecheckWork.objects.all())
    assert agreement.works == 4
    (card,) = agreement.experts
    assert (card.name, card.school_code, card.works, card.pairs) == (expert.full_name, school.code, 4, 8)
    assert card.exact == 62.5  # 5 of 8 task scores equal
    assert card.adjacent == 100.0
    assert card.mean_difference == -0.3  # (0 − 1 + 0 + 0) / 4 = −0.25, half away from zero
    assert card.kappa == 0.5
    assert card.changed_marks == 1
    first, second = card.tasks
    assert (first.label, first.n, first.exact, first.adjacent, first.mean_difference) == ("1", 4, 75.0, 100.0, -0.3)
    assert (second.label, second.n, second.exact, second.adjacent, second.mean_difference) == ("2", 4, 50.0, 100.0, 0.0)
    assert agreement.overall.kappa == 0.5


def test_perfect_case(setting):
    _campaign, assessment, school = setting
    rows = [((1, 1), (1, 1)), ((2, 2), (2, 2)), ((3, 3), (3, 3))]  # marks 3, 4, 5
    plant_recheck(assessment, school, rows, expert=StaffFactory(school=school))
    (card,) = marker_agreement(RecheckWork.objects.all()).experts
    assert (card.exact, card.adjacent, card.mean_difference, card.kappa) == (100.0, 100.0, 0.0, 1.0)


def test_constant_case_has_no_kappa(setting):
    _campaign, assessment, school = setting
    rows = [((3, 1), (1, 3)), ((3, 2), (2, 2)), ((2, 3), (2, 3))]  # every mark «4» in both
    plant_recheck(assessment, school, rows, expert=StaffFactory(school=school))
    (card,) = marker_agreement(RecheckWork.objects.all()).experts
    assert card.kappa is None
    assert card.exact == 50.0  # 3 of 6
    assert card.adjacent == 66.7  # 4 of 6
    assert card.mean_difference == 0.3  # (0 + 1 + 0) / 3


def test_third_expert_scores_are_final_and_unfinished_works_left_out(setting):
    _campaign, assessment, school = setting
    expert = StaffFactory(school=school)
    # the first round says (3, 3); the third expert decided (1, 1), equal to the original
    plant_recheck(assessment, school, [((1, 1), (3, 3))], expert=expert, third={0: (1, 1)})
    plant_recheck(
        assessment, school, [((1, 1), (3, 3))], expert=expert, status=RecheckWork.Status.ADJUDICATION
    )  # not final: not counted
    (card,) = marker_agreement(RecheckWork.objects.all()).experts
    assert (card.works, card.pairs, card.exact, card.mean_difference) == (1, 2, 100.0, 0.0)


def test_cards_by_name_never_by_agreement(setting):
    _campaign, assessment, school = setting
    good = StaffFactory(school=school, last_name="Яковлева")
    poor = StaffFactory(school=school, last_name="Абрамова")
    recheck = recheck_of(assessment.campaign)
    member = commission_expert(recheck)
    plant_recheck(assessment, school, [((1, 1), (1, 1)), ((3, 3), (3, 3))], expert=good, member=member)
    plant_recheck(assessment, school, [((1, 1), (3, 3)), ((3, 3), (1, 1))], expert=poor, member=member)
    plant_recheck(assessment, school, [((2, 2), (2, 2))], member=member)  # no original expert recorded
    agreement = marker_agreement(RecheckWork.objects.all())
    assert [card.name.split(" ")[0] for card in agreement.experts] == ["Абрамова", "Яковлева", ""]
    assert agreement.experts[0].exact == 0.0 and agreement.experts[1].exact == 100.0
    assert agreement.experts[0].kappa == -1.0
    assert agreement.overall.works == 5
    # a list of works gives the same figures as the queryset
    listed = marker_agreement(list(RecheckWork.objects.all()))
    assert listed.experts == agreement.experts


def test_fixed_number_of_queries(setting):
    _campaign, assessment, school = setting
    for _n in range(3):
        plant_recheck(assessment, school, TWO_BY_TWO, expert=StaffFactory(school=SchoolFactory()))
    with CaptureQueriesContext(connection) as few:
        marker_agreement(RecheckWork.objects.all())
    for _n in range(3):
        plant_recheck(assessment, school, TWO_BY_TWO, expert=StaffFactory(school=SchoolFactory()))
    with CaptureQueriesContext(connection) as more:
        marker_agreement(RecheckWork.objects.all())
    assert len(few) == len(more) <= 5


def test_nothing_final_gives_empty_agreement(setting):
    assert marker_agreement(RecheckWork.objects.all()).experts == []
