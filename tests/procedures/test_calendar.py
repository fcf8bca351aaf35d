"""The working calendar for any year: weekends, the holidays of ст. 112 ТК РФ and their transfers, computed;
the Government's decree entered by the department; counting working days."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from procedures.models import CalendarDay
from procedures.services.calendar import (
    add_working_days,
    calendar_day_add,
    calendar_day_remove,
    day_off_reason,
    is_working_day,
)
from schools.models import AuditEntry, Role
from tests.factories import user_with_role

D = datetime.date

# What the 2026-only table answered before the calendar became data: its holidays, its two transfers, weekends.
TABLE_2026 = {
    D(2026, 2, 23): "праздничный день — День защитника Отечества",
    D(2026, 3, 8): "праздничный день — Международный женский день",
    D(2026, 3, 9): "нерабочий день — перенесённый выходной за 8 марта",
    D(2026, 5, 1): "праздничный день — Праздник Весны и Труда",
    D(2026, 5, 9): "праздничный день — День Победы",
    D(2026, 5, 11): "нерабочий день — перенесённый выходной за 9 мая",
    D(2026, 4, 25): "суббота",
    D(2026, 4, 26): "воскресенье",
}


@pytest.mark.django_db
def test_2026_answers_as_the_old_table_did_for_every_spring_day():
    day = D(2026, 2, 1)
    while day <= D(2026, 5, 31):
        expected = TABLE_2026.get(day)
        if expected is None and day.weekday() >= 5:
            expected = "суббота" if day.weekday() == 5 else "воскресенье"
        assert day_off_reason(day) == expected, day
        day += datetime.timedelta(days=1)


@pytest.mark.django_db
def test_the_2026_transfers_are_seeded_as_data():
    """By the data migration (run again here: a test that flushes the database removes the rows it wrote)."""
    from importlib import import_module

    from django.apps import apps

    CalendarDay.objects.all().delete()
    import_module("procedures.migrations.0004_working_calendar").seed_2026(apps, None)
    assert set(CalendarDay.objects.filter(date__year=2026).values_list("date", "kind")) == {
        (D(2026, 3, 9), CalendarDay.Kind.DAY_OFF),
        (D(2026, 5, 11), CalendarDay.Kind.DAY_OFF),
    }


@pytest.mark.django_db
def test_2026_answers_stay_the_same_without_the_seeded_rows():
    CalendarDay.objects.all().delete()
    assert day_off_reason(D(2026, 3, 9)) == "нерабочий день — перенесённый выходной за 8 марта"
    assert day_off_reason(D(2026, 5, 11)) == "нерабочий день — перенесённый выходной за 9 мая"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "day, reason",
    [
        # 2027: 1 May a Saturday, 9 May a Sunday, 12 June a Saturday — each moves to the next working day
        (D(2027, 5, 1), "праздничный день — Праздник Весны и Труда"),
        (D(2027, 5, 3), "нерабочий день — перенесённый выходной за 1 мая"),
        (D(2027, 5, 9), "праздничный день — День Победы"),
        (D(2027, 5, 10), "нерабочий день — перенесённый выходной за 9 мая"),
        (D(2027, 5, 11), None),
        (D(2027, 6, 14), "нерабочий день — перенесённый выходной за 12 июня"),
        (D(2027, 3, 8), "праздничный день — Международный женский день"),
        (D(2027, 3, 9), None),
        (D(2027, 11, 4), "праздничный день — День народного единства"),
        (D(2027, 1, 7), "праздничный день — Рождество Христово"),
        (D(2027, 1, 2), "праздничный день — Новогодние каникулы"),
        # 2 and 3 January 2027 fall on a weekend: only the Government's decree moves them
        (D(2027, 1, 11), None),
        # 2030: 23 February is a Saturday → Monday 25 February
        (D(2030, 2, 23), "праздничный день — День защитника Отечества"),
        (D(2030, 2, 24), "воскресенье"),
        (D(2030, 2, 25), "нерабочий день — перенесённый выходной за 23 февраля"),
        (D(2030, 2, 26), None),
        (D(2030, 5, 9), "праздничный день — День Победы"),
        (D(2030, 5, 10), None),
    ],
)
def test_other_years_are_computed(day, reason):
    assert day_off_reason(day) == reason
    assert is_working_day(day) is (reason is None)


@pytest.fixture
def department_user(department):
    return user_with_role(Role.DEPARTMENT_STAFF, department=department, username="uo-calendar")


@pytest.mark.django_db
def test_a_transfer_entered_by_the_department_changes_the_answer_and_is_audited(department, department_user):
    assert is_working_day(D(2027, 1, 8)) is False  # a January holiday anyway
    assert is_working_day(D(2027, 12, 31)) is True

    day = calendar_day_add(
        date=D(2027, 12, 31),
        kind=CalendarDay.Kind.DAY_OFF,
        name="перенесённый выходной за 3 января",
        source="Постановление Правительства РФ",
        actor=department_user,
        department=department,
    )

    assert day_off_reason(D(2027, 12, 31)) == "нерабочий день — перенесённый выходной за 3 января"
    entry = AuditEntry.objects.get(action="calendar.day_added")
    assert entry.actor == department_user and entry.after["date"] == "2027-12-31"

    calendar_day_remove(day=day, actor=department_user, department=department)
    assert is_working_day(D(2027, 12, 31)) is True
    assert AuditEntry.objects.filter(action="calendar.day_removed").exists()


@pytest.mark.django_db
def test_a_working_saturday_entered_by_the_department_is_a_working_day(department, department_user):
    calendar_day_add(
        date=D(2027, 11, 6),
        kind=CalendarDay.Kind.WORKING_DAY,
        name="рабочая суббота",
        actor=department_user,
        department=department,
    )
    assert is_working_day(D(2027, 11, 6)) is True


@pytest.mark.django_db
def test_a_weekday_cannot_be_made_a_working_day_and_a_date_is_entered_once(department, department_user):
    with pytest.raises(ValidationError, match="и так рабочий день"):
        calendar_day_add(
            date=D(2027, 11, 9), kind=CalendarDay.Kind.WORKING_DAY, name="x", actor=department_user, department=None
        )
    calendar_day_add(
        date=D(2027, 11, 9), kind=CalendarDay.Kind.DAY_OFF, name="x", actor=department_user, department=None
    )
    with pytest.raises(ValidationError, match="уже внесён"):
        calendar_day_add(
            date=D(2027, 11, 9), kind=CalendarDay.Kind.HOLIDAY, name="y", actor=department_user, department=None
        )
    assert CalendarDay.objects.filter(date=D(2027, 11, 9)).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "start, n, expected",
    [
        (D(2026, 4, 27), 5, D(2026, 5, 5)),  # Monday; 1 May (Fri) is a holiday
        (D(2026, 5, 6), 5, D(2026, 5, 14)),  # over 9 May (Sat) and its transfer to Monday 11 May
        (D(2027, 4, 28), 5, D(2027, 5, 6)),  # 1 May (Sat) moves to Monday 3 May
        (D(2026, 5, 8), 1, D(2026, 5, 12)),
        (D(2026, 5, 8), 0, D(2026, 5, 8)),
        (D(2026, 6, 1), 60, D(2026, 8, 25)),  # a long span (12 June on a Friday)
    ],
)
def test_add_working_days_skips_weekends_holidays_and_transfers(start, n, expected):
    assert add_working_days(start, n) == expected


@pytest.mark.django_db
def test_add_working_days_follows_the_entered_decree(department, department_user):
    calendar_day_add(
        date=D(2027, 5, 4), kind=CalendarDay.Kind.DAY_OFF, name="перенос", actor=department_user, department=department
    )
    assert add_working_days(D(2027, 4, 28), 5) == D(2027, 5, 7)  # 3 May by law, 4 May by the decree


@pytest.mark.django_db
def test_the_department_page_lists_the_years_days_and_adds_and_removes_a_transfer(client, department, department_user):
    client.force_login(department_user)

    page = client.get(reverse("procedures:working_calendar"), {"year": 2030})
    html = page.content.decode()
    assert "25.02.2030" in html and "перенесённый выходной за 23 февраля" in html and "перенос по ст. 112" in html

    response = client.post(
        reverse("procedures:working_calendar_add"),
        {"date": "2030-01-09", "kind": "day_off", "name": "перенесённый выходной за 5 января", "source": "ПП РФ"},
        follow=True,
    )
    assert "перенесённый выходной за 5 января" in response.content.decode()
    day = CalendarDay.objects.get(date=D(2030, 1, 9))
    assert is_working_day(D(2030, 1, 9)) is False

    client.post(reverse("procedures:working_calendar_remove", args=[day.pk]))
    assert not CalendarDay.objects.filter(date=D(2030, 1, 9)).exists()
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {"calendar.day_added", "calendar.day_removed"}


@pytest.mark.django_db
def test_a_school_coordinator_cannot_enter_a_transfer(client, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("procedures:working_calendar_add"), {"date": "2030-01-09", "kind": "day_off", "name": "x"}
    )
    assert response.status_code == 403
    assert not CalendarDay.objects.filter(date=D(2030, 1, 9)).exists()
