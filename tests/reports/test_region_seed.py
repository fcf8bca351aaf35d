"""`seed_demo --scale region --schools N` (docs/commands.md): a fictitious region for the benchmarks, built once,
with campaigns over several springs whose figures come out of the same commands as the demo's, and its planted
patterns flagged."""

import io
import json

import pytest
from django.core.management import call_command

from grading.models import Score, Work
from procedures.models import Campaign, Participant, ParticipantCode, Stage
from procedures.services.participants import codes_issued
from reports.demo.campaigns import finished_springs, spring_of_current_year
from reports.demo.region import DEPARTMENT, USERNAME, campaign_code
from reports.demo.registry import BOYS, GIRLS, SURNAMES, surname_for
from schools.models import Membership, Pupil, Role, School, Sex


def run(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def region(db):
    code, out, err = run("seed_demo", "--scale", "region", "--schools", "3")
    assert code == 0, err
    return out


@pytest.mark.django_db
def test_the_region_holds_its_schools_pupils_and_four_springs(region):
    schools = School.objects.filter(department__code=DEPARTMENT["code"]).order_by("code")
    assert [s.code for s in schools] == ["sch770001", "sch770002", "sch770003"]
    pupils = Pupil.objects.filter(school__in=schools)
    assert 3 * 11 * 5 <= pupils.count() <= 3 * 11 * 4 * 31
    assert set(pupils.values_list("school_class__grade", flat=True)) == set(range(1, 12))
    springs = [*finished_springs(), spring_of_current_year()]
    campaigns = {c.code: c for c in Campaign.objects.filter(department__code=DEPARTMENT["code"])}
    assert sorted(campaigns) == [campaign_code(spring) for spring in springs]
    assert [campaigns[campaign_code(s)].status for s in springs] == ["closed", "closed", "closed", "active"]
    assert campaigns[campaign_code(springs[-1])].stages.filter(kind=Stage.Kind.CODES_ISSUED).exists()
    # every present participant's work is scored in full, one score per task; the coming spring has no results
    for spring in springs:
        campaign = campaigns[campaign_code(spring)]
        works = Work.objects.filter(assessment__campaign=campaign)
        expected = sum(
            Work.objects.filter(assessment=a, participant__absent=False).count() * a.tasks.count()
            for a in campaign.assessments.all()
        )
        assert Score.objects.filter(work__assessment__campaign=campaign).count() == expected
        if spring == springs[-1]:
            assert not works.exists()
        else:
            assert works.exists()
            assert not works.filter(participant__absent=False, is_complete=False).exists()
            writing = Participant.objects.filter(campaign=campaign, status=Participant.Status.WRITES)
            assert works.count() == writing.count()
    user = Membership.objects.get(user__username=USERNAME)
    assert user.role == Role.DEPARTMENT_STAFF and user.department.code == DEPARTMENT["code"]
    assert "школ 3" in region


@pytest.mark.django_db
def test_pupils_are_fictitious_and_each_writer_has_one_code_per_campaign(region):
    male_surnames = set(SURNAMES)
    female_surnames = {surname_for(s, Sex.FEMALE) for s in SURNAMES}
    for last, first, sex in Pupil.objects.values_list("last_name", "first_name", "sex"):
        assert last in (male_surnames if sex == Sex.MALE else female_surnames)
        assert first in (BOYS if sex == Sex.MALE else GIRLS)
    campaign = Campaign.objects.get(code=campaign_code(spring_of_current_year()))
    for pupil_id, codes in _codes_by_pupil(campaign).items():
        assert len(codes) == 1, f"pupil {pupil_id} has {codes}"
        assert ParticipantCode.objects.get(campaign=campaign, pupil_id=pupil_id).code in codes
    schools = list(School.objects.filter(department__code=DEPARTMENT["code"]))
    assert set(codes_issued(campaign, schools)) == {s.pk for s in schools}


def _codes_by_pupil(campaign) -> dict[int, set[str]]:
    codes: dict[int, set[str]] = {}
    for pupil_id, code in Participant.objects.filter(campaign=campaign, status="writes").values_list(
        "pupil_id", "code"
    ):
        codes.setdefault(pupil_id, set()).add(code)
    return codes


@pytest.mark.django_db
def test_a_second_run_writes_nothing(region):
    counts = (Pupil.objects.count(), Participant.objects.count(), Score.objects.count(), Campaign.objects.count())

    code, out, _err = run("seed_demo", "--scale", "region", "--schools", "3")

    assert code == 0 and "ничего не записано" in out
    assert (Pupil.objects.count(), Participant.objects.count(), Score.objects.count(), Campaign.objects.count()) == (
        counts
    )


@pytest.mark.django_db
def test_the_planted_patterns_are_flagged_by_results_figures(region):
    last = campaign_code(finished_springs()[-1])

    _code, out, _err = run("results_figures", "--campaign", last, "--assessment", "RU-4", "--json")
    russian = json.loads(out)
    _code, out, _err = run("results_figures", "--campaign", last, "--assessment", "RU-6", "--json")
    high = json.loads(out)

    assert {"kind": "boundary_bunching", "school": "sch770002"}.items() <= russian["signals"][0].items()
    assert any(s["kind"] == "high_results" and s["school"] == "sch770003" for s in high["signals"])
    assert (
        russian["participants"]
        == Participant.objects.filter(
            campaign__code=last, assessment__code="RU-4", status="writes", absent=False
        ).count()
    )


@pytest.mark.django_db
def test_schools_without_the_region_scale_is_a_wrong_argument(db):
    code, _out, err = run("seed_demo", "--schools", "3")

    assert code == 2 and "--scale region" in err
    assert not School.objects.exists()
