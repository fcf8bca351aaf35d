"""Small defects of the school's procedures pages, each found when tried as a new user would."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from procedures.services.participants import codes_issue
from procedures.services.schedules import schedule_get_or_create, schedule_submit
from schools.models import Role
from tests.factories import PupilFactory, SchoolClassFactory, make_sitting

from .conftest import make_assessment


def url(name, campaign, school, **kwargs):
    return reverse(f"procedures:{name}", kwargs={"campaign_code": campaign.code, "school_code": school.code, **kwargs})


@pytest.fixture
def two_grades(campaign, school, assessment):
    """Pupils of 10А, 4Б and 4А (created in that order), each writing their grade's work."""
    make_assessment(campaign, code="RU-10", grade=10)
    for grade, letter, name in ((10, "А", "Десятова"), (4, "Б", "Четвертакова"), (4, "А", "Первоклассова")):
        PupilFactory(school_class=SchoolClassFactory(school=school, grade=grade, letter=letter), last_name=name)
    codes_issue(campaign=campaign, school=school, actor=None)


@pytest.mark.django_db
def test_the_participant_list_puts_4a_before_10a(client, campaign, school, two_grades, coordinator):
    client.force_login(coordinator)
    page = client.get(url("participants", campaign, school)).content.decode()
    positions = [page.index(name) for name in ("Первоклассова", "Четвертакова", "Десятова")]
    assert positions == sorted(positions)


@pytest.mark.django_db
def test_a_missing_date_names_the_work_without_a_double_dot(campaign, school, assessment, coordinator):
    SchoolClassFactory(school=school, grade=4, letter="А")
    schedule = schedule_get_or_create(campaign=campaign, school=school)
    with pytest.raises(ValidationError) as refused:
        schedule_submit(schedule=schedule, actor=coordinator)
    message = " ".join(refused.value.messages)
    assert "Не заданы дата и урок" in message and f"«{assessment}»" in message
    assert "кл.." not in message


@pytest.mark.django_db
def test_the_checklist_does_not_show_the_documents_read_without_documents(client, campaign, school, coordinator):
    from procedures.services.plan import stages_create_defaults

    stages_create_defaults(campaign=campaign, actor=None)
    client.force_login(coordinator)
    page = client.get(reverse("procedures:checklist", kwargs={"school_code": school.code})).content.decode()
    row = page[page.index("Ознакомиться с регламентом") :]
    row = page[
        page.rindex("<tr", 0, page.index("Ознакомиться с регламентом")) : page.index("</tr>", len(page) - len(row))
    ]
    assert 'data-state="done"' not in row and "table-success" not in row


@pytest.mark.django_db
def test_the_document_filters_have_visible_labels(client, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("procedures:document_list")).content.decode()
    assert '<label class="form-label small mb-0" for="id_campaign">Кампания</label>' in page
    assert '<label class="form-label small mb-0" for="id_kind">Вид</label>' in page
    assert 'class="visually-hidden" for="id_' not in page


def _protocol_page(client, organizer, sitting_room) -> str:
    client.force_login(organizer)
    response = client.get(reverse("procedures:room_protocol", kwargs={"pk": sitting_room.pk}))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def protocol_room(campaign, assessment, school, role_users):
    """A released room of a sitting today (in the school's zone) starting now, with its organizer."""
    from django.utils import timezone

    from tests.procedures.test_protocols import appoint_organizer, make_room

    today = timezone.localtime(timezone.now(), school.tzinfo).date()
    sitting = make_sitting(assessment, school, date=today, lesson=2)
    sitting.starts_at = timezone.now()
    sitting.save()
    room = make_room(sitting)
    appoint_organizer(room, user=role_users[Role.ORGANIZER])
    return room


@pytest.mark.django_db
def test_the_protocol_warns_when_opened_on_another_day_than_its_sitting(client, role_users, protocol_room):
    organizer = role_users[Role.ORGANIZER]
    assert 'data-testid="protocol-timing"' not in _protocol_page(client, organizer, protocol_room)
    sitting = protocol_room.sitting
    day = sitting.date
    sitting.date, sitting.starts_at = day + datetime.timedelta(days=3), None
    sitting.save()
    page = _protocol_page(client, organizer, protocol_room)
    assert "Работа ещё не началась" in page and sitting.date.strftime("%d.%m.%Y") in page
    sitting.date = day - datetime.timedelta(days=2)
    sitting.save()
    assert "День проведения прошёл" in _protocol_page(client, organizer, protocol_room)


@pytest.mark.django_db
def test_the_protocol_warns_hours_before_or_after_the_sittings_window(role_users, protocol_room):
    from procedures.selectors.protocols import protocol_page

    sitting = protocol_room.sitting
    start = datetime.datetime.combine(sitting.date, datetime.time(9, 10), tzinfo=protocol_room.sitting.school.tzinfo)
    sitting.starts_at = start
    sitting.save()
    page = protocol_page(user=role_users[Role.ORGANIZER], sitting_room=protocol_room)
    assert page.timing_warning(now=start - datetime.timedelta(minutes=30)) == ""
    assert page.timing_warning(now=start + datetime.timedelta(minutes=100)) == ""
    assert "До начала работы больше часа: начало в 09:10" in page.timing_warning(
        now=start - datetime.timedelta(hours=3)
    )
    late = page.timing_warning(now=start + datetime.timedelta(hours=5))
    assert "должна была закончиться" in late
