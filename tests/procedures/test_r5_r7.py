"""R5 for every duty of the ВПР at a school (Регламент 6.7) and R7: pupils with ОВЗ write only by the parents'
recorded decision (Регламент 2.4, 2.6)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from procedures.models import Appointment
from procedures.services.staffing import expert_appoint, organizer_appoint, school_duty_appoint
from schools.models import AuditEntry, DeclaredRelative, Relation
from tests.factories import PupilFactory, make_sitting, make_sitting_room

from .test_staffing import build_classes, build_room, build_staff, make_participants

DUTIES = [Appointment.Duty.COORDINATOR, Appointment.Duty.TECHNICAL]


@pytest.fixture
def classes(school):
    return build_classes(school)


@pytest.fixture
def staff(school, classes):
    return build_staff(school, classes)


@pytest.fixture
def parent_of_4b(assessment, classes, staff):
    """Липина's son writes RU-4 in 4Б."""
    (son,) = make_participants(assessment, classes["4Б"], 1)
    DeclaredRelative.objects.create(staff=staff["Липина"], pupil=son.pupil, relation=Relation.PARENT)
    return staff["Липина"]


# R5: the school coordinator and the technical specialist ----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("duty", DUTIES)
def test_a_parent_of_a_participant_is_refused_as_coordinator_and_as_technical_specialist(
    campaign, school, parent_of_4b, coordinator, duty
):
    with pytest.raises(ValidationError) as refused:
        school_duty_appoint(campaign=campaign, school=school, staff=parent_of_4b, duty=duty, actor=coordinator)

    message = " ".join(refused.value.messages)
    assert "Липина Елена Сергеевна" in message and "близкий родственник (класс 4Б" in message
    assert "«Русский язык, 4 кл.»" in message and "Регламент 6.7" in message
    assert not Appointment.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="appointment.").exists()


@pytest.mark.django_db
def test_a_relative_counts_for_the_coordinator_before_participants_exist(
    campaign, school, assessment, classes, staff, coordinator
):
    DeclaredRelative.objects.create(
        staff=staff["Кедров"], pupil=PupilFactory(school_class=classes["4А"]), relation=Relation.GRANDPARENT
    )

    with pytest.raises(ValidationError, match="Регламент 6.7"):
        school_duty_appoint(
            campaign=campaign, school=school, staff=staff["Кедров"], duty=Appointment.Duty.TECHNICAL, actor=coordinator
        )


@pytest.mark.django_db
def test_a_conflicted_person_does_not_replace_the_appointed_coordinator(
    campaign, school, parent_of_4b, staff, coordinator
):
    school_duty_appoint(
        campaign=campaign, school=school, staff=staff["Дубова"], duty=Appointment.Duty.COORDINATOR, actor=coordinator
    )

    with pytest.raises(ValidationError):
        school_duty_appoint(
            campaign=campaign, school=school, staff=parent_of_4b, duty=Appointment.Duty.COORDINATOR, actor=coordinator
        )

    assert Appointment.objects.get(duty=Appointment.Duty.COORDINATOR).staff == staff["Дубова"]


@pytest.mark.django_db
def test_a_relative_in_a_class_that_writes_nothing_does_not_matter(
    campaign, school, assessment, classes, staff, coordinator
):
    DeclaredRelative.objects.create(
        staff=staff["Кедров"], pupil=PupilFactory(school_class=classes["7А"]), relation=Relation.PARENT
    )

    appointment = school_duty_appoint(
        campaign=campaign, school=school, staff=staff["Кедров"], duty=Appointment.Duty.COORDINATOR, actor=coordinator
    )

    assert appointment.staff == staff["Кедров"]


@pytest.mark.django_db
def test_every_duty_refuses_the_same_parent_for_the_same_reason(
    campaign, school, assessment, parent_of_4b, coordinator
):
    sitting = make_sitting(assessment, school, date=campaign.window_start, lesson=2)
    sitting_room = make_sitting_room(sitting, build_room(school, "Кабинет 12"))
    attempts = [
        lambda: organizer_appoint(sitting_room=sitting_room, staff=parent_of_4b, actor=coordinator),
        lambda: expert_appoint(assessment=assessment, school=school, staff=parent_of_4b, actor=coordinator),
        *(
            lambda duty=duty: school_duty_appoint(
                campaign=campaign, school=school, staff=parent_of_4b, duty=duty, actor=coordinator
            )
            for duty in DUTIES
        ),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="Регламент 6.7"):
            attempt()
    assert not Appointment.objects.exists()


@pytest.mark.django_db
def test_the_staffing_page_warns_about_a_coordinator_whose_relative_was_declared_later(
    client, campaign, school, assessment, classes, staff, coordinator
):
    school_duty_appoint(
        campaign=campaign, school=school, staff=staff["Липина"], duty=Appointment.Duty.COORDINATOR, actor=coordinator
    )
    (son,) = make_participants(assessment, classes["4Б"], 1)
    DeclaredRelative.objects.create(staff=staff["Липина"], pupil=son.pupil, relation=Relation.PARENT)
    client.force_login(coordinator)

    response = client.get(reverse("procedures:staffing", args=[campaign.code, school.code]))

    html = response.content.decode()
    assert 'data-testid="duty-conflict"' in html and "Липина Елена Сергеевна" in html
    assert 'data-testid="duty-refused"' in html


# R7: a pupil with ОВЗ writes only once the parents' decision is recorded -----------------------------------------


@pytest.fixture
def ovz_class(school, campaign, assessment, math_assessment):
    """4А: two pupils without ОВЗ, Щеглова with ОВЗ (no decision yet)."""
    from tests.factories import SchoolClassFactory

    school_class = SchoolClassFactory(school=school, grade=4, letter="А")
    for name in ("Артемьев", "Белкин"):
        PupilFactory(school_class=school_class, last_name=name)
    PupilFactory(school_class=school_class, last_name="Щеглова", first_name="Мария", has_disability=True)
    return school_class


def run_command(*args) -> tuple[int, str, str]:
    import io

    from django.core.management import call_command

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


def shcheglova_participations():
    from procedures.models import Participant

    return Participant.objects.filter(pupil__last_name="Щеглова")


@pytest.mark.django_db
def test_a_pupil_with_ovz_without_the_parents_decision_gets_no_code(campaign, school, ovz_class):
    from procedures.models import ParticipantCode
    from procedures.services.participants import codes_issue

    summary = codes_issue(campaign=campaign, school=school, actor=None)

    assert (summary.issued, summary.awaiting_decision) == (2, 1)
    assert not ParticipantCode.objects.filter(pupil__last_name="Щеглова").exists()
    assert set(shcheglova_participations().values_list("code", flat=True)) == {""}


@pytest.mark.django_db
def test_once_the_decision_is_recorded_the_pupil_gets_a_code_on_every_work(campaign, school, ovz_class, coordinator):
    from procedures.services.participants import codes_issue, participant_disability_decision

    codes_issue(campaign=campaign, school=school, actor=None)
    participant_disability_decision(
        participant=shcheglova_participations().first(),
        decision="заявление от 01.03.2026 № 12",
        takes_part=True,
        actor=coordinator,
    )

    summary = codes_issue(campaign=campaign, school=school, actor=None)

    assert (summary.issued, summary.kept, summary.awaiting_decision) == (1, 2, 0)
    codes = set(shcheglova_participations().values_list("code", flat=True))
    assert len(codes) == 1 and "" not in codes
    assert set(shcheglova_participations().values_list("extra_minutes", flat=True)) == {30}


@pytest.mark.django_db
def test_a_decision_for_one_work_only_gives_the_code_to_that_work(campaign, school, ovz_class, assessment, coordinator):
    from procedures.services.participants import codes_issue, participant_disability_decision, participants_refresh

    participants_refresh(campaign=campaign, school=school, actor=None)
    participant_disability_decision(
        participant=shcheglova_participations().get(assessment=assessment),
        decision="заявление № 12",
        takes_part=True,
        actor=coordinator,
        all_works=False,
    )

    codes_issue(campaign=campaign, school=school, actor=None)

    by_work = dict(shcheglova_participations().values_list("assessment__code", "code"))
    assert by_work["RU-4"] != "" and by_work["MA-4"] == ""


@pytest.mark.django_db
def test_issue_codes_says_how_many_were_skipped_and_why(campaign, school, ovz_class):
    code, out, err = run_command("issue_codes", "--campaign", campaign.code, "--school", school.code)

    assert (code, err) == (0, "")
    assert "выдано кодов 2" in out
    assert "не записано решение родителей" in out and "(Регламент 2.4): 1." in out
    assert "Щеглова" not in out


@pytest.mark.django_db
def test_only_pupils_awaiting_a_decision_issue_nothing_and_say_why(campaign, school, assessment, math_assessment):
    from tests.factories import SchoolClassFactory

    PupilFactory(school_class=SchoolClassFactory(school=school, grade=4, letter="А"), has_disability=True)

    code, out, _err = run_command("issue_codes", "--campaign", campaign.code, "--school", school.code)

    assert code == 0 and "выдано кодов 0" in out and "(Регламент 2.4): 1." in out


@pytest.mark.django_db
def test_the_browser_action_warns_about_the_skipped_pupils(client, campaign, school, ovz_class, coordinator):
    from procedures.services.participants import participants_refresh

    participants_refresh(campaign=campaign, school=school, actor=None)
    client.force_login(coordinator)
    url = reverse("procedures:participants_codes", args=[campaign.code, school.code])

    confirm = client.get(url).content.decode()
    assert "Будет выдано новых кодов: 2" in confirm
    assert 'data-testid="pending-decisions"' in confirm and "Щеглова Мария" in confirm

    response = client.post(url, follow=True)

    page = response.content.decode()
    assert "выдано новых 2" in page and "(Регламент 2.4): 1." in page


@pytest.mark.django_db
def test_the_checklist_and_participants_page_show_the_missing_decisions(
    client, campaign, school, ovz_class, coordinator
):
    from procedures.services.participants import participants_refresh

    participants_refresh(campaign=campaign, school=school, actor=None)
    client.force_login(coordinator)

    checklist = client.get(reverse("procedures:checklist", args=[school.code])).content.decode()
    participants = client.get(reverse("procedures:participants", args=[campaign.code, school.code])).content.decode()

    for page in (checklist, participants):
        assert 'data-testid="pending-decisions"' in page
        assert "Не записано решение родителей об участии обучающегося с ОВЗ: 1." in page
        assert "Щеглова Мария" in page and "Русский язык, 4 кл." in page


@pytest.mark.django_db
def test_the_missing_decisions_are_not_shown_outside_the_school(client, campaign, school, other_school, ovz_class):
    from procedures.selectors.participants import pending_parents_decisions
    from procedures.services.participants import participants_refresh
    from schools.models import Role
    from tests.factories import user_with_role

    participants_refresh(campaign=campaign, school=school, actor=None)
    stranger = user_with_role(Role.SCHOOL_COORDINATOR, school=other_school, username="coord-other")
    department = user_with_role(Role.DEPARTMENT_STAFF, department=school.department, username="uo-r7")

    for user in (stranger, department):
        assert pending_parents_decisions(user=user, campaign=campaign, school=school) == []
    client.force_login(stranger)
    assert client.get(reverse("procedures:checklist", args=[school.code])).status_code == 404
