"""The sittings' video surveillance records (Регламент 4.3.10, 8.1; monitoring/video.py): the school's coordinator
or technical specialist ticks the sitting's rooms under video («все аудитории» ticks them all), the printing, where
the recording is kept and until when; bad input is refused whole in Russian; every edit is audited with before and
after; a keeping date too early for the re-check is saved with a warning; the director reads the records; another
school's sitting is 404."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from monitoring.models import VideoRecord
from monitoring.video import keep_at_least_until, keeping_warning, video_record_for, video_record_save
from schools.models import AuditEntry, Role
from tests.factories import make_assessment, make_campaign, make_room, make_sitting, make_sitting_room


@pytest.fixture
def sitting(school):
    campaign = make_campaign(school.department)  # window 20.04–20.05.2026, results due 25.05.2026
    return make_sitting(make_assessment(campaign), school, date=datetime.date(2026, 4, 21))


@pytest.fixture
def rooms(sitting):
    return [
        make_sitting_room(sitting, make_room(sitting.school, name="Кабинет 5")),
        make_sitting_room(sitting, make_room(sitting.school, name="Кабинет 7")),
    ]


def url(sitting):
    return reverse("monitoring:sitting_video", args=[sitting.school.code, sitting.pk])


def test_nothing_recorded_is_none(sitting):
    assert video_record_for(sitting) is None


def test_the_keeping_rule_is_three_months_after_the_results_deadline(sitting):
    # the deadline is 25.05.2026 23:59 in Yekaterinburg, later than the sitting: three months after it
    assert keep_at_least_until(sitting) == datetime.date(2026, 8, 25)
    assert keeping_warning(sitting, datetime.date(2026, 8, 25)) == ""
    warning = keeping_warning(sitting, datetime.date(2026, 6, 1))
    assert "01.06.2026" in warning and "25.08.2026" in warning and "перепроверк" in warning


def test_the_coordinator_records_all_rooms_and_is_audited(client, role_users, sitting, rooms):
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    response = client.post(
        url(sitting),
        {"all_rooms": "1", "printing_recorded": "1", "storage_place": "Сервер школы", "kept_until": "2026-09-01"},
    )
    assert response.status_code == 302
    record = video_record_for(sitting)
    assert set(record.rooms.all()) == set(rooms)
    assert record.printing_recorded and record.storage_place == "Сервер школы"
    assert record.kept_until == datetime.date(2026, 9, 1)
    assert record.recorded_by == role_users[Role.SCHOOL_COORDINATOR]
    entry = AuditEntry.objects.get(action="monitoring.video_recorded")
    assert entry.before is None and entry.after["rooms"] == ["Кабинет 5", "Кабинет 7"]
    assert entry.school == sitting.school


def test_an_edit_keeps_before_and_after(role_users, sitting, rooms):
    tech = role_users[Role.TECHNICAL_SPECIALIST]
    video_record_save(
        sitting=sitting,
        room_ids=[rooms[0].pk],
        printing_recorded=False,
        storage_place="Сервер",
        kept_until=datetime.date(2026, 9, 1),
        actor=tech,
    )
    video_record_save(
        sitting=sitting,
        room_ids=[rooms[0].pk, rooms[1].pk],
        printing_recorded=True,
        storage_place="Сервер",
        kept_until=datetime.date(2026, 10, 1),
        actor=tech,
    )
    assert VideoRecord.objects.count() == 1
    entry = AuditEntry.objects.get(action="monitoring.video_changed")
    assert entry.before["rooms"] == ["Кабинет 5"] and entry.before["kept_until"] == "2026-09-01"
    assert entry.after["rooms"] == ["Кабинет 5", "Кабинет 7"] and entry.after["printing_recorded"] is True


def test_an_early_keeping_date_is_saved_with_a_warning(client, role_users, sitting, rooms):
    client.force_login(role_users[Role.TECHNICAL_SPECIALIST])
    response = client.post(
        url(sitting), {"rooms": [rooms[0].pk], "storage_place": "Сервер", "kept_until": "2026-05-01"}, follow=True
    )
    assert response.status_code == 200
    assert video_record_for(sitting).kept_until == datetime.date(2026, 5, 1)
    assert "храните её не меньше трёх месяцев" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"printing_recorded": "1", "kept_until": "2026-09-01"}, "storage_place", "Укажите, где хранится запись."),
        ({"all_rooms": "1", "storage_place": "Сервер"}, "kept_until", "Укажите, до какой даты хранится запись."),
        ({"all_rooms": "1", "storage_place": "Сервер", "kept_until": "2026-04-01"}, "kept_until", "раньше дня"),
        ({"all_rooms": "1", "storage_place": "Сервер", "kept_until": "01.13.2026"}, "kept_until", "ДД.ММ.ГГГГ"),
    ],
)
def test_bad_input_is_refused_in_russian_and_writes_nothing(client, role_users, sitting, rooms, data, field, message):
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    response = client.post(url(sitting), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert f'data-testid="error-{field}"' in response.content.decode()
    assert not VideoRecord.objects.exists() and not AuditEntry.objects.filter(action__startswith="monitoring.video")


def test_a_room_of_another_sitting_is_refused(role_users, sitting, rooms, other_school):
    foreign = make_sitting_room(make_sitting(sitting.assessment, other_school))
    with pytest.raises(ValidationError) as error:
        video_record_save(
            sitting=sitting,
            room_ids=[rooms[0].pk, foreign.pk],
            printing_recorded=False,
            storage_place="Сервер",
            kept_until=datetime.date(2026, 9, 1),
            actor=role_users[Role.SCHOOL_COORDINATOR],
        )
    assert "rooms" in error.value.message_dict
    assert not VideoRecord.objects.exists()


def test_the_school_list_shows_each_sittings_state_and_the_director_reads_it(client, role_users, sitting, rooms):
    unrecorded = make_sitting(sitting.assessment, sitting.school, date=datetime.date(2026, 4, 22))
    video_record_save(
        sitting=sitting,
        room_ids=[rooms[0].pk],
        printing_recorded=True,
        storage_place="Сейф директора",
        kept_until=datetime.date(2026, 9, 1),
        actor=role_users[Role.SCHOOL_COORDINATOR],
    )
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    page = client.get(reverse("monitoring:school_video", args=[sitting.school.code])).content.decode()
    assert "Сейф директора" in page and "1 из 2" in page
    assert f'data-sitting="{unrecorded.pk}"' in page and "не отмечено" in page
    assert url(sitting) in page
    client.force_login(role_users[Role.DIRECTOR])
    page = client.get(reverse("monitoring:school_video_records", args=[sitting.school.code])).content.decode()
    assert "Сейф директора" in page and "01.09.2026" in page
    assert url(sitting) not in page  # the director reads, does not edit


def test_another_schools_sitting_is_404(client, role_users, other_school):
    campaign = make_campaign(other_school.department)
    foreign = make_sitting(make_assessment(campaign), other_school)
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    own_school_code = role_users[Role.SCHOOL_COORDINATOR].memberships.first().school.code
    assert client.get(reverse("monitoring:sitting_video", args=[own_school_code, foreign.pk])).status_code == 404
    assert client.get(url(foreign)).status_code == 404


def test_a_non_federal_campaign_keeps_three_months_after_its_period(school):
    campaign = make_campaign(
        school.department, code="ENTRY-2026", kind="entry", upload_deadline=None, window_end=datetime.date(2026, 4, 30)
    )
    sitting = make_sitting(make_assessment(campaign), school, date=datetime.date(2026, 4, 21))
    assert keep_at_least_until(sitting) == datetime.date(2026, 7, 30)


def test_the_school_list_does_not_grow_in_queries_with_the_sittings(client, role_users, sitting, rooms):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    page = reverse("monitoring:school_video", args=[sitting.school.code])
    client.force_login(coordinator)

    def record(one):
        video_record_save(
            sitting=one,
            room_ids=list(one.rooms.values_list("pk", flat=True)),
            printing_recorded=True,
            storage_place="Сервер",
            kept_until=datetime.date(2026, 9, 1),
            actor=coordinator,
        )

    record(sitting)
    client.get(page)
    with CaptureQueriesContext(connection) as few:
        client.get(page)
    for lesson in (3, 4, 5):
        more = make_sitting(sitting.assessment, sitting.school, lesson=lesson)
        make_sitting_room(more, make_room(sitting.school, name=f"Кабинет {lesson}0"))
        record(more)
    with CaptureQueriesContext(connection) as many:
        response = client.get(page)
    assert response.content.decode().count("Изменить") == 4
    assert len(many.captured_queries) == len(few.captured_queries)
