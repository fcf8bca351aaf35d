"""The working calendar: the department keeps the Government's transfers of days off; schools do not see it."""

import datetime

from schools.access import Capability as C

from .base import Page


def build_objects(own: dict, other: dict) -> None:
    from procedures.models import CalendarDay

    own["calendar_day"] = CalendarDay.objects.create(
        date=datetime.date(2027, 1, 8), kind=CalendarDay.Kind.DAY_OFF, name="перенесённый выходной за 2 января"
    )


def calendar_day_kwargs(objs):
    return {"pk": objs["calendar_day"].pk}


PAGES = {
    "procedures:working_calendar": Page(C.KEEP_WORKING_CALENDAR),
    "procedures:working_calendar_add": Page(C.KEEP_WORKING_CALENDAR, ok=405),  # POST only
    "procedures:working_calendar_remove": Page(
        C.KEEP_WORKING_CALENDAR, kwargs=calendar_day_kwargs, ok=405
    ),  # POST only
}
