"""The Russian working calendar (five-day week) for any year: which days are days off and why, and counting
working days (the re-check's 5 working days, Регламент 8.8).

Computed for every year:
- Saturday and Sunday;
- the non-working holidays of ст. 112 ТК РФ: 1–6 and 8 January (Новогодние каникулы), 7 January (Рождество
  Христово), 23 February, 8 March, 1 May, 9 May, 12 June, 4 November;
- a holiday falling on a Saturday or Sunday moves the day off to the next working day after it (ст. 112 ч. 2),
  except the January holidays 1–8, which are moved only by the Government's decree.

Entered by the department (`CalendarDay`), when the Government's yearly decree is published: transferred days
off (the January ones among them), extra holidays, and Saturdays or Sundays made working days. An entered day
prevails over the computed one.
"""

import datetime
from dataclasses import dataclass, field
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procedures.models import CalendarDay
from schools.models import Department, User
from schools.services import audit_record

NEW_YEAR_HOLIDAYS = gettext_lazy("Новогодние каникулы")

# Non-working public holidays, ст. 112 ТК РФ: (month, day) → name.
HOLIDAYS: dict[tuple[int, int], str] = {
    **{(1, day): NEW_YEAR_HOLIDAYS for day in (1, 2, 3, 4, 5, 6, 8)},
    (1, 7): gettext_lazy("Рождество Христово"),
    (2, 23): gettext_lazy("День защитника Отечества"),
    (3, 8): gettext_lazy("Международный женский день"),
    (5, 1): gettext_lazy("Праздник Весны и Труда"),
    (5, 9): gettext_lazy("День Победы"),
    (6, 12): gettext_lazy("День России"),
    (11, 4): gettext_lazy("День народного единства"),
}

SATURDAY, SUNDAY = 5, 6


def is_weekend(day: datetime.date) -> bool:
    return day.weekday() in (SATURDAY, SUNDAY)


def holiday_name(day: datetime.date) -> str | None:
    """The name of the ст. 112 holiday on `day`, or None."""
    name = HOLIDAYS.get((day.month, day.day))
    return str(name) if name is not None else None


def moves_by_law(holiday: datetime.date) -> bool:
    """Whether a holiday falling on a weekend moves the day off by ст. 112 itself: all but 1–8 January, which
    only the Government's decree moves."""
    return not (holiday.month == 1 and holiday.day <= 8)


@lru_cache(maxsize=64)
def transferred_days_off(year: int) -> dict[datetime.date, datetime.date]:
    """Day off → the holiday it replaces, for the holidays of `year` that fall on a weekend and move by law:
    each to the next day after it that is neither a weekend, a holiday nor already a transferred day off."""
    moved: dict[datetime.date, datetime.date] = {}
    for month, day in sorted(HOLIDAYS):
        holiday = datetime.date(year, month, day)
        if not is_weekend(holiday) or not moves_by_law(holiday):
            continue
        target = holiday + datetime.timedelta(days=1)
        while is_weekend(target) or holiday_name(target) or target in moved:
            target += datetime.timedelta(days=1)
        moved[target] = holiday
    return moved


def _transfer_name(holiday: datetime.date) -> str:
    return _("перенесённый выходной за {day}").format(day=date_format(holiday, "j E"))


@dataclass(frozen=True)
class WorkingCalendar:
    """The calendar with the department's entered days of a range of dates read once; the computed rules need
    no database."""

    entered: dict[datetime.date, tuple[str, str]] = field(default_factory=dict)  # date → (kind, name)

    def day_off_reason(self, day: datetime.date) -> str | None:
        """Why `day` is a day off, or None when it is a working day."""
        if day in self.entered:
            kind, name = self.entered[day]
            if kind == CalendarDay.Kind.WORKING_DAY:
                return None
            if kind == CalendarDay.Kind.HOLIDAY:
                return _("праздничный день — {name}").format(name=name)
            return _("нерабочий день — {name}").format(name=name)
        if name := holiday_name(day):
            return _("праздничный день — {name}").format(name=name)
        if holiday := transferred_days_off(day.year).get(day):
            return _("нерабочий день — {name}").format(name=_transfer_name(holiday))
        if day.weekday() == SATURDAY:
            return _("суббота")
        if day.weekday() == SUNDAY:
            return _("воскресенье")
        return None

    def is_working_day(self, day: datetime.date) -> bool:
        return self.day_off_reason(day) is None


def working_calendar(first: datetime.date, last: datetime.date) -> WorkingCalendar:
    """The calendar for the dates first…last: one query for the entered days."""
    rows = CalendarDay.objects.filter(date__range=(first, last)).values_list("date", "kind", "name")
    return WorkingCalendar({date: (kind, name) for date, kind, name in rows})


def day_off_reason(day: datetime.date) -> str | None:
    """Why `day` is a day off (Saturday and Sunday of a five-day week, a holiday, a transferred day off), or
    None when it is a working day."""
    return working_calendar(day, day).day_off_reason(day)


def is_working_day(day: datetime.date) -> bool:
    return day_off_reason(day) is None


def add_working_days(start: datetime.date, n: int) -> datetime.date:
    """The n-th working day after `start` (`start` itself not counted): the deadline of something that must
    be done within n working days of `start` — R13's five working days of a re-check (Регламент 8.8)."""
    if n < 0:
        raise ValueError("n must not be negative")
    day, counted = start, 0
    while counted < n:
        # read a span that holds n working days whatever holidays fall in it, then go on from its end if not
        span_end = day + datetime.timedelta(days=2 * (n - counted) + 20)
        calendar = working_calendar(day + datetime.timedelta(days=1), span_end)
        while counted < n and day < span_end:
            day += datetime.timedelta(days=1)
            if calendar.is_working_day(day):
                counted += 1
    return day


# The department's entries ----------------------------------------------------------------------------------


@transaction.atomic
def calendar_day_add(
    *, date: datetime.date, kind: str, name: str, source: str = "", actor: User, department: Department | None
) -> CalendarDay:
    """Enters a day of the Government's decree (a transferred day off, an extra holiday, a working Saturday)."""
    if kind not in CalendarDay.Kind.values:
        raise ValidationError(_("Неизвестный вид дня."))
    if kind == CalendarDay.Kind.WORKING_DAY and WorkingCalendar().is_working_day(date):
        raise ValidationError(
            _("{date} и так рабочий день: рабочим переносом можно сделать только выходной или праздничный.").format(
                date=date_format(date, "d.m.Y")
            )
        )
    try:
        with transaction.atomic():
            day = CalendarDay.objects.create(date=date, kind=kind, name=name.strip(), source=source.strip())
    except IntegrityError as exc:
        raise ValidationError(
            _("На {date} уже внесён перенос: удалите его, чтобы внести другой.").format(date=date_format(date, "d.m.Y"))
        ) from exc
    audit_record(
        actor=actor,
        action="calendar.day_added",
        target=day,
        department=department,
        after={"date": date.isoformat(), "kind": kind, "name": day.name, "source": day.source},
    )
    return day


@transaction.atomic
def calendar_day_remove(*, day: CalendarDay, actor: User, department: Department | None) -> None:
    """Removes an entered day: the computed calendar applies to that date again."""
    audit_record(
        actor=actor,
        action="calendar.day_removed",
        target=day,
        department=department,
        before={"date": day.date.isoformat(), "kind": day.kind, "name": day.name, "source": day.source},
    )
    day.delete()
