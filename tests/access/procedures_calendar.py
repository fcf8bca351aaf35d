"""The working calendar: the department keeps the Government's transfers of days off; schools do not see it."""

import datetime

from .base import MUNICIPAL, Page


def build_objects(own: dict, other: dict) -> None:
    from procedures.models import CalendarDay

    own["calendar_day"] = CalendarDay.objects.create(
        date=datetime.date(2027, 1, 8), kind=CalendarDay.Kind.DAY_OFF, name="перенесённый выходной за 2 января"
    )


def calendar_day_kwargs(objs):
    return {"pk": objs["calendar_day"].pk}


PAGES = {
    "procedures:working_calendar": Page(MUNICIPAL),
    "procedures:working_calendar_add": Page(MUNICIPAL, ok=405),  # POST only
    "procedures:working_calendar_remove": Page(MUNICIPAL, kwargs=calendar_day_kwargs, ok=405),  # POST only
}
