"""Participants from the class assignment (Регламент 2.3–2.6): the refresh, exemption (R8), ОВЗ (R7), family
form, and the coordinator's pages."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from procedures.models import ClassAssignment, Participant, Seat
from procedures.services.participants import (
    codes_issue,
    participant_disability_decision,
    participant_exempt,
    participant_family_add,
    participant_unexempt,
    participants_refresh,
)
from schools.models import AuditEntry, Role, Sex
from tests.factories import (
    PupilFactory,
    SchoolClassFactory,
    make_room,
    make_sitting,
    make_sitting_room,
)


@pytest.fixture
def class_4a(school):
    return SchoolClassFactory(school=school, grade=4, letter="А")


@pytest.fixture
def class_4b(school):
    return SchoolClassFactory(school=school, grade=4, letter="Б")


@pytest.fixture
def works(assessment, math_assessment):
    return [assessment, math_assessment]


def url(name, campaign, school, **kwargs):
    return reverse(f"procedures:{name}", kwargs={"campaign_code": campaign.code, "school_code": school.code, **kwargs})


# Refresh from the class assignment ------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_pupil_of_a_writing_class_becomes_a_participant_with_a_snapshot(campaign, school, class_4a, works):
    pupil = PupilFactory(school_class=class_4a, sex=Sex.FEMALE)
    PupilFactory(school_class=SchoolClassFactory(school=school, grade=9, letter="А"))  # no grade-9 work

    summary = participants_refresh(campaign=campaign, school=school, actor=None)

    assert summary.created == 2
    rows = Participant.objects.filter(pupil=pupil)
    assert sorted(r.assessment.code for r in rows) == ["MA-4", "RU-4"]
    assert {(r.class_name, r.sex, r.school_class_id, r.campaign_id, r.status) for r in rows} == {
        ("4А", "Ж", class_4a.pk, campaign.pk, Participant.Status.WRITES)
    }


@pytest.mark.django_db
def test_the_refresh_is_idempotent(campaign, school, class_4a, works):
    PupilFactory.create_batch(3, school_class=class_4a)
    participants_refresh(campaign=campaign, school=school, actor=None)
    ids = set(Participant.objects.values_list("pk", flat=True))

    summary = participants_refresh(campaign=campaign, school=school, actor=None)

    assert (summary.created, summary.updated, summary.removed, summary.unchanged) == (0, 0, 0, 6)
    assert set(Participant.objects.values_list("pk", flat=True)) == ids
    assert AuditEntry.objects.filter(action="participants.refreshed").count() == 1


@pytest.mark.django_db
def test_only_the_classes_named_by_the_distribution_write_that_assessment(
    campaign, school, class_4a, class_4b, assessment, math_assessment
):
    PupilFactory(school_class=class_4a)
    PupilFactory(school_class=class_4b)
    ClassAssignment.objects.create(assessment=math_assessment, school_class=class_4b, school=school)

    participants_refresh(campaign=campaign, school=school, actor=None)

    assert set(Participant.objects.filter(assessment=math_assessment).values_list("class_name", flat=True)) == {"4Б"}
    assert set(Participant.objects.filter(assessment=assessment).values_list("class_name", flat=True)) == {"4А", "4Б"}


@pytest.mark.django_db
def test_a_pupil_who_moved_class_is_updated_and_one_who_left_is_removed(
    campaign, school, class_4a, class_4b, assessment
):
    mover, leaver = PupilFactory(school_class=class_4a), PupilFactory(school_class=class_4a)
    participants_refresh(campaign=campaign, school=school, actor=None)
    mover.school_class, mover.sex = class_4b, Sex.FEMALE
    mover.save()
    leaver.is_active = False
    leaver.save()

    summary = participants_refresh(campaign=campaign, school=school, actor=None)

    assert (summary.updated, summary.removed) == (1, 1)
    row = Participant.objects.get(pupil=mover)
    assert (row.class_name, row.school_class_id, row.sex) == ("4Б", class_4b.pk, "Ж")
    assert not Participant.objects.filter(pupil=leaver).exists()


@pytest.mark.django_db
def test_a_seated_participant_who_left_is_kept_for_the_coordinator_to_sort_out(campaign, school, class_4a, assessment):
    leaver = PupilFactory(school_class=class_4a)
    participants_refresh(campaign=campaign, school=school, actor=None)
    sitting = make_sitting(assessment, school, date="2026-04-21", lesson=2)
    sitting_room = make_sitting_room(sitting, make_room(school, name="12", rows=2, columns=2))
    Seat.objects.create(sitting_room=sitting_room, participant=Participant.objects.get(pupil=leaver), row=1, column=1)
    leaver.is_active = False
    leaver.save()

    summary = participants_refresh(campaign=campaign, school=school, actor=None)

    assert (summary.removed, summary.stale_kept) == (0, 1)
    assert Participant.objects.filter(pupil=leaver).exists()


@pytest.mark.django_db
def test_a_participant_whose_work_is_recorded_keeps_the_class_it_wrote_in(
    campaign, school, class_4a, class_4b, assessment
):
    pupil = PupilFactory(school_class=class_4a)
    participants_refresh(campaign=campaign, school=school, actor=None)
    Participant.objects.filter(pupil=pupil).update(variant=2)
    pupil.school_class = class_4b
    pupil.save()

    participants_refresh(campaign=campaign, school=school, actor=None)

    assert Participant.objects.get(pupil=pupil).class_name == "4А"


@pytest.mark.django_db
def test_a_closed_campaign_is_not_changed(campaign, school, class_4a, assessment):
    PupilFactory(school_class=class_4a)
    campaign.status = campaign.Status.CLOSED
    campaign.save()

    with pytest.raises(ValidationError, match="завершена"):
        participants_refresh(campaign=campaign, school=school, actor=None)
    assert not Participant.objects.exists()


# R7: ОВЗ ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_pupil_with_a_disability_gets_30_extra_minutes_automatically(campaign, school, class_4a, works):
    pupil = PupilFactory(school_class=class_4a, has_disability=True)
    other = PupilFactory(school_class=class_4a)

    participants_refresh(campaign=campaign, school=school, actor=None)

    assert {(p.has_disability, p.extra_minutes) for p in Participant.objects.filter(pupil=pupil)} == {(True, 30)}
    assert {(p.has_disability, p.extra_minutes) for p in Participant.objects.filter(pupil=other)} == {(False, 0)}
    pupil.has_disability = False
    pupil.save()
    participants_refresh(campaign=campaign, school=school, actor=None)
    assert {p.extra_minutes for p in Participant.objects.filter(pupil=pupil)} == {0}


@pytest.mark.django_db
def test_the_parents_decision_is_recorded_for_every_work_of_the_pupil(campaign, school, class_4a, works, coordinator):
    pupil = PupilFactory(school_class=class_4a, has_disability=True)
    participants_refresh(campaign=campaign, school=school, actor=None)
    participant = Participant.objects.filter(pupil=pupil).first()

    participant_disability_decision(
        participant=participant, decision="заявление матери от 01.04.2026", takes_part=True, actor=coordinator
    )

    rows = Participant.objects.filter(pupil=pupil)
    assert {(r.parents_decision, r.status, r.extra_minutes) for r in rows} == {
        ("заявление матери от 01.04.2026", Participant.Status.WRITES, 30)
    }
    assert AuditEntry.objects.filter(action="participant.parents_decision").count() == 2


@pytest.mark.django_db
def test_parents_who_decline_exempt_the_pupil_with_their_decision_as_the_document(
    campaign, school, class_4a, assessment, coordinator
):
    pupil = PupilFactory(school_class=class_4a, has_disability=True)
    participants_refresh(campaign=campaign, school=school, actor=None)
    participant = Participant.objects.get(pupil=pupil)

    participant_disability_decision(
        participant=participant, decision="заявление отца от 02.04.2026", takes_part=False, actor=coordinator
    )

    participant.refresh_from_db()
    assert participant.status == Participant.Status.EXEMPT
    assert "решение родителей" in participant.exemption_reason
    assert participant.exemption_document == "заявление отца от 02.04.2026"


@pytest.mark.django_db
def test_a_parents_decision_needs_its_text_and_a_pupil_with_ovz(campaign, school, class_4a, assessment, coordinator):
    with_ovz = PupilFactory(school_class=class_4a, has_disability=True)
    without = PupilFactory(school_class=class_4a)
    participants_refresh(campaign=campaign, school=school, actor=None)

    with pytest.raises(ValidationError, match="Запишите решение родителей"):
        participant_disability_decision(
            participant=Participant.objects.get(pupil=with_ovz), decision="  ", takes_part=True, actor=coordinator
        )
    with pytest.raises(ValidationError, match="не отмечены ОВЗ"):
        participant_disability_decision(
            participant=Participant.objects.get(pupil=without), decision="заявление", takes_part=True, actor=coordinator
        )
    assert not Participant.objects.exclude(parents_decision="").exists()


# R8: exemption -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("reason, document", [("", "справка №12"), ("болезнь", ""), ("  ", "  ")])
def test_an_exemption_without_a_reason_and_a_document_is_refused(
    campaign, school, class_4a, assessment, coordinator, reason, document
):
    PupilFactory(school_class=class_4a)
    participants_refresh(campaign=campaign, school=school, actor=None)
    participant = Participant.objects.get()

    with pytest.raises(ValidationError, match="уважительной причине, подтверждённой документально"):
        participant_exempt(participant=participant, reason=reason, document=document, actor=coordinator)

    participant.refresh_from_db()
    assert participant.status == Participant.Status.WRITES
    assert not AuditEntry.objects.filter(action="participant.exempted").exists()


@pytest.mark.django_db
def test_an_exemption_records_reason_and_document_and_can_be_withdrawn(
    campaign, school, class_4a, assessment, coordinator
):
    PupilFactory(school_class=class_4a)
    participants_refresh(campaign=campaign, school=school, actor=None)
    participant = Participant.objects.get()

    participant_exempt(
        participant=participant, reason="болезнь", document="справка №12 от 18.04.2026", actor=coordinator
    )

    participant.refresh_from_db()
    assert (participant.status, participant.exemption_reason, participant.exemption_document) == (
        Participant.Status.EXEMPT,
        "болезнь",
        "справка №12 от 18.04.2026",
    )
    entry = AuditEntry.objects.get(action="participant.exempted")
    assert entry.actor == coordinator and entry.after["exemption_document"] == "справка №12 от 18.04.2026"

    participant_unexempt(participant=participant, actor=coordinator)
    participant.refresh_from_db()
    assert participant.status == Participant.Status.WRITES and participant.exemption_reason == ""
    assert AuditEntry.objects.filter(action="participant.unexempted").exists()


@pytest.mark.django_db
def test_the_refresh_keeps_exemptions(campaign, school, class_4a, assessment, coordinator):
    PupilFactory(school_class=class_4a)
    participants_refresh(campaign=campaign, school=school, actor=None)
    participant_exempt(participant=Participant.objects.get(), reason="болезнь", document="справка", actor=coordinator)

    participants_refresh(campaign=campaign, school=school, actor=None)

    assert Participant.objects.get().status == Participant.Status.EXEMPT


# Family form (Регламент 2.5) -------------------------------------------------------------------------------


@pytest.fixture
def family_pupil(class_4a):
    return PupilFactory(school_class=class_4a, last_name="Домашнева", family_education=True)


@pytest.mark.django_db
def test_a_family_form_pupil_is_not_added_by_the_refresh(campaign, school, class_4a, assessment, family_pupil):
    PupilFactory(school_class=class_4a)

    participants_refresh(campaign=campaign, school=school, actor=None)

    assert Participant.objects.count() == 1
    assert not Participant.objects.filter(pupil=family_pupil).exists()


@pytest.mark.django_db
def test_a_family_form_pupil_joins_by_agreement_with_the_department(
    campaign, school, class_4a, works, family_pupil, coordinator
):
    with pytest.raises(ValidationError, match="согласование с управлением"):
        participant_family_add(
            campaign=campaign, school=school, pupil=family_pupil, assessments=works, agreement="", actor=coordinator
        )
    assert not Participant.objects.exists()

    rows = participant_family_add(
        campaign=campaign,
        school=school,
        pupil=family_pupil,
        assessments=works[:1],
        agreement="письмо УО №01-15/210 от 25.03.2026",
        actor=coordinator,
    )

    assert [(r.family_form, r.family_agreement, r.assessment.code) for r in rows] == [
        (True, "письмо УО №01-15/210 от 25.03.2026", "RU-4")
    ]
    participants_refresh(campaign=campaign, school=school, actor=None)
    assert Participant.objects.filter(pupil=family_pupil).count() == 1, "the refresh keeps the agreed participation"
    codes_issue(campaign=campaign, school=school, actor=None)
    assert Participant.objects.get(pupil=family_pupil).code == "10001"
    assert AuditEntry.objects.filter(action="participants.family_added").exists()


@pytest.mark.django_db
def test_only_a_family_form_pupil_of_the_school_for_a_work_of_their_grade_is_added(
    campaign, school, other_school, class_4a, assessment, coordinator, family_pupil
):
    from tests.factories import make_assessment

    grade5 = make_assessment(campaign, code="RU-5", grade=5)
    ordinary = PupilFactory(school_class=class_4a)

    with pytest.raises(ValidationError) as refused:
        participant_family_add(
            campaign=campaign,
            school=school,
            pupil=ordinary,
            assessments=[grade5],
            agreement="письмо",
            actor=coordinator,
        )

    assert "не на семейной форме" in str(refused.value) and "RU-5" in str(refused.value)
    assert not Participant.objects.exists()


# Pages ----------------------------------------------------------------------------------------------------------


@pytest.fixture
def filled(campaign, school, class_4a, class_4b, works):
    for name in ("Синицына", "Воробьёв", "Чижов"):
        PupilFactory(school_class=class_4a, last_name=name)
    PupilFactory(school_class=class_4b, last_name="Щеглова", has_disability=True)
    codes_issue(campaign=campaign, school=school, actor=None)


@pytest.mark.django_db
def test_the_coordinator_sees_participants_with_names_codes_and_counts(client, campaign, school, filled, coordinator):
    client.force_login(coordinator)

    page = client.get(url("participants", campaign, school)).content.decode()

    assert "Синицына" in page and "10001" in page
    assert "Найдено участий: 8." in page
    assert "нет решения родителей" in page  # Щеглова's ОВЗ without the parents' decision


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params, expected, absent",
    [
        ({"q": "синиц"}, "Синицына", "Чижов"),
        ({"q": "10101"}, "Щеглова", "Синицына"),
        ({"assessment": "MA-4", "status": "ovz"}, "Щеглова", "Чижов"),
    ],
)
def test_the_list_is_searched_by_name_or_code_and_filtered(
    client, campaign, school, filled, coordinator, params, expected, absent
):
    client.force_login(coordinator)

    page = client.get(url("participants", campaign, school), params).content.decode()

    assert expected in page and absent not in page


@pytest.mark.django_db
def test_the_list_filters_by_class_and_is_paginated(client, campaign, school, filled, class_4b, coordinator):
    PupilFactory.create_batch(30, school_class=class_4b)
    codes_issue(campaign=campaign, school=school, actor=None)
    client.force_login(coordinator)

    first = client.get(url("participants", campaign, school), {"class_id": class_4b.pk}).content.decode()
    second = client.get(url("participants", campaign, school), {"class_id": class_4b.pk, "page": 2}).content.decode()

    assert "Найдено участий: 62." in first and "Синицына" not in first
    assert "страница 2 из 2" in second


@pytest.mark.django_db
def test_the_list_does_not_grow_in_queries_with_the_participants(
    client, campaign, school, class_4a, works, coordinator
):
    client.force_login(coordinator)
    counts = []
    for size in (3, 40):
        PupilFactory.create_batch(size, school_class=class_4a)
        codes_issue(campaign=campaign, school=school, actor=None)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("participants", campaign, school)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_the_coordinator_exempts_from_the_page_only_with_a_document(client, campaign, school, filled, coordinator):
    participant = Participant.objects.filter(pupil__last_name="Чижов").first()
    client.force_login(coordinator)
    exempt = url("participant_exempt", campaign, school, pk=participant.pk)

    refused = client.post(exempt, {"reason": "болезнь", "document": ""})

    assert refused.status_code == 400 and "Обязательное поле" in refused.content.decode()
    participant.refresh_from_db()
    assert participant.status == Participant.Status.WRITES

    response = client.post(exempt, {"reason": "болезнь", "document": "справка №3"}, follow=True)

    assert "Освобождение оформлено" in response.content.decode()
    participant.refresh_from_db()
    assert participant.status == Participant.Status.EXEMPT


@pytest.mark.django_db
def test_the_coordinator_records_the_parents_decision_from_the_page(client, campaign, school, filled, coordinator):
    participant = Participant.objects.filter(pupil__last_name="Щеглова").first()
    client.force_login(coordinator)

    response = client.post(
        url("participant_disability", campaign, school, pk=participant.pk),
        {"takes_part": "yes", "decision": "заявление от 03.04.2026", "all_works": "on"},
        follow=True,
    )

    assert "Решение родителей записано" in response.content.decode()
    assert set(Participant.objects.filter(pupil=participant.pupil).values_list("parents_decision", flat=True)) == {
        "заявление от 03.04.2026"
    }


@pytest.mark.django_db
def test_the_director_reads_but_does_not_change_participants(client, campaign, school, filled, role_users):
    participant = Participant.objects.filter(pupil__last_name="Чижов").first()
    client.force_login(role_users[Role.DIRECTOR])

    page = client.get(url("participant_detail", campaign, school, pk=participant.pk)).content.decode()
    response = client.post(
        url("participant_exempt", campaign, school, pk=participant.pk), {"reason": "x", "document": "y"}
    )

    assert "Чижов" in page and "Освободить от этой работы" not in page
    assert response.status_code == 403
    participant.refresh_from_db()
    assert participant.status == Participant.Status.WRITES


@pytest.mark.django_db
def test_the_refresh_button_adds_new_pupils(client, campaign, school, filled, class_4a, coordinator):
    PupilFactory(school_class=class_4a, last_name="Новикова")
    client.force_login(coordinator)

    response = client.post(url("participants_refresh", campaign, school), follow=True)

    assert "добавлено 2" in response.content.decode()
    assert Participant.objects.filter(pupil__last_name="Новикова").count() == 2


@pytest.mark.django_db
def test_a_family_form_pupil_is_added_from_the_page(client, campaign, school, class_4a, works, coordinator):
    pupil = PupilFactory(school_class=class_4a, last_name="Домашнева", family_education=True)
    client.force_login(coordinator)
    page = url("participants_family", campaign, school)

    assert "Домашнева" in client.get(page).content.decode()
    refused = client.post(page, {"pupil": pupil.pk, "assessments": ["RU-4"], "agreement": ""})
    assert refused.status_code == 200 and not Participant.objects.exists()

    client.post(page, {"pupil": pupil.pk, "assessments": ["RU-4", "MA-4"], "agreement": "письмо №5"})

    assert Participant.objects.filter(pupil=pupil, family_form=True, family_agreement="письмо №5").count() == 2


@pytest.mark.django_db
def test_a_participant_of_another_school_is_404_under_ones_own(
    client, campaign, school, other_school, filled, coordinator
):
    PupilFactory(school_class=SchoolClassFactory(school=other_school, grade=4, letter="А"))
    codes_issue(campaign=campaign, school=other_school, actor=None)
    foreign = Participant.objects.filter(school=other_school).first()
    client.force_login(coordinator)

    assert client.get(url("participant_detail", campaign, school, pk=foreign.pk)).status_code == 404
