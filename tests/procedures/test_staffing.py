"""Staffing under the conflict rules: organizers (R1, R2, R5), experts (R3, R5), the school coordinator and the
technical specialist; every refusal names the person and the rule, every appointment is audited."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from procedures.models import Appointment, ScheduleEntry, SchoolSchedule, Sitting
from procedures.selectors.rooms import expert_refusals, organizer_refusals
from procedures.services.seating import lesson_start, sitting_room_release, sitting_seat
from procedures.services.staffing import (
    appointment_remove,
    expert_appoint,
    organizer_appoint,
    school_duty_appoint,
)
from schools.models import AuditEntry, DeclaredRelative, Relation, Subject
from tests import factories
from tests.factories import (
    PupilFactory,
    SchoolClassFactory,
    StaffFactory,
    StaffSubjectFactory,
    SubjectFactory,
    TeachingLoadFactory,
    make_assessment,
    make_participant,
    make_room,
    make_sitting_room,
)

YEAR = 2025  # the academic year of the 2026 campaign
DAY = datetime.date(2026, 4, 21)


# The school: 4А and 4Б write Russian (RU-4) on 21 April, 2nd lesson; a seventh grade writes maths later ---------


def build_classes(school) -> dict:
    return {
        name: SchoolClassFactory(school=school, academic_year=YEAR, grade=int(name[:-1]), letter=name[-1])
        for name in ("4А", "4Б", "7А")
    }


@pytest.fixture
def classes(school):
    return build_classes(school)


@pytest.fixture
def russian(assessment):
    return assessment


def make_participants(assessment, school_class, n, *, start=0):
    """`n` pupils of the class writing the assessment, with codes (created directly: participants are another
    part's work)."""
    pupils = PupilFactory.create_batch(n, school_class=school_class)
    return [
        make_participant(
            assessment,
            pupil,
            school=school_class.school,
            school_class=school_class,
            class_name=school_class.name,
            sex=pupil.sex,
            code=f"{school_class.grade}{'АБВГ'.index(school_class.letter)}{start + i:03d}",
        )
        for i, pupil in enumerate(pupils)
    ]


def schedule(campaign, school, assessment, classes, *, day=DAY, lesson=2):
    plan, _created = SchoolSchedule.objects.get_or_create(
        campaign=campaign, school=school, defaults={"status": SchoolSchedule.Status.APPROVED}
    )
    for school_class in classes:
        ScheduleEntry.objects.create(
            schedule=plan, assessment=assessment, school_class=school_class, date=day, lesson=lesson
        )


def make_sitting(campaign, school, assessment, *, day=DAY, lesson=2):
    return factories.make_sitting(
        assessment,
        school,
        date=day,
        lesson=lesson,
        starts_at=lesson_start(school=school, date=day, lesson=lesson),
    )


def build_sitting(campaign, school, assessment, classes):
    """RU-4 of 4А and 4Б on 21 April, 2nd lesson."""
    schedule(campaign, school, assessment, [classes["4А"], classes["4Б"]])
    return make_sitting(campaign, school, assessment)


def build_room(school, name, rows=4, columns=4):
    return make_room(school, name=name, rows=rows, columns=columns)


@pytest.fixture
def sitting(campaign, school, russian, classes):
    return build_sitting(campaign, school, russian, classes)


@pytest.fixture
def room_12(school):
    return build_room(school, "Кабинет 12")


@pytest.fixture
def room_14(school):
    return build_room(school, "Кабинет 14")


@pytest.fixture
def sitting_room(sitting, room_12):
    return make_sitting_room(sitting, room_12)


def build_staff(school, classes) -> dict:
    """Who's who: the class teacher of 4А and of 4Б (primary), a Russian teacher of 7А, a history teacher of 7А,
    a PE teacher and a technology teacher with no fourth-grade classes, a deputy head, a parent of a 4Б pupil."""
    subjects = {
        name: SubjectFactory(name=name)
        for name in ("Русский язык", "Математика", "Технология", Subject.PRIMARY, "История", "Физическая культура")
    }
    people = {
        "Берёзкина": StaffFactory(
            school=school, last_name="Берёзкина", first_name="Анна", position="учитель начальных классов"
        ),
        "Рябинина": StaffFactory(
            school=school, last_name="Рябинина", first_name="Ольга", position="учитель начальных классов"
        ),
        "Осинова": StaffFactory(
            school=school, last_name="Осинова", first_name="Лидия", position="учитель русского языка"
        ),
        "Ольхова": StaffFactory(school=school, last_name="Ольхова", first_name="Нина", position="учитель истории"),
        "Кедров": StaffFactory(
            school=school,
            last_name="Кедров",
            first_name="Павел",
            middle_name="Андреевич",
            position="учитель физкультуры",
        ),
        "Клёнова": StaffFactory(school=school, last_name="Клёнова", first_name="Вера", position="учитель технологии"),
        "Дубова": StaffFactory(
            school=school,
            last_name="Дубова",
            first_name="Ирина",
            position="заместитель директора",
            is_administration=True,
        ),
        "Липина": StaffFactory(school=school, last_name="Липина", first_name="Елена", position="учитель музыки"),
    }
    TeachingLoadFactory(staff=people["Берёзкина"], school_class=classes["4А"], subject=subjects[Subject.PRIMARY])
    TeachingLoadFactory(staff=people["Рябинина"], school_class=classes["4Б"], subject=subjects[Subject.PRIMARY])
    TeachingLoadFactory(staff=people["Осинова"], school_class=classes["7А"], subject=subjects["Русский язык"])
    TeachingLoadFactory(staff=people["Ольхова"], school_class=classes["7А"], subject=subjects["История"])
    TeachingLoadFactory(staff=people["Кедров"], school_class=classes["7А"], subject=subjects["Физическая культура"])
    TeachingLoadFactory(staff=people["Клёнова"], school_class=classes["7А"], subject=subjects["Технология"])
    StaffSubjectFactory(staff=people["Берёзкина"], subject=subjects[Subject.PRIMARY], experience_years=12)
    StaffSubjectFactory(staff=people["Рябинина"], subject=subjects[Subject.PRIMARY], experience_years=2)
    StaffSubjectFactory(staff=people["Осинова"], subject=subjects["Русский язык"], experience_years=3)
    StaffSubjectFactory(staff=people["Клёнова"], subject=subjects["Технология"], experience_years=20)
    return people


@pytest.fixture
def staff(school, classes):
    return build_staff(school, classes)


@pytest.fixture
def participants(russian, classes):
    return make_participants(russian, classes["4А"], 6) + make_participants(russian, classes["4Б"], 5)


@pytest.fixture
def parent_of_4b(staff, participants):
    """Липина's son writes RU-4 in 4Б (R5)."""
    pupil = next(p.pupil for p in participants if p.class_name == "4Б")
    DeclaredRelative.objects.create(staff=staff["Липина"], pupil=pupil, relation=Relation.PARENT)
    return staff["Липина"]


# R1: an organizer does not teach the room's classes nor the subject --------------------------------------------


@pytest.mark.django_db
def test_a_teacher_of_4a_is_refused_as_organizer_in_4as_room(sitting_room, staff, participants, coordinator):
    teacher = staff["Берёзкина"]

    with pytest.raises(ValidationError) as refused:
        organizer_appoint(sitting_room=sitting_room, staff=teacher, actor=coordinator)

    message = " ".join(refused.value.messages)
    assert "Берёзкина Анна Сергеевна преподаёт в классе 4А" in message
    assert "Регламент 4.3.3" in message
    assert not Appointment.objects.filter(staff=teacher).exists()


@pytest.mark.django_db
def test_a_teacher_of_the_subject_is_refused_even_without_the_rooms_classes(sitting_room, staff, coordinator):
    with pytest.raises(ValidationError) as refused:
        organizer_appoint(sitting_room=sitting_room, staff=staff["Осинова"], actor=coordinator)

    assert "ведёт предмет «Русский язык»" in " ".join(refused.value.messages)


@pytest.mark.django_db
def test_for_a_primary_work_a_primary_teacher_of_another_class_teaches_the_subject(
    sitting_room, russian, classes, staff, coordinator
):
    """Only 4А is seated in the room. Рябинина (4Б) does not teach 4А, but for a grade-4 work «Начальные классы»
    is the subject."""
    make_participants(russian, classes["4А"], 6)
    sitting_seat(sitting=sitting_room.sitting, actor=coordinator)
    assert {s.participant.class_name for s in sitting_room.seats.select_related("participant")} == {"4А"}

    reasons = organizer_refusals(sitting_room=sitting_room, staff=[staff["Рябинина"]])[staff["Рябинина"].pk]

    assert len(reasons) == 1 and "ведёт «Начальные классы»" in reasons[0]


@pytest.mark.django_db
def test_a_teacher_of_another_grade_and_subject_is_appointed_and_audited(sitting_room, staff, coordinator):
    appointment = organizer_appoint(sitting_room=sitting_room, staff=staff["Кедров"], actor=coordinator)

    assert appointment.duty == Appointment.Duty.ORGANIZER and appointment.sitting_room == sitting_room
    assert appointment.school == sitting_room.sitting.school and appointment.campaign == sitting_room.sitting.campaign
    entry = AuditEntry.objects.get(action="appointment.created")
    assert entry.actor == coordinator and "Кедров" in entry.after["staff"]


@pytest.mark.django_db
def test_before_seating_every_class_of_the_sitting_counts_as_the_rooms(sitting_room, staff):
    refusals = organizer_refusals(sitting_room=sitting_room, staff=[staff["Рябинина"], staff["Кедров"]])

    assert any("4Б" in r for r in refusals[staff["Рябинина"].pk])
    assert refusals[staff["Кедров"].pk] == []


@pytest.mark.django_db
def test_one_person_is_not_an_organizer_in_two_rooms_at_once(sitting, room_12, room_14, staff, coordinator):
    first = make_sitting_room(sitting, room_12)
    second = make_sitting_room(sitting, room_14)
    organizer_appoint(sitting_room=first, staff=staff["Кедров"], actor=coordinator)

    with pytest.raises(ValidationError, match="в это же время организатор в аудитории «Кабинет 12»"):
        organizer_appoint(sitting_room=second, staff=staff["Кедров"], actor=coordinator)


@pytest.mark.django_db
def test_staff_of_another_school_is_refused(sitting_room, other_school, coordinator):
    stranger = StaffFactory(school=other_school, last_name="Чужова")

    with pytest.raises(ValidationError, match="Чужова .* не работает в этой школе"):
        organizer_appoint(sitting_room=sitting_room, staff=stranger, actor=coordinator)


# R5: a relative among the participants keeps one out of conducting and checking ------------------------------


@pytest.mark.django_db
def test_a_parent_of_a_participant_is_refused_as_organizer_and_as_expert(
    sitting_room, russian, school, parent_of_4b, coordinator
):
    with pytest.raises(ValidationError) as as_organizer:
        organizer_appoint(sitting_room=sitting_room, staff=parent_of_4b, actor=coordinator)
    with pytest.raises(ValidationError) as as_expert:
        expert_appoint(assessment=russian, school=school, staff=parent_of_4b, actor=coordinator)

    for refused in (as_organizer, as_expert):
        message = " ".join(refused.value.messages)
        assert "Липина Елена Сергеевна" in message and "близкий родственник (класс 4Б)" in message
        assert "Регламент 6.7" in message
    assert not Appointment.objects.exists()


@pytest.mark.django_db
def test_a_relative_counts_before_participants_exist_through_the_class_assignment(
    sitting_room, classes, staff, coordinator
):
    pupil = PupilFactory(school_class=classes["4Б"])
    DeclaredRelative.objects.create(staff=staff["Кедров"], pupil=pupil, relation=Relation.GRANDPARENT)

    with pytest.raises(ValidationError, match="Регламент 6.7"):
        organizer_appoint(sitting_room=sitting_room, staff=staff["Кедров"], actor=coordinator)


@pytest.mark.django_db
def test_a_relative_writing_another_assessment_does_not_matter(sitting_room, campaign, classes, staff, coordinator):
    maths_7 = make_assessment(campaign, code="MA-7", subject="Математика", grade=7)
    (seventh_grader,) = make_participants(maths_7, classes["7А"], 1)
    DeclaredRelative.objects.create(staff=staff["Кедров"], pupil=seventh_grader.pupil, relation=Relation.PARENT)

    assert organizer_appoint(sitting_room=sitting_room, staff=staff["Кедров"], actor=coordinator)


# R3: experts ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, eligible",
    [
        ("Дубова", True),  # administration
        ("Берёзкина", True),  # 12 years in primary classes, a grade-4 work
        ("Осинова", True),  # 3 years in Russian
        ("Рябинина", False),  # 2 years in primary classes
        ("Клёнова", False),  # 20 years, but in technology
        ("Кедров", False),  # no subject experience at all
    ],
)
def test_expert_eligibility_follows_regulation_7_3(russian, school, staff, coordinator, name, eligible):
    person = staff[name]
    if eligible:
        appointment = expert_appoint(assessment=russian, school=school, staff=person, actor=coordinator)
        assert appointment.assessment == russian and appointment.duty == Appointment.Duty.EXPERT
        assert AuditEntry.objects.filter(action="appointment.created", target_id=str(appointment.pk)).exists()
    else:
        with pytest.raises(ValidationError) as refused:
            expert_appoint(assessment=russian, school=school, staff=person, actor=coordinator)
        message = " ".join(refused.value.messages)
        assert person.full_name in message and "не менее 3 лет" in message and "Регламент 7.3" in message


@pytest.mark.django_db
def test_primary_experience_does_not_count_for_a_seventh_grade_work(campaign, school, staff):
    maths_7 = make_assessment(campaign, code="MA-7", subject="Математика", grade=7)

    reasons = expert_refusals(assessment=maths_7, school=school, staff=[staff["Берёзкина"]])[staff["Берёзкина"].pk]

    assert reasons and "«Математика»" in reasons[0] and "начальных классах" not in reasons[0]


@pytest.mark.django_db
def test_an_expert_is_appointed_once_per_assessment(russian, school, staff, coordinator):
    expert_appoint(assessment=russian, school=school, staff=staff["Дубова"], actor=coordinator)

    with pytest.raises(ValidationError, match="уже эксперт"):
        expert_appoint(assessment=russian, school=school, staff=staff["Дубова"], actor=coordinator)


# The school coordinator and the technical specialist: one each ------------------------------------------------


@pytest.mark.django_db
def test_appointing_another_coordinator_replaces_the_first(campaign, school, staff, coordinator):
    first = school_duty_appoint(
        campaign=campaign, school=school, staff=staff["Дубова"], duty=Appointment.Duty.COORDINATOR, actor=coordinator
    )
    school_duty_appoint(
        campaign=campaign, school=school, staff=staff["Клёнова"], duty=Appointment.Duty.TECHNICAL, actor=coordinator
    )
    second = school_duty_appoint(
        campaign=campaign, school=school, staff=staff["Осинова"], duty=Appointment.Duty.COORDINATOR, actor=coordinator
    )

    assert second.pk == first.pk
    duties = dict(Appointment.objects.filter(campaign=campaign, school=school).values_list("duty", "staff__last_name"))
    assert duties == {Appointment.Duty.COORDINATOR: "Осинова", Appointment.Duty.TECHNICAL: "Клёнова"}
    replaced = AuditEntry.objects.get(action="appointment.replaced")
    assert "Дубова" in replaced.before["staff"] and "Осинова" in replaced.after["staff"]


# R2: two organizers in every room ------------------------------------------------------------------------------


@pytest.fixture
def two_organizers(sitting_room, staff, coordinator):
    return [
        organizer_appoint(sitting_room=sitting_room, staff=staff[name], actor=coordinator)
        for name in ("Кедров", "Клёнова")
    ]


@pytest.mark.django_db
def test_the_lists_are_not_released_to_a_room_with_one_organizer(sitting_room, staff, participants, coordinator):
    sitting_seat(sitting=sitting_room.sitting, actor=coordinator)
    organizer_appoint(sitting_room=sitting_room, staff=staff["Кедров"], actor=coordinator)

    with pytest.raises(ValidationError, match="организаторов: 1. Нужно не менее двух"):
        sitting_room_release(sitting_room=sitting_room, actor=coordinator)
    sitting_room.refresh_from_db()
    assert sitting_room.released_at is None


@pytest.mark.django_db
def test_after_release_an_organizer_is_not_removed_below_two(
    sitting_room, two_organizers, staff, participants, coordinator
):
    sitting_seat(sitting=sitting_room.sitting, actor=coordinator)
    sitting_room_release(sitting_room=sitting_room, actor=coordinator)

    with pytest.raises(ValidationError) as refused:
        appointment_remove(appointment=two_organizers[0], actor=coordinator)
    assert "не менее двух организаторов (Регламент 6.4.6)" in refused.value.messages[0]
    assert "Кедров" in refused.value.messages[0]

    # with a third organizer appointed first, one of them may go
    organizer_appoint(sitting_room=sitting_room, staff=staff["Ольхова"], actor=coordinator)
    appointment_remove(appointment=two_organizers[0], actor=coordinator)
    assert sitting_room.organizers.count() == 2
    assert AuditEntry.objects.filter(action="appointment.removed").count() == 1


@pytest.mark.django_db
def test_before_release_organizers_are_removed_freely(sitting_room, two_organizers, coordinator):
    appointment_remove(appointment=two_organizers[0], actor=coordinator)

    assert sitting_room.organizers.count() == 1


@pytest.mark.django_db
def test_the_room_page_warns_while_the_room_has_fewer_than_two_organizers(
    client, sitting_room, staff, coordinator, campaign, school
):
    organizer_appoint(sitting_room=sitting_room, staff=staff["Кедров"], actor=coordinator)
    client.force_login(coordinator)
    url = reverse(
        "procedures:sitting_room",
        kwargs={"campaign_code": campaign.code, "school_code": school.code, "pk": sitting_room.pk},
    )

    assert "Организаторов в аудитории: 1. Нужно не менее двух (Регламент 6.4.6)." in client.get(url).content.decode()
    organizer_appoint(sitting_room=sitting_room, staff=staff["Клёнова"], actor=coordinator)
    assert "Нужно не менее двух" not in client.get(url).content.decode()


@pytest.mark.django_db
def test_a_release_is_refused_when_an_appointed_organizer_has_since_become_conflicted(
    sitting_room, two_organizers, staff, participants, coordinator
):
    """Relatives are declared after the appointment: the release re-reads R5."""
    sitting_seat(sitting=sitting_room.sitting, actor=coordinator)
    DeclaredRelative.objects.create(staff=staff["Кедров"], pupil=participants[0].pupil, relation=Relation.SIBLING)

    with pytest.raises(ValidationError, match="Кедров Павел Андреевич: среди участников"):
        sitting_room_release(sitting_room=sitting_room, actor=coordinator)


# Through the pages ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_coordinator_sees_why_a_teacher_of_4a_is_refused(
    client, sitting_room, staff, campaign, school, coordinator
):
    client.force_login(coordinator)
    kwargs = {"campaign_code": campaign.code, "school_code": school.code, "pk": sitting_room.pk}

    response = client.post(
        reverse("procedures:organizer_add", kwargs=kwargs), {"staff": staff["Берёзкина"].pk}, follow=True
    )

    page = response.content.decode()
    assert "Берёзкина Анна Сергеевна преподаёт в классе 4А" in page
    assert not sitting_room.organizers.exists()


@pytest.mark.django_db
def test_the_staffing_page_lists_who_may_not_be_an_expert_and_why(
    client, classes, russian, staff, campaign, school, coordinator
):
    client.force_login(coordinator)

    response = client.get(
        reverse("procedures:staffing", kwargs={"campaign_code": campaign.code, "school_code": school.code})
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Рябинина Ольга Сергеевна не может быть экспертом работы" in page
    assert "Дубова Ирина Сергеевна не может" not in page


@pytest.mark.django_db
def test_the_coordinator_appoints_an_expert_and_the_technical_specialist_through_the_page(
    client, classes, russian, staff, campaign, school, coordinator
):
    client.force_login(coordinator)
    kwargs = {"campaign_code": campaign.code, "school_code": school.code}

    client.post(
        reverse("procedures:expert_appoint", kwargs=kwargs), {"assessment": russian.pk, "staff": staff["Осинова"].pk}
    )
    client.post(
        reverse("procedures:school_duty_appoint", kwargs=kwargs),
        {"duty": Appointment.Duty.TECHNICAL, "staff": staff["Клёнова"].pk},
    )
    refused = client.post(
        reverse("procedures:expert_appoint", kwargs=kwargs),
        {"assessment": russian.pk, "staff": staff["Кедров"].pk},
        follow=True,
    ).content.decode()

    assert set(Appointment.objects.values_list("duty", "staff__last_name")) == {
        (Appointment.Duty.EXPERT, "Осинова"),
        (Appointment.Duty.TECHNICAL, "Клёнова"),
    }
    assert "Кедров Павел Андреевич не может быть экспертом" in refused


@pytest.mark.django_db
def test_the_director_reads_the_staffing_but_may_not_appoint(client, role_users, classes, staff, campaign, school):
    from schools.models import Role

    client.force_login(role_users[Role.DIRECTOR])
    kwargs = {"campaign_code": campaign.code, "school_code": school.code}

    assert client.get(reverse("procedures:staffing", kwargs=kwargs)).status_code == 200
    response = client.post(
        reverse("procedures:school_duty_appoint", kwargs=kwargs),
        {"duty": Appointment.Duty.COORDINATOR, "staff": staff["Дубова"].pk},
    )
    assert response.status_code == 403
    assert not Appointment.objects.exists()


def test_release_due_is_ten_minutes_before_the_start():
    from procedures.selectors.rooms import release_due

    sitting = Sitting(starts_at=datetime.datetime(2026, 4, 21, 9, 25, tzinfo=datetime.UTC))
    assert release_due(sitting) == datetime.datetime(2026, 4, 21, 9, 15, tzinfo=datetime.UTC)
    assert release_due(Sitting(starts_at=None)) is None
    assert timezone.is_aware(release_due(sitting))
