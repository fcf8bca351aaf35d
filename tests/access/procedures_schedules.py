"""Class assignment, school schedules and the calendar (procedures/views/schedules.py)."""

import datetime

from procedures.models import ScheduleEntry, SchoolSchedule
from schools.access import Capability as C

from .base import Page


def campaign_kwargs(objs):
    return {"campaign_code": objs["campaign"].code}


def campaign_school_kwargs(objs):
    return {"campaign_code": objs["campaign"].code, "school_code": objs["school"].code}


def build_objects(own: dict, other: dict) -> None:
    """The campaign (shared with the other procedures modules) and a submitted schedule in each school."""
    from tests.procedures.conftest import make_assessment, make_campaign

    if "campaign" not in own:
        own["campaign"] = other["campaign"] = make_campaign(own["department"])
    if "assessment" not in own:
        own["assessment"] = other["assessment"] = make_assessment(own["campaign"])
    for objs in (own, other):
        schedule = SchoolSchedule.objects.create(
            campaign=objs["campaign"], school=objs["school"], status=SchoolSchedule.Status.SUBMITTED
        )
        ScheduleEntry.objects.create(
            schedule=schedule,
            assessment=objs["assessment"],
            school_class=objs["pupil"].school_class,
            date=datetime.date(2026, 4, 21),
            lesson=2,
        )


MUNICIPAL = C.DECIDE_SCHEDULES
SCHOOL_PAGE = C.VIEW_SCHEDULE
COORDINATOR = C.SUBMIT_SCHEDULE

PAGES = {
    "procedures:assignments": Page(MUNICIPAL, kwargs=campaign_kwargs),
    "procedures:assignment_import": Page(MUNICIPAL, kwargs=campaign_kwargs),
    "procedures:school_assignments": Page(SCHOOL_PAGE, kwargs=campaign_school_kwargs, scoped=True),
    "procedures:school_assignments_edit": Page(MUNICIPAL, kwargs=campaign_school_kwargs, scoped=True),
    "procedures:schedule_list": Page(MUNICIPAL, kwargs=campaign_kwargs),
    "procedures:schedule": Page(SCHOOL_PAGE, kwargs=campaign_school_kwargs, scoped=True),
    # the own schedule is submitted: the form is not shown, the coordinator is sent back to the schedule
    "procedures:schedule_bulk": Page(COORDINATOR, kwargs=campaign_school_kwargs, scoped=True, ok=302),
    "procedures:schedule_submit": Page(COORDINATOR, kwargs=campaign_school_kwargs, scoped=True, ok=405),  # POST only
    "procedures:schedule_decide": Page(MUNICIPAL, kwargs=campaign_school_kwargs, scoped=True, ok=405),  # POST only
    "procedures:calendar": Page(MUNICIPAL, kwargs=campaign_kwargs),
    "procedures:calendar_xlsx": Page(MUNICIPAL, kwargs=campaign_kwargs),
    "procedures:calendar_pdf": Page(MUNICIPAL, kwargs=campaign_kwargs),
    "procedures:school_calendar": Page(SCHOOL_PAGE, kwargs=campaign_school_kwargs, scoped=True),
    "procedures:school_calendar_xlsx": Page(SCHOOL_PAGE, kwargs=campaign_school_kwargs, scoped=True),
    "procedures:school_calendar_pdf": Page(SCHOOL_PAGE, kwargs=campaign_school_kwargs, scoped=True),
}
