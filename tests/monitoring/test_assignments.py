"""Assignments of observers and representatives: the conflicts that refuse them (R5, the workplace), the recorded
lottery, the school's list of who comes and its placing, and the person's own schedule."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from monitoring.assignments import (
    assign,
    assignment_conflicts,
    assignment_for,
    lottery_auto_assign,
    lottery_draw,
    lottery_reproduces,
    lottery_sample,
    person_assignments,
)
from monitoring.models import AssignmentLottery, ObservationAssignment, Person, PersonRelative, Stage
from procedures.models import ClassAssignment
from schools.models import AuditEntry, Notification, Relation, Role
from tests.factories import (
    SchoolClassFactory,
    StaffFactory,
    make_assessment,
    make_campaign,
    make_sitting,
    make_sitting_room,
    user_with_role,
)
from tests.factories_observation import make_person

DAY = datetime.date(2026, 4, 21)


@pytest.fixture
def campaign(department):
    return make_campaign(department)


@pytest.fixture
def ru4(campaign):
    return make_assessment(campaign, code="RU-4", grade=4)


@pytest.fixture
def sitting(ru4, school):
    return make_sitting(ru4, school, date=DAY, lesson=2)


@pytest.fixture
def observer(department):
    return make_person(department, last_name="Зорина", first_name="Анна", organisation="Общественная палата")


@pytest.mark.django_db
def test_an_observer_with_a_relative_in_a_class_writing_the_work_is_refused_with_the_reason(
    observer, sitting, school, department_user
):
    class_4a = SchoolClassFactory(school=school, grade=4, letter="А")
    PersonRelative.objects.create(person=observer, school=school, school_class=class_4a, relation=Relation.PARENT)

    reasons = assignment_conflicts(observer, sitting)
    assert len(reasons) == 1 and "4А" in reasons[0] and "6.7" in reasons[0]
    with pytest.raises(ValidationError) as refused:
        assign(person=observer, sitting=sitting, stage=Stage.CONDUCT, actor=department_user)
    assert "близкий родственник" in " ".join(refused.value.messages)
    assert not ObservationAssignment.objects.exists()
    assert not AuditEntry.objects.filter(action="observation.assigned").exists()


@pytest.mark.django_db
def test_a_relative_in_a_class_not_writing_the_work_is_no_conflict(observer, sitting, school, ru4, department_user):
    class_4a = SchoolClassFactory(school=school, grade=4, letter="А")
    class_4b = SchoolClassFactory(school=school, grade=4, letter="Б")
    class_5a = SchoolClassFactory(school=school, grade=5, letter="А")
    # the department's distribution: only 4А writes RU-4 here
    ClassAssignment.objects.create(assessment=ru4, school_class=class_4a, school=school)
    PersonRelative.objects.create(person=observer, school=school, school_class=class_4b, relation=Relation.SIBLING)
    PersonRelative.objects.create(person=observer, school=school, school_class=class_5a, relation=Relation.PARENT)

    assert assignment_conflicts(observer, sitting) == []
    assignment = assign(person=observer, sitting=sitting, stage=Stage.CONDUCT, actor=department_user)
    assert assignment.pk and AuditEntry.objects.filter(action="observation.assigned").count() == 1


@pytest.mark.django_db
def test_a_relative_declared_in_the_school_without_a_class_conflicts_with_any_of_its_works(observer, sitting, school):
    PersonRelative.objects.create(person=observer, school=school, relation=Relation.GRANDPARENT)
    assert "среди обучающихся школы" in assignment_conflicts(observer, sitting)[0]


@pytest.mark.django_db
def test_a_relative_in_another_school_is_no_conflict(observer, sitting, other_school):
    PersonRelative.objects.create(person=observer, school=other_school, relation=Relation.PARENT)
    assert assignment_conflicts(observer, sitting) == []


@pytest.mark.django_db
def test_a_person_working_at_the_school_is_refused(department, sitting, school, other_school, department_user):
    by_registry = make_person(department, workplace_school=school)
    by_staff = make_person(department, last_name="Клёнова")
    StaffFactory(school=school, user=by_staff.user)
    elsewhere = make_person(department, workplace_school=other_school)

    assert "работает в СШ №1" in assignment_conflicts(by_registry, sitting)[0]
    assert "работает" in assignment_conflicts(by_staff, sitting)[0]
    assert assignment_conflicts(elsewhere, sitting) == []
    for person in (by_registry, by_staff):
        with pytest.raises(ValidationError):
            assign(person=person, sitting=sitting, stage=Stage.CONDUCT, actor=department_user)
    assert not ObservationAssignment.objects.exists()


@pytest.mark.django_db
def test_the_department_page_refuses_in_russian_and_writes_nothing(client, department_user, observer, sitting):
    observer.workplace_school = sitting.school
    observer.save()
    client.force_login(department_user)
    response = client.post(
        reverse("monitoring:observation_assign"),
        {"sitting": sitting.pk, "person": observer.pk, "stage": Stage.CONDUCT},
        follow=True,
    )
    assert (
        "Направить нельзя" in response.content.decode()
        and "наблюдать в своей школе нельзя" in response.content.decode()
    )
    assert not ObservationAssignment.objects.exists()


@pytest.mark.django_db
def test_assigning_notifies_the_person_and_the_coordinator_and_cancelling_keeps_the_row(
    client, department_user, coordinator, observer, sitting
):
    client.force_login(department_user)
    client.post(
        reverse("monitoring:observation_assign"), {"sitting": sitting.pk, "person": observer.pk, "stage": "conduct"}
    )
    assignment = ObservationAssignment.objects.get()
    assert Notification.objects.filter(user=observer.user).exists()
    assert Notification.objects.filter(user=coordinator, text__contains="Зорина").exists()

    assert (
        client.post(reverse("monitoring:observation_cancel", args=[assignment.pk]), {"reason": ""}).status_code == 400
    )
    client.post(reverse("monitoring:observation_cancel", args=[assignment.pk]), {"reason": "заболела"})
    assignment.refresh_from_db()
    assert assignment.cancelled_at and assignment.cancel_reason == "заболела"
    assert AuditEntry.objects.filter(action="observation.cancelled", reason="заболела").exists()
    assert not person_assignments(observer.user).exists()


@pytest.mark.django_db
def test_the_lottery_is_recorded_and_reproducible_from_its_seed(department, campaign, ru4, department_user):
    from tests.factories import SchoolFactory

    sittings = [make_sitting(ru4, SchoolFactory(department=department), date=DAY) for _ in range(6)]
    make_sitting(ru4, SchoolFactory(department=department), date=DAY + datetime.timedelta(days=1))  # another day
    observed = sittings[0]
    assign(person=make_person(department), sitting=observed, stage=Stage.CONDUCT, actor=department_user)

    lottery = lottery_draw(department=department, date=DAY, count=3, actor=department_user)

    assert lottery.candidates == sorted(s.pk for s in sittings[1:])  # not the day's observed one, not another day
    assert len(lottery.seed) == 32 and len(lottery.drawn) == 3 and set(lottery.drawn) <= set(lottery.candidates)
    assert lottery_sample(lottery.candidates, 3, lottery.seed) == lottery.drawn
    assert lottery_reproduces(AssignmentLottery.objects.get(pk=lottery.pk))
    assert AuditEntry.objects.filter(action="observation.lottery_drawn").exists()
    with pytest.raises(ValidationError):
        lottery_draw(department=department, date=DAY, count=99, actor=department_user)
    assert AssignmentLottery.objects.count() == 1


@pytest.mark.django_db
def test_the_lottery_page_shows_candidates_seed_and_drawn(client, department, ru4, school, department_user):
    sitting = make_sitting(ru4, school, date=DAY)
    client.force_login(department_user)
    response = client.post(reverse("monitoring:lottery_draw"), {"date": "2026-04-21", "count": 1, "stage": "conduct"})
    lottery = AssignmentLottery.objects.get()
    assert response["Location"] == reverse("monitoring:lottery", args=[lottery.pk])
    html = client.get(response["Location"]).content.decode()
    assert lottery.seed in html and 'data-testid="lottery-reproduced"' in html
    assert f'data-sitting="{sitting.pk}"' in html


@pytest.mark.django_db
def test_auto_assignment_goes_round_robin_by_name_skipping_conflicts(department, ru4, school, department_user):
    from tests.factories import SchoolFactory

    first = make_sitting(ru4, school, date=DAY)
    second = make_sitting(ru4, SchoolFactory(department=department), date=DAY)
    anna = make_person(department, last_name="Алексеева", workplace_school=school)  # cannot go to `first`
    boris = make_person(department, last_name="Борисов")
    make_person(department, kind=Person.Kind.REPRESENTATIVE, last_name="Аббасов")  # not an observer
    lottery = AssignmentLottery.objects.create(
        department=department,
        date=DAY,
        seed="s",
        count=2,
        candidates=[first.pk, second.pk],
        drawn=[first.pk, second.pk],
    )

    made = lottery_auto_assign(lottery=lottery, actor=department_user)

    assert {(a.sitting_id, a.person_id) for a in made} == {(first.pk, boris.pk), (second.pk, anna.pk)}
    assert all(a.lottery_id == lottery.pk for a in made)
    assert lottery_auto_assign(lottery=lottery, actor=department_user) == []  # filled already


@pytest.mark.django_db
def test_the_coordinator_sees_who_comes_and_places_them_in_a_room(client, coordinator, role_users, observer, sitting):
    observer.identity_document = "паспорт 6512 345678"
    observer.save()
    room = make_sitting_room(sitting)
    assignment = ObservationAssignment.objects.create(person=observer, sitting=sitting)
    url = reverse("monitoring:school_observers", args=[sitting.school.code])

    client.force_login(role_users[Role.DIRECTOR])
    html = client.get(url + "?past=1").content.decode()
    assert "Зорина" in html and "6512 345678" in html and "Разместить" not in html
    assert (
        client.post(reverse("monitoring:observer_place", args=[sitting.school.code, assignment.pk])).status_code == 403
    )

    client.force_login(coordinator)
    place = reverse("monitoring:observer_place", args=[sitting.school.code, assignment.pk])
    client.post(place, {f"a{assignment.pk}-sitting_room": room.pk})
    assignment.refresh_from_db()
    assert assignment.sitting_room == room and assignment.placed_by == coordinator
    assert AuditEntry.objects.filter(action="observation.placed").exists()
    html = client.get(reverse("monitoring:assignments")).content.decode()  # the coordinator has no such page
    assert "Кабинет" not in html


@pytest.mark.django_db
def test_a_room_of_another_sitting_is_refused(client, coordinator, observer, sitting, ru4, school):
    other_room = make_sitting_room(make_sitting(ru4, school, date=DAY, lesson=4))
    assignment = ObservationAssignment.objects.create(person=observer, sitting=sitting)
    client.force_login(coordinator)
    client.post(
        reverse("monitoring:observer_place", args=[school.code, assignment.pk]),
        {f"a{assignment.pk}-sitting_room": other_room.pk},
    )
    assignment.refresh_from_db()
    assert assignment.sitting_room is None


@pytest.mark.django_db
def test_the_coordinator_of_another_school_gets_404(client, department, observer, sitting, other_school):
    assignment = ObservationAssignment.objects.create(person=observer, sitting=sitting)
    stranger = user_with_role(Role.SCHOOL_COORDINATOR, school=other_school)
    client.force_login(stranger)
    assert client.get(reverse("monitoring:school_observers", args=[sitting.school.code])).status_code == 404
    place = reverse("monitoring:observer_place", args=[sitting.school.code, assignment.pk])
    assert client.post(place, {}).status_code == 404
    # its own school's URL with our assignment: not there either
    place = reverse("monitoring:observer_place", args=[other_school.code, assignment.pk])
    assert client.post(place, {}).status_code == 404


@pytest.mark.django_db
def test_an_observer_sees_only_their_own_assignments(client, department, observer, sitting, school):
    school.address = "г. Екатеринбург, ул. Ленина, 1"
    school.save()
    sitting.starts_at = datetime.datetime(2026, 4, 21, 4, 0, tzinfo=datetime.UTC)  # 09:00 in Yekaterinburg
    sitting.save()
    mine = ObservationAssignment.objects.create(person=observer, sitting=sitting)
    someone = make_person(department, last_name="Чужой")
    theirs = ObservationAssignment.objects.create(person=someone, sitting=sitting, stage=Stage.HANDOVER)

    assert list(person_assignments(observer.user)) == [mine]
    assert assignment_for(observer.user, mine.pk) == mine
    from django.http import Http404

    with pytest.raises(Http404):
        assignment_for(observer.user, theirs.pk)
    client.force_login(observer.user)
    assert client.get(reverse("monitoring:report", args=[theirs.pk])).status_code == 404
    html = client.get(reverse("monitoring:assignments")).content.decode()
    assert f'data-testid="assignment-{mine.pk}"' in html and f"assignment-{theirs.pk}" not in html
    assert "ул. Ленина" in html and f'data-testid="start-{mine.pk}">09:00' in html
    assert "Asia/Yekaterinburg" in html
    # until the instruction is confirmed, the act does not open
    assert f'data-testid="blocked-{mine.pk}"' in html
    client.post(reverse("monitoring:instruction_acknowledge"))
    html = client.get(reverse("monitoring:assignments")).content.decode()
    assert reverse("monitoring:report", args=[mine.pk]) in html and f"blocked-{mine.pk}" not in html


@pytest.mark.django_db
def test_the_representatives_page_lists_their_visits_with_the_card(client, department, sitting):
    representative = make_person(department, kind=Person.Kind.REPRESENTATIVE, last_name="Представитель")
    visit = ObservationAssignment.objects.create(person=representative, sitting=sitting)
    client.force_login(representative.user)
    html = client.get(reverse("monitoring:cards")).content.decode()
    assert f'data-testid="assignment-{visit.pk}"' in html and reverse("monitoring:card", args=[visit.pk]) in html


@pytest.mark.django_db
def test_an_observer_already_sent_elsewhere_at_that_hour_is_refused(department, ru4, school, other_school, observer):
    actor = user_with_role(Role.DEPARTMENT_STAFF, department=department)
    assign(person=observer, sitting=make_sitting(ru4, school, date=DAY, lesson=3), stage="conduct", actor=actor)
    with pytest.raises(ValidationError) as refused:
        assign(
            person=observer, sitting=make_sitting(ru4, other_school, date=DAY, lesson=3), stage="conduct", actor=actor
        )
    assert "уже направлен" in refused.value.messages[0]


@pytest.mark.django_db
def test_the_day_page_lists_the_days_sittings_with_local_start(client, department_user, sitting, observer):
    sitting.starts_at = timezone.make_aware(datetime.datetime(2026, 4, 21, 10, 0), sitting.school.tzinfo)
    sitting.save()
    ObservationAssignment.objects.create(person=observer, sitting=sitting)
    client.force_login(department_user)
    html = client.get(reverse("monitoring:observation_day") + "?date=2026-04-21").content.decode()
    assert f'data-sitting="{sitting.pk}"' in html and "10:00" in html and "Зорина" in html
    assert client.get(reverse("monitoring:observation_day") + "?date=garbage").status_code == 200


@pytest.mark.django_db
def test_the_day_page_and_the_registry_do_not_grow_in_queries_with_the_data(client, department_user, department, ru4):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import SchoolFactory

    client.force_login(department_user)
    counts = []
    for size in (2, 12):
        for number in range(size):
            person = make_person(department, last_name=f"Наблюдатель{size}-{number}")
            sitting = make_sitting(ru4, SchoolFactory(department=department), date=DAY, lesson=1 + size % 3)
            ObservationAssignment.objects.create(person=person, sitting=sitting)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("monitoring:observation_day") + "?date=2026-04-21").status_code == 200
            assert client.get(reverse("monitoring:registry")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_assigning_returns_only_to_a_page_of_the_portal(client, department_user, observer, sitting):
    client.force_login(department_user)
    data = {"sitting": sitting.pk, "person": observer.pk, "stage": "conduct"}
    response = client.post(reverse("monitoring:observation_assign"), {**data, "next": "https://evil.example/"})
    assert response["Location"] == reverse("monitoring:observation_day") + "?date=2026-04-21"
