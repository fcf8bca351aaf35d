"""R5 for every duty of the ВПР at a school (Регламент 6.7) and R7: pupils with ОВЗ write only by the parents'
recorded decision (Регламент 2.4, 2.6)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from procedures.models import Appointment, Sitting, SittingRoom
from procedures.services.staffing import expert_appoint, organizer_appoint, school_duty_appoint
from schools.models import AuditEntry, DeclaredRelative, Relation
from tests.factories import PupilFactory

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
    sitting = Sitting.objects.create(
        campaign=campaign, school=school, assessment=assessment, date=campaign.window_start, lesson=2
    )
    sitting_room = SittingRoom.objects.create(sitting=sitting, room=build_room(school, "Кабинет 12"))
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
