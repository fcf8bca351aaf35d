"""Rooms, sittings from the schedule, the release of room lists to organizers (R9), the organizer's pages,
the printables and the plan-graph stage «аудитории и рассадка готовы»."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from procedures.models import Appointment, Room, Seat, Sitting, SittingRoom, Stage
from procedures.selectors.rooms import release_of
from procedures.services.seating import (
    rooms_set,
    sitting_room_recall,
    sitting_room_release,
    sitting_rooms_set,
    sitting_seat,
    sitting_set_start,
    sittings_sync,
)
from procedures.services.staffing import organizer_appoint
from schools.models import AuditEntry, Notification, Role
from tests.factories import StaffFactory, make_assessment, make_room, make_sitting_room, user_with_role

from .test_staffing import (
    DAY,
    build_classes,
    build_room,
    build_sitting,
    build_staff,
    make_participants,
    make_sitting,
    schedule,
)


@pytest.fixture
def classes(school):
    return build_classes(school)


@pytest.fixture
def russian(assessment):
    return assessment


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
def staff(school, classes):
    return build_staff(school, classes)


@pytest.fixture
def sitting_room(sitting, room_12):
    return make_sitting_room(sitting, room_12)


YEKATERINBURG = zoneinfo.ZoneInfo("Asia/Yekaterinburg")
START = datetime.datetime(2026, 4, 21, 9, 25, tzinfo=YEKATERINBURG)  # 2nd lesson


def kwargs_of(sitting_room):
    sitting = sitting_room.sitting
    return {"campaign_code": sitting.campaign.code, "school_code": sitting.school.code, "pk": sitting_room.pk}


# Rooms ---------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_coordinator_adds_a_room_and_sees_its_capacity(client, school, coordinator):
    client.force_login(coordinator)
    url = reverse("procedures:rooms", kwargs={"school_code": school.code})

    response = client.post(url, {"name": "Кабинет 7", "rows": 5, "columns": 6, "is_active": "on"})

    assert response.status_code == 302
    room = Room.objects.get(school=school, name="Кабинет 7")
    assert room.capacity == 30
    assert AuditEntry.objects.filter(action="room.created", target_id=str(room.pk)).exists()
    assert "Кабинет 7" in client.get(url).content.decode()


@pytest.mark.django_db
def test_a_room_with_zero_rows_is_not_saved(client, school, coordinator):
    client.force_login(coordinator)

    response = client.post(
        reverse("procedures:rooms", kwargs={"school_code": school.code}), {"name": "X", "rows": 0, "columns": 2}
    )

    assert response.status_code == 200 and not Room.objects.exists()


@pytest.mark.django_db
def test_a_room_used_by_a_sitting_is_not_deleted(client, sitting_room, school, coordinator):
    client.force_login(coordinator)
    url = reverse("procedures:room_delete", kwargs={"school_code": school.code, "pk": sitting_room.room_id})

    page = client.post(url, follow=True).content.decode()

    assert Room.objects.filter(pk=sitting_room.room_id).exists()
    assert "удалить её нельзя" in page


@pytest.mark.django_db
def test_the_director_reads_the_rooms_but_does_not_add_any(client, role_users, school):
    client.force_login(role_users[Role.DIRECTOR])
    url = reverse("procedures:rooms", kwargs={"school_code": school.code})

    assert 'data-testid="room-form"' not in client.get(url).content.decode()
    client.post(url, {"name": "Кабинет 7", "rows": 5, "columns": 6})
    assert not Room.objects.exists()


# Sittings from the schedule ------------------------------------------------------------------------------------


@pytest.fixture
def scheduled(campaign, school, russian, classes):
    """RU-4: 4А and 4Б on 21 April, 2nd lesson. MA-4: 4А on 23 April, 3rd lesson."""
    maths = make_assessment(campaign, code="MA-4", subject="Математика")
    schedule(campaign, school, russian, [classes["4А"], classes["4Б"]])
    schedule(campaign, school, maths, [classes["4А"]], day=datetime.date(2026, 4, 23), lesson=3)
    return maths


@pytest.mark.django_db
def test_sittings_come_from_the_schedule_with_starts_from_the_bell_table(
    campaign, school, russian, scheduled, coordinator
):
    result = sittings_sync(campaign=campaign, school=school, actor=coordinator)

    assert result.created == 2
    sittings = {s.assessment.code: s for s in Sitting.objects.select_related("assessment")}
    assert sittings["RU-4"].starts_at == START
    assert sittings["MA-4"].starts_at == datetime.datetime(2026, 4, 23, 10, 20, tzinfo=YEKATERINBURG)
    assert sittings_sync(campaign=campaign, school=school, actor=coordinator).created == 0
    assert Sitting.objects.count() == 2


@pytest.mark.django_db
def test_a_sitting_the_schedule_no_longer_has_is_removed_unless_released(
    campaign, school, russian, scheduled, room_12, room_14, coordinator
):
    sittings_sync(campaign=campaign, school=school, actor=coordinator)
    maths_sitting = Sitting.objects.get(assessment=scheduled)
    released = make_sitting_room(maths_sitting, room_12, released_at=START)
    russian_sitting = Sitting.objects.get(assessment=russian)
    make_sitting_room(russian_sitting, room_14)
    from procedures.models import ScheduleEntry

    ScheduleEntry.objects.all().delete()

    result = sittings_sync(campaign=campaign, school=school, actor=coordinator)

    assert result.removed == 1 and [s.pk for s in result.kept] == [maths_sitting.pk]
    assert list(Sitting.objects.all()) == [maths_sitting]
    assert SittingRoom.objects.filter(pk=released.pk).exists()


@pytest.mark.django_db
def test_the_start_is_changed_on_the_sittings_day_only(sitting, coordinator):
    later = datetime.datetime(2026, 4, 21, 10, 20, tzinfo=YEKATERINBURG)

    sitting_set_start(sitting=sitting, starts_at=later, actor=coordinator)

    sitting.refresh_from_db()
    assert sitting.starts_at == later
    assert AuditEntry.objects.filter(action="sitting.start_changed").exists()
    with pytest.raises(ValidationError, match="в день проведения — 21.04.2026"):
        sitting_set_start(sitting=sitting, starts_at=later + datetime.timedelta(days=1), actor=coordinator)
    with pytest.raises(ValidationError, match="часовым поясом"):
        sitting_set_start(sitting=sitting, starts_at=datetime.datetime(2026, 4, 21, 11, 0), actor=coordinator)


@pytest.mark.django_db
def test_the_start_is_edited_as_local_time_on_the_sitting_page(client, sitting, coordinator):
    client.force_login(coordinator)
    kwargs = {"campaign_code": sitting.campaign.code, "school_code": sitting.school.code, "pk": sitting.pk}

    client.post(reverse("procedures:sitting_start", kwargs=kwargs), {"start_time": "10:05"})

    sitting.refresh_from_db()
    assert sitting.starts_at == datetime.datetime(2026, 4, 21, 10, 5, tzinfo=YEKATERINBURG)
    page = client.get(reverse("procedures:sitting", kwargs=kwargs)).content.decode()
    assert 'data-testid="release-due">09:55<' in page


@pytest.mark.django_db
def test_a_room_busy_at_the_same_time_is_refused(campaign, school, sitting, room_12, coordinator):
    other_work = make_assessment(campaign, code="MA-4", subject="Математика")
    make_sitting_room(make_sitting(campaign, school, other_work), room_12)

    with pytest.raises(ValidationError, match="Аудитория «Кабинет 12» в это время занята"):
        sitting_rooms_set(sitting=sitting, rooms=[room_12], actor=coordinator)


@pytest.mark.django_db
def test_rooms_are_chosen_per_sitting_and_a_dropped_room_loses_its_seats(
    client, sitting, room_12, room_14, russian, classes, coordinator
):
    make_participants(russian, classes["4А"], 20)
    client.force_login(coordinator)
    kwargs = {"campaign_code": sitting.campaign.code, "school_code": sitting.school.code, "pk": sitting.pk}

    client.post(reverse("procedures:sitting_rooms", kwargs=kwargs), {"rooms": [room_12.pk, room_14.pk]})
    client.post(reverse("procedures:sitting_seat", kwargs=kwargs))
    assert Seat.objects.count() == 20
    client.post(reverse("procedures:sitting_rooms", kwargs=kwargs), {"rooms": [room_12.pk]})

    assert list(sitting.rooms.values_list("room__name", flat=True)) == ["Кабинет 12"]
    assert Seat.objects.count() < 20
    page = client.get(reverse("procedures:sitting", kwargs=kwargs)).content.decode()
    assert "Не рассажено участников:" in page


# The release of the lists to the organizers (R9) ---------------------------------------------------------------


@pytest.fixture
def organizer_user(school):
    return user_with_role(Role.ORGANIZER, school=school, username="kedrov")


@pytest.fixture
def ready_room(sitting_room, russian, classes, staff, organizer_user, coordinator):
    """Seated, with two organizers; Кедров logs in as an organizer."""
    make_participants(russian, classes["4А"], 6)
    make_participants(russian, classes["4Б"], 5)
    sitting_seat(sitting=sitting_room.sitting, actor=coordinator)
    staff["Кедров"].user = organizer_user
    staff["Кедров"].save()
    for name in ("Кедров", "Клёнова"):
        organizer_appoint(sitting_room=sitting_room, staff=staff[name], actor=coordinator)
    return sitting_room


def my_room_url(sitting_room):
    return reverse("procedures:my_room", kwargs={"pk": sitting_room.pk})


@pytest.mark.django_db
def test_before_release_the_organizer_sees_when_the_lists_are_due_and_nothing_else(client, ready_room, organizer_user):
    client.force_login(organizer_user)

    response = client.get(my_room_url(ready_room))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Списки ещё не переданы." in page and "не позднее 21.04.2026 09:15" in page
    assert "40000" not in page and 'data-testid="seating-plan"' not in page
    for name in ("my_room_list_pdf", "my_room_plan_pdf"):
        assert client.get(reverse(f"procedures:{name}", kwargs={"pk": ready_room.pk})).status_code == 404


@pytest.mark.django_db
def test_after_release_the_organizer_sees_codes_classes_and_variants_but_no_names(
    client, ready_room, organizer_user, coordinator
):
    sitting_room_release(sitting_room=ready_room, actor=coordinator, now=START - datetime.timedelta(hours=1))
    client.force_login(organizer_user)

    page = client.get(my_room_url(ready_room)).content.decode()

    seats = list(ready_room.seats.select_related("participant__pupil"))
    assert len(seats) == 11
    for seat in seats:
        assert seat.participant.code in page
        assert seat.participant.pupil.last_name not in page
    assert 'data-testid="seating-plan"' in page and "в. 2" in page
    list_pdf = client.get(reverse("procedures:my_room_list_pdf", kwargs={"pk": ready_room.pk}))
    assert list_pdf.status_code == 200 and list_pdf["Content-Type"] == "application/pdf"


@pytest.mark.django_db
def test_the_release_records_when_notifies_the_organizers_and_is_on_time_ten_minutes_ahead(
    ready_room, organizer_user, coordinator
):
    due = START - datetime.timedelta(minutes=10)

    sitting_room_release(sitting_room=ready_room, actor=coordinator, now=due)

    ready_room.refresh_from_db()
    assert ready_room.released_at == due and ready_room.released_by == coordinator
    release = release_of(ready_room, now=START)
    assert release.due == due and release.is_released and not release.is_late
    notice = Notification.objects.get(user=organizer_user)
    assert "Кабинет 12" in notice.text and notice.url == my_room_url(ready_room)
    assert AuditEntry.objects.get(action="room_lists.released").after["late"] is False


@pytest.mark.django_db
def test_a_release_later_than_ten_minutes_before_the_start_is_flagged_late(client, ready_room, coordinator):
    released = sitting_room_release(
        sitting_room=ready_room, actor=coordinator, now=START - datetime.timedelta(minutes=5)
    )

    assert release_of(released).is_late
    assert AuditEntry.objects.get(action="room_lists.released").after["late"] is True
    client.force_login(coordinator)
    page = client.get(reverse("procedures:sitting_room", kwargs=kwargs_of(ready_room))).content.decode()
    assert "с опозданием" in page and "позже срока 21.04.2026 09:15" in page


@pytest.mark.django_db
def test_a_release_not_done_by_the_due_time_is_flagged_on_the_coordinators_pages(client, ready_room, coordinator):
    """The sitting is in the past of the test run (April 2026 < today), so its due time has passed."""
    client.force_login(coordinator)
    sitting = ready_room.sitting

    room_page = client.get(reverse("procedures:sitting_room", kwargs=kwargs_of(ready_room))).content.decode()
    list_page = client.get(
        reverse(
            "procedures:sittings", kwargs={"campaign_code": sitting.campaign.code, "school_code": sitting.school.code}
        )
    ).content.decode()

    assert "Списки не переданы организаторам, а срок — 21.04.2026 09:15" in room_page
    assert "списки не переданы организаторам, срок прошёл (Регламент 6.4.8)" in list_page
    assert release_of(ready_room, now=START - datetime.timedelta(minutes=11)).state == "pending"
    assert release_of(ready_room, now=START - datetime.timedelta(minutes=10)).state == "overdue"


@pytest.mark.django_db
def test_a_release_with_unseated_participants_is_refused(ready_room, russian, classes, coordinator):
    make_participants(russian, classes["4Б"], 1, start=50)

    with pytest.raises(ValidationError, match="Не рассажено участников этой работы: 1"):
        sitting_room_release(sitting_room=ready_room, actor=coordinator)


@pytest.mark.django_db
def test_the_coordinator_releases_and_recalls_through_the_page(client, ready_room, organizer_user, coordinator):
    client.force_login(coordinator)
    url = reverse("procedures:sitting_room_release", kwargs=kwargs_of(ready_room))

    client.post(url, {"action": "release"})
    ready_room.refresh_from_db()
    assert ready_room.released_at is not None
    client.post(url, {"action": "recall"})
    ready_room.refresh_from_db()
    assert ready_room.released_at is None
    assert AuditEntry.objects.filter(action="room_lists.recalled").exists()

    client.force_login(organizer_user)
    assert "Списки ещё не переданы." in client.get(my_room_url(ready_room)).content.decode()


@pytest.mark.django_db
def test_recall_is_idempotent(ready_room, coordinator):
    sitting_room_recall(sitting_room=ready_room, actor=coordinator)

    assert not AuditEntry.objects.filter(action="room_lists.recalled").exists()


# The organizer's pages -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_organizers_start_page_lists_their_rooms_with_date_time_and_work(client, ready_room, organizer_user):
    client.force_login(organizer_user)

    page = client.get(reverse("procedures:my_rooms")).content.decode()

    assert "21.04.2026, 09:25" in page and "аудитория Кабинет 12" in page
    assert "Русский язык, 4 кл." in page and "списки не переданы" in page


@pytest.mark.django_db
def test_an_organizer_does_not_open_a_room_they_are_not_appointed_to(
    client, ready_room, sitting, room_14, school, coordinator
):
    stranger = user_with_role(Role.ORGANIZER, school=school, username="stranger")
    StaffFactory(school=school, user=stranger)
    other_room = make_sitting_room(sitting, room_14, released_at=START)
    sitting_room_release(sitting_room=ready_room, actor=coordinator)
    client.force_login(stranger)

    assert client.get(my_room_url(ready_room)).status_code == 404
    assert client.get(my_room_url(other_room)).status_code == 404
    assert "Кабинет 12" not in client.get(reverse("procedures:my_rooms")).content.decode()


@pytest.mark.django_db
def test_an_appointed_staff_member_without_the_organizer_role_gets_403(client, ready_room, staff, school):
    user = user_with_role(Role.EXPERT, school=school, username="klenova")
    staff["Клёнова"].user = user
    staff["Клёнова"].save()
    client.force_login(user)

    assert client.get(my_room_url(ready_room)).status_code == 403


# Printables ----------------------------------------------------------------------------------------------------


@pytest.fixture
def full_room(sitting, school, russian, classes, coordinator):
    """30 participants of two classes in a 5 × 6 room."""
    room = make_room(school, name="Актовый зал", rows=5, columns=6)
    sitting_room = make_sitting_room(sitting, room)
    make_participants(russian, classes["4А"], 15)
    make_participants(russian, classes["4Б"], 15)
    sitting_seat(sitting=sitting, actor=coordinator)
    return sitting_room


@pytest.mark.django_db
def test_the_room_list_pdf_has_codes_classes_variants_and_no_names(client, full_room, coordinator):
    from vpr_portal.pdf import pdf_text

    client.force_login(coordinator)
    response = client.get(reverse("procedures:sitting_room_list_pdf", kwargs=kwargs_of(full_room)))

    text = pdf_text(response.content)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "Список участников ВПР в аудитории Актовый зал" in text
    assert "Русский язык, 4 кл." in text and "21.04.2026" in text and "начало 09:25" in text
    seats = list(full_room.seats.select_related("participant__pupil"))
    for seat in seats:
        assert seat.participant.code in text
        assert seat.participant.pupil.last_name not in text
    assert "Всего участников: 30." in text


@pytest.mark.django_db
def test_the_seating_plan_pdf_shows_the_board_rows_and_variants(client, full_room, coordinator):
    from vpr_portal.pdf import pdf_text

    client.force_login(coordinator)
    text = pdf_text(client.get(reverse("procedures:sitting_room_plan_pdf", kwargs=kwargs_of(full_room))).content)

    assert "План рассадки: аудитория Актовый зал" in text and "Доска" in text
    assert "ряд 1" in text and "ряд 5" in text and "вар. 1" in text and "вар. 2" in text
    for seat in full_room.seats.select_related("participant"):
        assert seat.participant.code in text


# Pages stay flat in queries ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sittings_and_room_pages_do_not_grow_in_queries_with_the_data(
    client, campaign, school, russian, classes, staff, coordinator
):
    client.force_login(coordinator)
    counts = {"sittings": [], "room": []}
    for size, letter in ((2, "А"), (12, "Б")):
        day = datetime.date(2026, 4, 21 if letter == "А" else 22)
        schedule(campaign, school, russian, [classes[f"4{letter}"]], day=day)
        current = make_sitting(campaign, school, russian, day=day)
        for number in range(size // 2):
            room = make_room(school, name=f"{letter}{number}", rows=2, columns=2)
            make_sitting_room(current, room)
        make_participants(russian, classes[f"4{letter}"], size, start=100)
        sitting_seat(sitting=current, actor=coordinator)
        sitting_room = current.rooms.first()
        organizer_appoint(
            sitting_room=sitting_room, staff=staff["Кедров" if letter == "А" else "Клёнова"], actor=coordinator
        )
        urls = {
            "sittings": reverse(
                "procedures:sittings", kwargs={"campaign_code": campaign.code, "school_code": school.code}
            ),
            "room": reverse("procedures:sitting_room", kwargs=kwargs_of(sitting_room)),
        }
        for key, url in urls.items():
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts[key].append(len(queries))
    assert counts["sittings"][0] == counts["sittings"][1]
    assert counts["room"][0] == counts["room"][1]


# The plan-graph stage «аудитории и рассадка готовы» ------------------------------------------------------------


@pytest.mark.django_db
def test_rooms_set_is_done_when_everyone_is_seated_and_every_room_has_two_organizers(
    campaign, school, other_school, ready_room, russian, classes, staff, coordinator
):
    from procedures.services.plan import stage_check, stage_link

    assert stage_check(Stage.Kind.ROOMS_SET) is rooms_set
    assert stage_link(Stage.Kind.ROOMS_SET, campaign=campaign, school=school) == reverse(
        "procedures:sittings", kwargs={"campaign_code": campaign.code, "school_code": school.code}
    )
    assert rooms_set(campaign, [school, other_school]) == {school.pk: (True, None)}

    make_participants(russian, classes["4Б"], 1, start=60)  # a latecomer, not seated yet
    assert rooms_set(campaign, [school]) == {}
    sitting_seat(sitting=ready_room.sitting, actor=coordinator)
    assert school.pk in rooms_set(campaign, [school])

    Appointment.objects.filter(sitting_room=ready_room).first().delete()
    assert rooms_set(campaign, [school]) == {}


@pytest.mark.django_db
def test_a_school_without_participants_has_not_set_its_rooms(campaign, school, sitting_room):
    assert rooms_set(campaign, [school]) == {}


def test_the_default_bell_table_is_documented():
    from procedures.services import seating

    assert [seating.LESSON_STARTS[n].strftime("%H:%M") for n in range(1, 7)] == [
        "08:30",
        "09:25",
        "10:20",
        "11:25",
        "12:20",
        "13:15",
    ]
    assert "08:30" in seating.__doc__ and "13:15" in seating.__doc__
    assert DAY == datetime.date(2026, 4, 21)
