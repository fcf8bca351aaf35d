"""The one-page setup of a day's sittings: rooms, automatic seating and organizers for several sittings in one
confirm step with a preview; the appointment rules are the appointment service's (a refusal keeps everything
out), and a preview writes nothing."""

import pytest
from django.urls import reverse

from procedures.models import Appointment, Seat, SittingRoom
from schools.models import AuditEntry, Role
from tests.factories import user_with_role

from .test_staffing import DAY, build_classes, build_room, build_staff, make_participants, make_sitting, schedule


@pytest.fixture
def day(campaign, school, assessment, math_assessment):
    """RU-4 (2nd lesson) and MA-4 (3rd lesson) of 4А and 4Б on one day, 11 participants each, two rooms."""
    classes = build_classes(school)
    sittings = []
    for number, (work, lesson) in enumerate(((assessment, 2), (math_assessment, 3))):
        schedule(campaign, school, work, [classes["4А"], classes["4Б"]], lesson=lesson)
        sittings.append(make_sitting(campaign, school, work, lesson=lesson))
        make_participants(work, classes["4А"], 6, start=100 * number)
        make_participants(work, classes["4Б"], 5, start=100 * number)
    rooms = [build_room(school, "Кабинет 12"), build_room(school, "Кабинет 14")]
    return {"sittings": sittings, "rooms": rooms, "staff": build_staff(school, classes)}


def url(campaign, school):
    return reverse("procedures:sittings_setup", kwargs={"campaign_code": campaign.code, "school_code": school.code})


def form_data(day, organizers, action):
    data = {"date": DAY.isoformat(), "action": action}
    for sitting in day["sittings"]:
        data[f"sitting_{sitting.pk}"] = "on"
        data[f"rooms_{sitting.pk}"] = [str(room.pk) for room in day["rooms"]]
    for room, staff in zip(day["rooms"], organizers, strict=True):
        data[f"organizer_{room.pk}"] = str(staff.pk) if staff else ""
    return data


@pytest.mark.django_db
def test_preview_writes_nothing_and_confirm_prepares_every_sitting_at_once(client, campaign, school, day, coordinator):
    staff = day["staff"]
    client.force_login(coordinator)
    page = client.get(url(campaign, school)).content.decode()
    assert all(f'data-testid="setup-sitting-{s.pk}"' in page for s in day["sittings"])

    preview = client.post(url(campaign, school), form_data(day, [staff["Кедров"], staff["Клёнова"]], "preview"))
    body = preview.content.decode()
    assert preview.status_code == 200
    assert 'data-testid="setup-confirm"' in body and "Кабинет 12: Кедров Павел Андреевич" in body
    assert not SittingRoom.objects.exists() and not Seat.objects.exists() and not Appointment.objects.exists()
    assert not AuditEntry.objects.exists()

    response = client.post(url(campaign, school), form_data(day, [staff["Кедров"], staff["Клёнова"]], "confirm"))
    assert response.status_code == 302
    assert SittingRoom.objects.count() == 4
    assert Seat.objects.count() == 22
    organizers = set(
        Appointment.objects.filter(duty=Appointment.Duty.ORGANIZER).values_list(
            "sitting_room__sitting__lesson", "sitting_room__room__name", "staff__last_name"
        )
    )
    assert organizers == {
        (2, "Кабинет 12", "Кедров"),
        (2, "Кабинет 14", "Клёнова"),
        (3, "Кабинет 12", "Кедров"),
        (3, "Кабинет 14", "Клёнова"),
    }
    # each step is the services' own, audited as on the sitting's pages
    assert AuditEntry.objects.filter(action="sitting.rooms_changed").count() == 2
    assert AuditEntry.objects.filter(action="seating.automatic").count() == 2
    assert AuditEntry.objects.filter(action="appointment.created").count() == 4


@pytest.mark.django_db
def test_a_refused_organizer_keeps_everything_out_and_names_the_reason(client, campaign, school, day, coordinator):
    """Берёзкина teaches 4А (R1): she cannot watch a room where 4А writes, so nothing is written."""
    staff = day["staff"]
    client.force_login(coordinator)
    response = client.post(url(campaign, school), form_data(day, [staff["Берёзкина"], staff["Кедров"]], "confirm"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="setup-problems"' in body and "Берёзкина" in body
    assert 'data-testid="setup-confirm"' not in body
    assert not SittingRoom.objects.exists() and not Seat.objects.exists() and not Appointment.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_one_organizer_in_two_rooms_at_the_same_time_is_refused(client, campaign, school, day, coordinator):
    staff = day["staff"]
    client.force_login(coordinator)
    response = client.post(url(campaign, school), form_data(day, [staff["Кедров"], staff["Кедров"]], "confirm"))
    assert "в это же время организатор" in response.content.decode()
    assert not Appointment.objects.exists()


@pytest.mark.django_db
def test_too_few_seats_are_refused_for_that_sitting(client, campaign, school, day, coordinator):
    client.force_login(coordinator)
    data = form_data(day, [None, None], "preview")
    data[f"rooms_{day['sittings'][0].pk}"] = [str(build_room(school, "Лаборатория", rows=2, columns=2).pk)]
    body = client.post(url(campaign, school), data).content.decode()
    assert "Не хватает мест" in body
    assert not SittingRoom.objects.exists()


@pytest.mark.django_db
def test_nothing_chosen_is_refused(client, campaign, school, day, coordinator):
    client.force_login(coordinator)
    response = client.post(url(campaign, school), {"date": DAY.isoformat(), "action": "preview"})
    assert "Отметьте хотя бы одно проведение." in response.content.decode()


@pytest.mark.django_db
def test_only_the_schools_coordinator_prepares(client, campaign, school, other_school, day, role_users):
    client.force_login(role_users[Role.DIRECTOR])
    assert client.get(url(campaign, school)).status_code == 403
    client.force_login(user_with_role(Role.SCHOOL_COORDINATOR, school=other_school))
    assert client.get(url(campaign, school)).status_code == 404
