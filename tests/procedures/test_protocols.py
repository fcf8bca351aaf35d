"""The room protocol of the day (Регламент 6.5): who may open it, the end time with +30 minutes for ОВЗ (R7),
absentees, incidents, submission, read-only afterwards, corrections with a reason and before/after in the audit,
and the coordinator's view of every room."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from procedures.models import (
    Appointment,
    Participant,
    ProtocolIncident,
    RoomProtocol,
    Seat,
    SittingRoom,
)
from procedures.services.protocols import (
    IncidentInput,
    ProtocolInput,
    protocol_correct,
    protocol_save,
    protocol_submit,
)
from schools.models import AuditEntry, Role
from tests import factories
from tests.factories import (
    PupilFactory,
    StaffFactory,
    make_participant,
    make_sitting,
    make_sitting_room,
    user_with_role,
)

YEKATERINBURG = datetime.timezone(datetime.timedelta(hours=5))
# 21 April 2026, 09:10 in Yekaterinburg (the school's zone)
START = datetime.datetime(2026, 4, 21, 9, 10, tzinfo=YEKATERINBURG)


@pytest.fixture
def sitting(campaign, assessment, school):
    return make_sitting(assessment, school, date=datetime.date(2026, 4, 21), lesson=2)


def make_room(sitting, name="Каб. 12", released=True):
    room = factories.make_room(sitting.school, name=name, rows=4, columns=4)
    return make_sitting_room(sitting, room, released_at=timezone.now() if released else None)


def seat(sitting_room, code, *, column, pupil=None, **extra):
    sitting = sitting_room.sitting
    participant = make_participant(
        sitting.assessment, pupil, school=sitting.school, class_name="4А", sex="М", code=code, **extra
    )
    Seat.objects.create(sitting_room=sitting_room, participant=participant, row=1, column=column)
    return participant


def appoint_organizer(sitting_room, user=None, **staff):
    sitting = sitting_room.sitting
    member = StaffFactory(school=sitting.school, user=user, **staff)
    Appointment.objects.create(
        campaign=sitting.campaign,
        school=sitting.school,
        staff=member,
        duty=Appointment.Duty.ORGANIZER,
        sitting_room=sitting_room,
    )
    return member


@pytest.fixture
def sitting_room(sitting):
    return make_room(sitting)


@pytest.fixture
def participants(sitting_room, class_4a):
    pupil = PupilFactory(school_class=class_4a, last_name="Снегирёва", first_name="Алиса")
    return [
        seat(sitting_room, "10001", column=1, pupil=pupil),
        seat(sitting_room, "10002", column=2),
        seat(sitting_room, "10003", column=3, has_disability=True),
    ]


@pytest.fixture
def organizer(role_users, sitting_room):
    user = role_users[Role.ORGANIZER]
    appoint_organizer(sitting_room, user=user, last_name="Синицына")
    return user


def protocol_url(sitting_room, suffix=""):
    return reverse(f"procedures:room_protocol{suffix}", kwargs={"pk": sitting_room.pk})


def complete(**changes) -> ProtocolInput:
    values = {"materials_collected": True, "handed_to_coordinator": True, **changes}
    return ProtocolInput(**values)


def submitted(sitting_room, organizer, *, absent=()):
    protocol_save(sitting_room=sitting_room, data=ProtocolInput(), actor=organizer, start=True, now=START)
    return protocol_submit(
        sitting_room=sitting_room, data=complete(absent_ids=frozenset(p.pk for p in absent)), actor=organizer
    )


# Who opens the protocol ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_the_appointed_organizer_opens_the_room_and_only_after_release(
    client, sitting, school, organizer, participants
):
    waiting = make_room(sitting, name="Каб. 14", released=False)
    appoint_organizer(waiting, user=organizer)
    client.force_login(organizer)

    assert client.get(protocol_url(waiting)).status_code == 404, "lists not released yet"
    SittingRoom.objects.filter(pk=waiting.pk).update(released_at=timezone.now())
    assert client.get(protocol_url(waiting)).status_code == 200

    colleague = user_with_role(Role.ORGANIZER, school=school)
    client.force_login(colleague)
    assert client.get(protocol_url(waiting)).status_code == 404, "an organizer of another room"
    assert client.post(protocol_url(waiting), {"action": "start"}).status_code == 404
    assert not RoomProtocol.objects.exists()

    client.force_login(user_with_role(Role.EXPERT, school=school))
    assert client.get(protocol_url(waiting)).status_code == 403


@pytest.mark.django_db
def test_an_organizer_with_a_staff_record_but_no_organizer_role_is_refused(client, sitting_room, school, participants):
    expert = user_with_role(Role.EXPERT, school=school)
    appoint_organizer(sitting_room, user=expert)
    client.force_login(expert)

    assert client.get(protocol_url(sitting_room)).status_code == 403


@pytest.mark.django_db
def test_the_organizer_sees_codes_and_classes_not_names(client, sitting_room, organizer, participants):
    client.force_login(organizer)

    page = client.get(protocol_url(sitting_room)).content.decode()

    assert "10001" in page and "10003" in page and "4А" in page
    assert "Снегирёва" not in page
    assert page.count('name="absent"') == 3


@pytest.mark.django_db
def test_the_director_reads_but_does_not_fill(client, sitting_room, role_users, participants):
    client.force_login(role_users[Role.DIRECTOR])

    page = client.get(protocol_url(sitting_room))

    assert page.status_code == 200 and 'data-testid="protocol-form"' not in page.content.decode()
    assert client.post(protocol_url(sitting_room), {"action": "start"}).status_code == 403
    assert not RoomProtocol.objects.exists()


# Times -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_end_is_the_start_plus_the_duration_and_30_minutes_more_for_ovz(sitting_room, organizer, participants):
    protocol = protocol_save(sitting_room=sitting_room, data=ProtocolInput(), actor=organizer, start=True, now=START)

    assert protocol.started_at == START
    assert protocol.ends_at == START + datetime.timedelta(minutes=45)
    assert protocol.ends_at_extended == START + datetime.timedelta(minutes=75)
    assert AuditEntry.objects.get(action="protocol.started").after["ends_at"] == "21.04.2026 09:55"


@pytest.mark.django_db
def test_without_ovz_present_there_is_no_extended_end(sitting_room, organizer, participants):
    protocol_save(sitting_room=sitting_room, data=ProtocolInput(), actor=organizer, start=True, now=START)

    protocol = protocol_save(
        sitting_room=sitting_room, data=ProtocolInput(absent_ids=frozenset({participants[2].pk})), actor=organizer
    )

    assert protocol.ends_at == START + datetime.timedelta(minutes=45)
    assert protocol.ends_at_extended is None, "the only participant with ОВЗ is absent"


@pytest.mark.django_db
def test_extra_minutes_also_extend_and_a_longer_allowance_is_kept(sitting, organizer):
    room = make_room(sitting, name="Каб. 3")
    appoint_organizer(room, user=organizer)
    seat(room, "20001", column=1, extra_minutes=30)
    seat(room, "20002", column=2, extra_minutes=40)

    protocol = protocol_save(sitting_room=room, data=ProtocolInput(), actor=organizer, start=True, now=START)

    assert protocol.ends_at_extended == START + datetime.timedelta(minutes=45 + 40)


@pytest.mark.django_db
def test_start_is_recorded_to_the_minute_and_an_edited_start_moves_the_end(
    client, sitting_room, organizer, participants
):
    protocol_save(
        sitting_room=sitting_room, data=ProtocolInput(), actor=organizer, start=True, now=START.replace(second=42)
    )
    client.force_login(organizer)

    response = client.post(protocol_url(sitting_room), {"action": "save", "started_time": "09:20"})

    assert response.status_code == 302
    protocol = RoomProtocol.objects.get()
    assert protocol.started_at == START + datetime.timedelta(minutes=10)
    assert protocol.ends_at == START + datetime.timedelta(minutes=55)


@pytest.mark.django_db
def test_pressing_start_twice_keeps_the_first_start(sitting_room, organizer, participants):
    protocol_save(sitting_room=sitting_room, data=ProtocolInput(), actor=organizer, start=True, now=START)

    with pytest.raises(ValidationError, match="Начало уже записано"):
        protocol_save(
            sitting_room=sitting_room,
            data=ProtocolInput(),
            actor=organizer,
            start=True,
            now=START + datetime.timedelta(minutes=3),
        )
    assert RoomProtocol.objects.get().started_at == START


@pytest.mark.django_db
def test_the_start_button_records_now(client, sitting_room, organizer, participants):
    client.force_login(organizer)
    before = timezone.now().replace(second=0, microsecond=0)

    response = client.post(protocol_url(sitting_room), {"action": "start"})

    assert response.status_code == 302
    protocol = RoomProtocol.objects.get()
    assert before <= protocol.started_at <= timezone.now()
    assert 'data-testid="ends-at"' in client.get(protocol_url(sitting_room)).content.decode()


# Absentees, incidents, submission --------------------------------------------------------------------------


@pytest.mark.django_db
def test_submitting_sets_the_absent_flags_and_makes_the_protocol_read_only(
    client, sitting_room, organizer, participants
):
    client.force_login(organizer)
    client.post(protocol_url(sitting_room), {"action": "start"})

    response = client.post(
        protocol_url(sitting_room),
        {
            "action": "submit",
            "absent": [participants[1].pk],
            "materials_collected": "on",
            "handed_to_coordinator": "on",
            "notes": "Всё спокойно",
        },
    )

    assert response.status_code == 302
    assert [p.code for p in Participant.objects.filter(absent=True)] == ["10002"]
    protocol = RoomProtocol.objects.get()
    assert protocol.submitted_at and protocol.submitted_by == organizer and protocol.notes == "Всё спокойно"
    entry = AuditEntry.objects.get(action="protocol.submitted")
    assert entry.after["absent"] == "10002" and entry.after["materials_collected"] is True

    page = client.get(protocol_url(sitting_room)).content.decode()
    assert 'data-testid="protocol-form"' not in page and 'data-testid="protocol-summary"' in page
    again = client.post(protocol_url(sitting_room), {"action": "save", "absent": [], "notes": "другое"})
    assert again.status_code == 302
    protocol.refresh_from_db()
    assert protocol.notes == "Всё спокойно" and Participant.objects.get(code="10002").absent
    with pytest.raises(ValidationError):
        protocol_save(sitting_room=sitting_room, data=complete(), actor=organizer)


@pytest.mark.django_db
def test_an_incomplete_protocol_is_not_submitted_but_the_draft_is_kept(client, sitting_room, organizer, participants):
    client.force_login(organizer)

    response = client.post(protocol_url(sitting_room), {"action": "submit", "absent": [participants[0].pk]})

    assert response.status_code == 400
    text = response.content.decode()
    assert "Не записано время начала работы." in text and "переданы школьному координатору" in text
    protocol = RoomProtocol.objects.get()
    assert protocol.submitted_at is None
    assert Participant.objects.get(code="10001").absent, "the draft's marks are kept"


@pytest.mark.django_db
def test_an_incident_is_recorded_with_its_participant_and_time(client, sitting_room, organizer, participants):
    client.force_login(organizer)
    client.post(protocol_url(sitting_room), {"action": "start"})

    response = client.post(
        protocol_url(sitting_room),
        {
            "action": "incident",
            "incident_kind": ProtocolIncident.Kind.PHONE,
            "incident_participant": participants[0].pk,
            "incident_time": "09:31",
            "incident_note": "Телефон изъят до конца работы",
            "materials_collected": "on",
        },
    )

    assert response.status_code == 302 and response["Location"].endswith("#incidents")
    incident = ProtocolIncident.objects.get()
    assert incident.participant == participants[0] and incident.note == "Телефон изъят до конца работы"
    assert timezone.localtime(incident.happened_at, YEKATERINBURG).strftime("%H:%M") == "09:31"
    assert RoomProtocol.objects.get().materials_collected, "the rest of the form is saved with the incident"
    assert AuditEntry.objects.filter(action="protocol.incident_added").exists()

    removed = client.post(protocol_url(sitting_room), {"action": "save", "remove_incident": incident.pk})
    assert removed.status_code == 302 and not ProtocolIncident.objects.exists()


@pytest.mark.django_db
def test_an_incident_needs_its_kind(client, sitting_room, organizer, participants):
    client.force_login(organizer)

    response = client.post(protocol_url(sitting_room), {"action": "incident", "incident_note": "?"})

    assert response.status_code == 400 and "Выберите, что произошло." in response.content.decode()
    assert not ProtocolIncident.objects.exists()


@pytest.mark.django_db
def test_a_participant_of_another_room_cannot_be_marked(sitting, sitting_room, organizer, participants):
    elsewhere = seat(make_room(sitting, name="Каб. 15"), "30001", column=1)

    with pytest.raises(ValidationError):
        protocol_save(
            sitting_room=sitting_room, data=ProtocolInput(absent_ids=frozenset({elsewhere.pk})), actor=organizer
        )
    assert not Participant.objects.get(pk=elsewhere.pk).absent


# Corrections -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_correction_needs_a_reason_and_changes_nothing_without_it(client, sitting_room, organizer, participants):
    submitted(sitting_room, organizer, absent=[participants[0]])

    with pytest.raises(ValidationError, match="причину"):
        protocol_correct(sitting_room=sitting_room, data=complete(), reason=" ", actor=organizer)
    client.force_login(organizer)
    response = client.post(
        protocol_url(sitting_room, "_correct"), {"materials_collected": "on", "handed_to_coordinator": "on"}
    )

    assert response.status_code == 400
    assert Participant.objects.get(code="10001").absent
    assert not AuditEntry.objects.filter(action="protocol.corrected").exists()


@pytest.mark.django_db
def test_a_correction_is_audited_with_before_and_after(client, sitting_room, organizer, role_users, participants):
    submitted(sitting_room, organizer, absent=[participants[0]])
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    client.force_login(coordinator)
    assert client.get(protocol_url(sitting_room, "_correct")).status_code == 200

    response = client.post(
        protocol_url(sitting_room, "_correct"),
        {
            "started_time": "09:10",
            "absent": [participants[1].pk],
            "materials_collected": "on",
            "handed_to_coordinator": "on",
            "reason": "Участник 10001 пришёл к началу, отсутствовал 10002",
        },
    )

    assert response.status_code == 302
    assert [p.code for p in Participant.objects.filter(absent=True)] == ["10002"]
    entry = AuditEntry.objects.get(action="protocol.corrected")
    assert entry.actor == coordinator and entry.reason == "Участник 10001 пришёл к началу, отсутствовал 10002"
    assert entry.before == {"absent": "10001"} and entry.after == {"absent": "10002"}
    page = client.get(protocol_url(sitting_room)).content.decode()
    assert 'data-testid="protocol-corrections"' in page and "пришёл к началу" in page


@pytest.mark.django_db
def test_a_correction_of_the_start_and_an_added_incident_are_both_recorded(sitting_room, organizer, participants):
    submitted(sitting_room, organizer)

    protocol_correct(
        sitting_room=sitting_room,
        data=complete(started_at=START + datetime.timedelta(minutes=5)),
        reason="На доске было 09:15",
        actor=organizer,
        add_incident=IncidentInput(kind=ProtocolIncident.Kind.ILLNESS, happened_at=START, note="Вызвана медсестра"),
    )

    entry = AuditEntry.objects.get(action="protocol.corrected")
    assert entry.before["started_at"] == "21.04.2026 09:10" and entry.after["started_at"] == "21.04.2026 09:15"
    assert entry.before["ends_at"] == "21.04.2026 09:55" and entry.after["ends_at"] == "21.04.2026 10:00"
    assert entry.before["incidents"] == "" and "Вызвана медсестра" in entry.after["incidents"]


@pytest.mark.django_db
def test_a_correction_that_changes_nothing_is_refused(sitting_room, organizer, participants):
    submitted(sitting_room, organizer)

    with pytest.raises(ValidationError, match="ничего не меняет"):
        protocol_correct(sitting_room=sitting_room, data=complete(), reason="проверка", actor=organizer)


@pytest.mark.django_db
def test_a_draft_cannot_be_corrected_and_the_director_never_corrects(client, sitting_room, organizer, role_users):
    client.force_login(organizer)
    assert client.get(protocol_url(sitting_room, "_correct")).status_code == 302, "nothing to correct yet"
    submitted(sitting_room, organizer)
    client.force_login(role_users[Role.DIRECTOR])
    assert client.get(protocol_url(sitting_room, "_correct")).status_code == 403


# The coordinator's and the organizer's lists -----------------------------------------------------------------


@pytest.mark.django_db
def test_the_coordinator_sees_every_room_of_a_sitting_with_its_status(
    client, campaign, school, sitting, sitting_room, organizer, coordinator, participants
):
    submitted(sitting_room, organizer, absent=[participants[1]])
    started = make_room(sitting, name="Каб. 14")
    protocol_save(sitting_room=started, data=ProtocolInput(), actor=coordinator, start=True, now=START)
    make_room(sitting, name="Каб. 16", released=False)
    client.force_login(coordinator)

    page = client.get(reverse("procedures:protocol_list", args=[campaign.code, school.code])).content.decode()

    assert "сдано 1 из 3" in page
    for room, status in (("Каб. 12", "сдан"), ("Каб. 14", "заполняется"), ("Каб. 16", "списки не переданы")):
        row = page.split(f">{room}</a>")[1].split("</tr>")[0]
        assert status in row, room
    assert "09:10 — 09:55" in page and "1 / 3" in page
    assert "Снегирёва" not in page


@pytest.mark.django_db
def test_the_coordinators_list_does_not_grow_in_queries_with_the_rooms(client, campaign, school, sitting, coordinator):
    client.force_login(coordinator)
    url = reverse("procedures:protocol_list", args=[campaign.code, school.code])
    counts = []
    for total in (1, 5):
        while SittingRoom.objects.count() < total:
            room = make_room(sitting, name=f"Каб. {SittingRoom.objects.count() + 1}")
            appoint_organizer(room)
            seat(room, f"4{room.pk:04d}", column=1)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@pytest.mark.django_db
def test_the_organizer_lists_only_their_released_rooms(client, sitting, sitting_room, organizer, participants):
    make_room(sitting, name="Каб. 20")  # not theirs
    unreleased = make_room(sitting, name="Каб. 21", released=False)
    appoint_organizer(unreleased, user=organizer)
    client.force_login(organizer)

    page = client.get(reverse("procedures:my_protocols")).content.decode()

    assert "Аудитория Каб. 12" in page and "Каб. 20" not in page and "Каб. 21" not in page
    assert protocol_url(sitting_room) in page
