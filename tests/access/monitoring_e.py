"""The sittings' video records and the observer effect (monitoring/views_video.py, views_observer_effect.py).

A school's list of video records to fill and the form of one sitting's record: RECORD_VIDEO (the school's
coordinator and technical specialist; another school's: 404); the school's records read: VIEW_OBSERVATION (the
department, the coordinator, the director). The observer effect of an assessment is municipal: VIEW_OVERVIEW."""

import datetime

from schools.access import Capability as C

from .base import Page, school_kwargs
from .reports_municipal import assessment_kwargs
from .reports_municipal import build_objects as municipal_objects


def build_objects(own: dict, other: dict) -> None:
    from procedures.models import Sitting

    municipal_objects(own, other)
    for objs in (own, other):
        # a date and lesson of our own, so that other parts' sittings of the same assessment do not collide
        objs["video_sitting"], _created = Sitting.objects.get_or_create(
            campaign=objs["campaign"],
            school=objs["school"],
            assessment=objs["assessment"],
            date=datetime.date(2026, 4, 23),
            lesson=4,
        )


def sitting_kwargs(objs):
    return {"school_code": objs["school"].code, "pk": objs["video_sitting"].pk}


PAGES = {
    "monitoring:school_video": Page(C.RECORD_VIDEO, kwargs=school_kwargs, scoped=True),
    "monitoring:school_video_records": Page(C.VIEW_OBSERVATION, kwargs=school_kwargs, scoped=True),
    "monitoring:sitting_video": Page(C.RECORD_VIDEO, kwargs=sitting_kwargs, scoped=True),
    "monitoring:observer_effect": Page(C.VIEW_OVERVIEW, kwargs=assessment_kwargs),
}
