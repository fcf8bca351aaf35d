"""The observers' registry, the department's assignments and lotteries, the school's list of who comes
(monitoring/views_registry.py, views_assignments.py). The registry, the assignments and the lotteries are the
department's (MANAGE_OBSERVERS; another municipality's entry: 404). Who comes to a school: VIEW_OBSERVATION (the
department, the school's coordinator and director; another school's: 404); placing an observer in a room:
PLACE_OBSERVERS (the coordinator), POST only."""

import datetime

from schools.access import Capability as C

from .base import Page, school_kwargs
from .reports_municipal import build_objects as municipal_objects

POST_ONLY = 405


def build_objects(own: dict, other: dict) -> None:
    from monitoring.models import AssignmentLottery, ObservationAssignment, Person
    from procedures.models import Sitting
    from schools.models import Role
    from tests.factories import make_sitting_room, user_with_role

    municipal_objects(own, other)
    user = user_with_role(Role.OBSERVER, department=own["department"], username="a-observer", last_name="Зорин")
    person = Person.objects.create(department=own["department"], user=user, kind=Person.Kind.OBSERVER)
    for objs in (own, other):
        # a date and lesson of our own, so that other parts' sittings of the same assessment do not collide
        sitting, _created = Sitting.objects.get_or_create(
            campaign=objs["campaign"],
            school=objs["school"],
            assessment=objs["assessment"],
            date=datetime.date(2026, 4, 24),
            lesson=5,
        )
        make_sitting_room(sitting)
        objs["a_person"] = person
        objs["a_observation"] = ObservationAssignment.objects.create(person=person, sitting=sitting)
    candidates = sorted([own["a_observation"].sitting_id, other["a_observation"].sitting_id])
    own["a_lottery"] = other["a_lottery"] = AssignmentLottery.objects.create(
        department=own["department"],
        date=datetime.date(2026, 4, 24),
        seed="0" * 32,
        count=1,
        candidates=candidates,
        drawn=candidates[:1],
    )


def person_kwargs(objs):
    return {"pk": objs["a_person"].pk}


def observation_kwargs(objs):
    return {"pk": objs["a_observation"].pk}


def place_kwargs(objs):
    return {"school_code": objs["school"].code, "pk": objs["a_observation"].pk}


PAGES = {
    "monitoring:registry": Page(C.MANAGE_OBSERVERS),
    "monitoring:person_create": Page(C.MANAGE_OBSERVERS),
    "monitoring:person": Page(C.MANAGE_OBSERVERS, kwargs=person_kwargs),
    "monitoring:person_relative_add": Page(C.MANAGE_OBSERVERS, kwargs=person_kwargs, ok=POST_ONLY),
    "monitoring:person_relative_remove": Page(C.MANAGE_OBSERVERS, kwargs=person_kwargs, ok=POST_ONLY),
    "monitoring:person_deactivate": Page(C.MANAGE_OBSERVERS, kwargs=person_kwargs),  # GET asks to confirm
    "monitoring:observation_day": Page(C.MANAGE_OBSERVERS),
    "monitoring:observation_assign": Page(C.MANAGE_OBSERVERS, ok=POST_ONLY),
    "monitoring:observation_cancel": Page(C.MANAGE_OBSERVERS, kwargs=observation_kwargs),  # GET asks the reason
    "monitoring:lottery_draw": Page(C.MANAGE_OBSERVERS, ok=POST_ONLY),
    "monitoring:lottery": Page(C.MANAGE_OBSERVERS, kwargs=lambda objs: {"pk": objs["a_lottery"].pk}),
    "monitoring:lottery_auto_assign": Page(
        C.MANAGE_OBSERVERS, kwargs=lambda objs: {"pk": objs["a_lottery"].pk}, ok=POST_ONLY
    ),
    "monitoring:school_observers": Page(C.VIEW_OBSERVATION, kwargs=school_kwargs, scoped=True),
    "monitoring:observer_place": Page(C.PLACE_OBSERVERS, kwargs=place_kwargs, scoped=True, ok=POST_ONLY),
}
