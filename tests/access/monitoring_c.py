"""Violations of the procedure (monitoring/views_violations.py). The department's list, its xlsx, recording a
violation and closing one: CLOSE_VIOLATIONS (its specialists and municipal coordinators; every other role 403,
the schools included: the list holds every school). A school's violations and one violation: VIEW_VIOLATIONS —
the department, and the coordinator and director of the violation's school (another school's: 404). Answering is
the school's (ANSWER_VIOLATIONS); answering and closing are POST only."""

from schools.access import Capability as C

from .base import Page, school_kwargs
from .reports_municipal import build_objects as municipal_objects


def build_objects(own: dict, other: dict) -> None:
    from monitoring.models import Violation
    from tests.factories import make_sitting

    municipal_objects(own, other)
    for objs in (own, other):
        sitting = make_sitting(objs["assessment"], objs["school"], lesson=3)
        objs["violation"] = Violation.objects.create(
            school=objs["school"],
            sitting=sitting,
            kind=Violation.Kind.OUTSIDERS,
            details="Посторонний в аудитории",
            source=Violation.Source.DEPARTMENT,
        )


def violation_kwargs(objs):
    return {"pk": objs["violation"].pk}


PAGES = {
    "monitoring:violations": Page(C.CLOSE_VIOLATIONS),
    "monitoring:violations_xlsx": Page(C.CLOSE_VIOLATIONS),
    "monitoring:violation_new": Page(C.CLOSE_VIOLATIONS),
    "monitoring:school_violations": Page(C.VIEW_VIOLATIONS, kwargs=school_kwargs, scoped=True),
    "monitoring:violation": Page(C.VIEW_VIOLATIONS, kwargs=violation_kwargs, scoped=True),
    "monitoring:violation_answer": Page(C.ANSWER_VIOLATIONS, kwargs=violation_kwargs, scoped=True, ok=405),
    "monitoring:violation_close": Page(C.CLOSE_VIOLATIONS, kwargs=violation_kwargs, ok=405),  # POST only
}
