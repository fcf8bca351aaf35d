"""Reads of the working calendar: a year's days off as computed by ст. 112 ТК РФ and as entered from the
Government's decree (the page where the department keeps the transfers)."""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from procedures.models import CalendarDay
from procedures.services.calendar import HOLIDAYS, WorkingCalendar, transferred_days_off


@dataclass(frozen=True)
class CalendarLine:
    date: datetime.date
    reason: str | None  # None: a working day (a weekend made working by the decree)
    origin: str
    entered: CalendarDay | None = None


def year_lines(year: int) -> list[CalendarLine]:
    """Every day of `year` that is not an ordinary weekday or weekend: the holidays and the transfers of
    ст. 112 ТК РФ, and the days the department entered (which prevail), by date. One query."""
    entered = {day.date: day for day in CalendarDay.objects.filter(date__year=year)}
    calendar = WorkingCalendar({d: (day.kind, day.name) for d, day in entered.items()})
    computed = {datetime.date(year, month, day) for month, day in HOLIDAYS} | set(transferred_days_off(year))
    lines = []
    for date in sorted(computed | set(entered)):
        day = entered.get(date)
        if day is not None:
            origin = day.source or _("внесено управлением образования")
        elif date in transferred_days_off(year):
            origin = _("перенос по ст. 112 ТК РФ")
        else:
            origin = _("ст. 112 ТК РФ")
        lines.append(CalendarLine(date, calendar.day_off_reason(date), origin, day))
    return lines
