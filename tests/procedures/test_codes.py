"""Participant codes (R6, Регламент 6.5.1): one five-digit code per pupil for the whole campaign,
unique in the school and campaign, in consecutive blocks per class; `issue_codes` as docs/commands.md says."""

import datetime
import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from procedures.models import ClassAssignment, Participant, ParticipantCode, Stage
from procedures.services.participants import _Blocks, codes_issue, participant_exempt, participants_refresh
from procedures.services.plan import plan_statuses
from schools.models import AuditEntry, Role
from tests.factories import DepartmentFactory, PupilFactory, SchoolClassFactory, SchoolFactory

ROOT = Path(__file__).resolve().parents[2]


def run(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def classes(school):
    """4А with three pupils, 4Б with two (names chosen so the alphabetical order is clear)."""
    a = SchoolClassFactory(school=school, grade=4, letter="А")
    b = SchoolClassFactory(school=school, grade=4, letter="Б")
    for name in ("Воробьёва", "Артемьев", "Белкин"):
        PupilFactory(school_class=a, last_name=name)
    for name in ("Гусев", "Дроздова"):
        PupilFactory(school_class=b, last_name=name)
    return a, b


@pytest.fixture
def works(campaign, assessment, math_assessment):
    return [assessment, math_assessment]


def codes_of(campaign, school) -> dict[str, str]:
    """Last name → code."""
    return dict(
        ParticipantCode.objects.filter(campaign=campaign, school=school).values_list("pupil__last_name", "code")
    )


# R6 ----------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_pupil_gets_one_five_digit_code_for_every_assessment(campaign, school, classes, works):
    summary = codes_issue(campaign=campaign, school=school, actor=None)

    assert (summary.issued, summary.kept, summary.participations) == (5, 0, 10)
    codes = ParticipantCode.objects.filter(campaign=campaign, school=school)
    assert codes.count() == 5
    assert all(len(c.code) == 5 and c.code.isdigit() for c in codes)
    assert len({c.code for c in codes}) == 5
    for code in codes:
        participations = Participant.objects.filter(campaign=campaign, pupil=code.pupil)
        assert sorted(p.assessment.code for p in participations) == ["MA-4", "RU-4"]
        assert {p.code for p in participations} == {code.code}, "one code for every assessment"


@pytest.mark.django_db
def test_codes_come_in_consecutive_blocks_per_class_in_alphabetical_order(campaign, school, classes, works):
    codes_issue(campaign=campaign, school=school, actor=None)

    assert codes_of(campaign, school) == {
        "Артемьев": "10001",
        "Белкин": "10002",
        "Воробьёва": "10003",
        "Гусев": "10101",
        "Дроздова": "10102",
    }
    assert set(ParticipantCode.objects.filter(code__startswith="100").values_list("class_name", flat=True)) == {"4А"}


@pytest.mark.django_db
def test_a_second_run_issues_nothing_and_changes_no_code(campaign, school, classes, works):
    codes_issue(campaign=campaign, school=school, actor=None)
    before = codes_of(campaign, school)
    audits = AuditEntry.objects.filter(action="participants.codes_issued").count()

    summary = codes_issue(campaign=campaign, school=school, actor=None)

    assert (summary.issued, summary.kept) == (0, 5)
    assert codes_of(campaign, school) == before
    assert AuditEntry.objects.filter(action="participants.codes_issued").count() == audits


@pytest.mark.django_db
def test_pupils_added_later_get_the_next_code_of_their_class_and_nobody_elses_changes(campaign, school, classes, works):
    a, _b = classes
    codes_issue(campaign=campaign, school=school, actor=None)
    before = codes_of(campaign, school)
    PupilFactory(school_class=a, last_name="Аистова")  # alphabetically first, still gets the next code
    new_class = SchoolClassFactory(school=school, grade=4, letter="В")
    PupilFactory(school_class=new_class, last_name="Ежов")

    summary = codes_issue(campaign=campaign, school=school, actor=None)

    after = codes_of(campaign, school)
    assert summary.issued == 2
    assert {name: after[name] for name in before} == before
    assert after["Аистова"] == "10004"
    assert after["Ежов"] == "10201", "a new class takes the next unused hundred"


def test_a_class_whose_block_is_full_continues_after_every_block_in_use():
    blocks = _Blocks([("10098", "4А"), ("10099", "4А"), ("10101", "4Б"), ("10201", "5А")])

    assert blocks.next_code("4А") == "10301"
    assert blocks.next_code("4А") == "10302"
    assert blocks.next_code("4Б") == "10102"
    assert blocks.next_code("6А") == "10401"


@pytest.mark.django_db
def test_a_pupil_who_left_keeps_the_code_reserved(campaign, school, classes, works):
    a, _b = classes
    codes_issue(campaign=campaign, school=school, actor=None)
    leaver = a.pupils.get(last_name="Воробьёва")  # 10003, the last of 4А
    leaver.is_active = False
    leaver.save()
    PupilFactory(school_class=a, last_name="Жаворонков")

    codes_issue(campaign=campaign, school=school, actor=None)

    assert not Participant.objects.filter(pupil=leaver).exists()
    assert ParticipantCode.objects.get(pupil=leaver).code == "10003"
    assert codes_of(campaign, school)["Жаворонков"] == "10004"


@pytest.mark.django_db
def test_a_pupil_who_changes_class_keeps_the_code(campaign, school, classes, works):
    a, b = classes
    codes_issue(campaign=campaign, school=school, actor=None)
    mover = a.pupils.get(last_name="Белкин")
    mover.school_class = b
    mover.save()

    codes_issue(campaign=campaign, school=school, actor=None)

    assert {p.code for p in Participant.objects.filter(pupil=mover)} == {"10002"}
    assert {p.class_name for p in Participant.objects.filter(pupil=mover)} == {"4Б"}


@pytest.mark.django_db
def test_a_pupil_exempt_from_every_assessment_gets_no_code(campaign, school, classes, works, coordinator):
    a, _b = classes
    pupil = a.pupils.get(last_name="Белкин")
    codes_issue(campaign=campaign, school=school, actor=None)
    ParticipantCode.objects.all().delete()
    Participant.objects.update(code="")
    for participant in Participant.objects.filter(pupil=pupil):
        participant_exempt(participant=participant, reason="болезнь", document="справка №1", actor=coordinator)

    codes_issue(campaign=campaign, school=school, actor=None)

    assert not ParticipantCode.objects.filter(pupil=pupil).exists()
    assert ParticipantCode.objects.count() == 4


@pytest.mark.django_db
def test_codes_are_unique_in_the_school_and_may_repeat_in_another(campaign, school, other_school, classes, works):
    PupilFactory(school_class=SchoolClassFactory(school=other_school, grade=4, letter="А"))

    codes_issue(campaign=campaign, school=school, actor=None)
    codes_issue(campaign=campaign, school=other_school, actor=None)

    assert ParticipantCode.objects.get(school=other_school).code == "10001"
    assert ParticipantCode.objects.filter(school=school, code="10001").exists()


@pytest.mark.django_db
def test_only_the_classes_the_assignment_names_get_codes(campaign, school, classes, works):
    a, b = classes
    for assessment in works:
        ClassAssignment.objects.create(assessment=assessment, school_class=b, school=school)

    codes_issue(campaign=campaign, school=school, actor=None)

    assert set(ParticipantCode.objects.values_list("class_name", flat=True)) == {"4Б"}
    assert ParticipantCode.objects.get(pupil__last_name="Гусев").code == "10001"


@pytest.mark.django_db
def test_issuing_codes_is_audited_with_the_range(campaign, school, classes, works, coordinator):
    codes_issue(campaign=campaign, school=school, actor=coordinator)

    entry = AuditEntry.objects.get(action="participants.codes_issued")
    assert entry.actor == coordinator and entry.school == school
    assert entry.after["issued"] == 5 and (entry.after["first"], entry.after["last"]) == ("10001", "10102")


# issue_codes (docs/commands.md) ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_issue_codes_prints_one_summary_line_and_exits_0(campaign, school, classes, works):
    code, out, err = run("issue_codes", "--campaign", campaign.code, "--school", school.code)

    assert (code, err) == (0, "")
    assert out.strip().count("\n") == 0
    assert out.strip() == (
        "sch660001, VPR-2026: выдано кодов 5, сохранено прежних 0; участников с кодом 5, участий в работах 10."
    )
    code, out, _err = run("issue_codes", "--campaign", campaign.code, "--school", school.code)
    assert code == 0 and "выдано кодов 0, сохранено прежних 5" in out


@pytest.mark.django_db
@pytest.mark.parametrize(
    "campaign_code, school_code, messages",
    [
        ("VPR-1999", "sch660001", ["кампания с кодом «VPR-1999» не найдена"]),
        ("VPR-2026", "sch000000", ["школа с кодом «sch000000» не найдена"]),
        ("VPR-1999", "sch000000", ["кампания с кодом «VPR-1999» не найдена", "школа с кодом «sch000000» не найдена"]),
    ],
)
def test_unknown_campaign_or_school_is_refused_with_exit_1_and_nothing_written(
    campaign, school, classes, works, campaign_code, school_code, messages
):
    code, out, err = run("issue_codes", "--campaign", campaign_code, "--school", school_code)

    assert (code, out) == (1, "")
    assert err.strip().splitlines() == messages
    assert not Participant.objects.exists() and not ParticipantCode.objects.exists()


@pytest.mark.django_db
def test_a_school_of_another_municipality_is_refused(campaign, classes, works):
    stranger = SchoolFactory(department=DepartmentFactory(code="uo-other"), code="sch770001")
    PupilFactory(school_class=SchoolClassFactory(school=stranger, grade=4, letter="А"))

    code, _out, err = run("issue_codes", "--campaign", campaign.code, "--school", stranger.code)

    assert code == 1 and "не относится к управлению" in err
    assert not ParticipantCode.objects.exists()


@pytest.mark.django_db
def test_a_school_where_nobody_writes_is_refused(campaign, school, works):
    SchoolClassFactory(school=school, grade=9, letter="А")

    code, _out, err = run("issue_codes", "--campaign", campaign.code, "--school", school.code)

    assert code == 1 and "нет обучающихся, которые пишут работы кампании" in err
    assert not Participant.objects.exists()


def test_wrong_arguments_exit_with_2():
    result = subprocess.run(
        [sys.executable, "manage.py", "issue_codes", "--campaign", "VPR-2026"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--school" in result.stderr


# From the browser --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_coordinator_confirms_then_issues_codes_from_the_browser(
    client, campaign, school, classes, works, coordinator
):
    client.force_login(coordinator)
    url = reverse("procedures:participants_codes", kwargs={"campaign_code": campaign.code, "school_code": school.code})

    page = client.get(url).content.decode()
    assert "Будет выдано новых кодов: 5" in page
    assert not ParticipantCode.objects.exists(), "the confirmation page writes nothing"

    response = client.post(url, follow=True)

    assert "выдано новых 5, сохранено прежних 0" in response.content.decode()
    assert ParticipantCode.objects.count() == 5


@pytest.mark.django_db
def test_the_director_reads_but_cannot_issue_codes(client, campaign, school, classes, works, role_users):
    client.force_login(role_users[Role.DIRECTOR])
    url = reverse("procedures:participants_codes", kwargs={"campaign_code": campaign.code, "school_code": school.code})

    assert client.post(url).status_code == 403
    assert not ParticipantCode.objects.exists()


# The plan-graph stage «Выдать коды участников» --------------------------------------------------------------


def codes_stage(campaign):
    return Stage.objects.create(
        campaign=campaign,
        kind=Stage.Kind.CODES_ISSUED,
        title="Выдать коды участников",
        deadline=datetime.datetime(2026, 4, 17, 13, 0, tzinfo=datetime.UTC),
    )


@pytest.mark.django_db
def test_codes_stage_is_done_when_every_pupil_who_writes_has_a_code(campaign, school, other_school, classes, works):
    stage = codes_stage(campaign)
    PupilFactory(school_class=SchoolClassFactory(school=other_school, grade=4, letter="А"))

    def status(s):
        return plan_statuses(campaign=campaign, stages=[stage], schools=[school, other_school])[(stage.pk, s.pk)]

    assert not status(school).done
    codes_issue(campaign=campaign, school=school, actor=None)
    assert status(school).done and not status(other_school).done
    assert status(school).done_at == ParticipantCode.objects.filter(school=school).latest("issued_at").issued_at

    PupilFactory(school_class=classes[0], last_name="Новенький")
    assert not status(school).done, "a pupil who joined the class still needs a code"


@pytest.mark.django_db
def test_codes_stage_ignores_exempt_pupils_and_is_not_done_where_nobody_writes(
    campaign, school, other_school, classes, works, coordinator
):
    stage = codes_stage(campaign)
    codes_issue(campaign=campaign, school=school, actor=None)
    late = PupilFactory(school_class=classes[0], last_name="Новенький")
    participants_refresh(campaign=campaign, school=school, actor=None)
    for participant in Participant.objects.filter(pupil=late):
        participant_exempt(participant=participant, reason="болезнь", document="справка №7", actor=coordinator)

    statuses = plan_statuses(campaign=campaign, stages=[stage], schools=[school, other_school])

    assert statuses[(stage.pk, school.pk)].done
    assert not statuses[(stage.pk, other_school.pk)].done
    assert not statuses[(stage.pk, school.pk)].manual


@pytest.mark.django_db
def test_the_checklist_links_the_codes_stage_to_the_participants(client, campaign, school, coordinator):
    codes_stage(campaign)
    client.force_login(coordinator)

    page = client.get(reverse("procedures:checklist", kwargs={"school_code": school.code})).content.decode()

    url = reverse("procedures:participants", kwargs={"campaign_code": campaign.code, "school_code": school.code})
    assert f'href="{url}"' in page


def test_five_digit_codes_run_out_only_after_900_blocks():
    blocks = _Blocks([("99901", "11Я")])

    with pytest.raises(ValidationError):
        blocks.next_code("4А")


@pytest.mark.django_db
def test_a_pupil_record_moved_to_another_school_keeps_its_one_campaign_code(
    campaign, school, other_school, classes, works
):
    a, _b = classes
    codes_issue(campaign=campaign, school=school, actor=None)
    mover = a.pupils.get(last_name="Белкин")
    new_class = SchoolClassFactory(school=other_school, grade=4, letter="А")
    PupilFactory(school_class=new_class, last_name="Ласточкина")
    mover.school, mover.school_class = other_school, new_class
    mover.save()

    first = codes_issue(campaign=campaign, school=other_school, actor=None)  # the old school has not refreshed yet
    assert first.issued == 1 and not Participant.objects.filter(school=other_school, pupil=mover).exists()

    codes_issue(campaign=campaign, school=school, actor=None)
    code, out, _err = run("issue_codes", "--campaign", campaign.code, "--school", other_school.code)

    assert code == 0 and "без кода, потому что код выдан в другой школе: 1" in out
    assert ParticipantCode.objects.get(pupil=mover).school == school, "one code per pupil and campaign (R6)"
    assert list(ParticipantCode.objects.filter(school=other_school).values_list("pupil__last_name", flat=True)) == [
        "Ласточкина"
    ]
