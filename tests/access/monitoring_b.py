"""The act of public observation and the monitoring card (monitoring/views_reports.py).

The act's pages are the observer's (OBSERVE), on their own assignment only; the card's the department's
representative's (MONITOR), on their own assignment only: the department's staff and municipal coordinators hold
MONITOR too but have no assignment of their own, so the card is 404 for them. Saving, signing and correcting are
POST only. The school's list and a signed report are VIEW_OBSERVATION: the department, the school's coordinator
and director (another school's: 404)."""

import datetime
from dataclasses import dataclass

from schools.access import Capability as C
from schools.models import Role

from .base import Page, school_kwargs


@dataclass(frozen=True)
class OwnAssignmentPage(Page):
    """A page on the person's own assignment: a role holding the capability without being the assignment's person
    gets 404 (the assignment does not exist for them)."""

    owner: str = ""

    def expected(self, role) -> int:
        status = super().expected(role)
        return 404 if status == self.ok and role != self.owner else status


def _person(username: str, kind: str, department):
    from monitoring.models import Person
    from schools.models import User
    from tests.factories import UserFactory

    user = User.objects.filter(username=username).first() or UserFactory(username=f"{username}-b")
    return Person.objects.get_or_create(user=user, defaults={"department": department, "kind": kind})[0]


def build_objects(own: dict, other: dict) -> None:
    from django.utils import timezone

    from monitoring.models import ObservationAssignment, Person, VisitReport
    from monitoring.selectors import observer_instruction_read
    from monitoring.services import observer_instruction_acknowledge
    from tests.factories import make_assessment, make_campaign, make_room, make_sitting, make_sitting_room

    if "campaign" not in own:
        own["campaign"] = other["campaign"] = make_campaign(own["department"])
    if "assessment" not in own:
        own["assessment"] = other["assessment"] = make_assessment(own["campaign"])
    observer = _person("observer", Person.Kind.OBSERVER, own["department"])
    if not observer_instruction_read(observer.user):
        observer_instruction_acknowledge(user=observer.user)
    representative = _person("rep", Person.Kind.REPRESENTATIVE, own["department"])
    for objs in (own, other):
        sitting = make_sitting(objs["assessment"], objs["school"], date=datetime.date(2026, 4, 23), lesson=7)
        sitting_room = make_sitting_room(sitting, make_room(objs["school"], name="Кабинет Б-7"))
        act = ObservationAssignment.objects.create(person=observer, sitting=sitting, sitting_room=sitting_room)
        card = ObservationAssignment.objects.create(person=representative, sitting=sitting)
        objs["act_assignment"], objs["card_assignment"] = act, card
        objs["visit_report"] = VisitReport.objects.create(
            assignment=act,
            kind=VisitReport.Kind.ACT,
            status=VisitReport.Status.SUBMITTED,
            answers={},
            submitted_at=timezone.now(),
        )


def act_kwargs(objs):
    return {"pk": objs["act_assignment"].pk}


def card_kwargs(objs):
    return {"pk": objs["card_assignment"].pk}


def report_kwargs(objs):
    return {"pk": objs["visit_report"].pk}


OBSERVER, REPRESENTATIVE = Role.OBSERVER, Role.DEPARTMENT_REPRESENTATIVE

PAGES = {
    "monitoring:report": OwnAssignmentPage(C.OBSERVE, kwargs=act_kwargs, owner=OBSERVER),
    "monitoring:report_save": OwnAssignmentPage(C.OBSERVE, kwargs=act_kwargs, ok=405, owner=OBSERVER),  # POST only
    "monitoring:report_submit": OwnAssignmentPage(C.OBSERVE, kwargs=act_kwargs, ok=302, owner=OBSERVER),
    "monitoring:report_correct": OwnAssignmentPage(C.OBSERVE, kwargs=act_kwargs, ok=405, owner=OBSERVER),
    "monitoring:card": OwnAssignmentPage(C.MONITOR, kwargs=card_kwargs, owner=REPRESENTATIVE),
    "monitoring:card_save": OwnAssignmentPage(C.MONITOR, kwargs=card_kwargs, ok=405, owner=REPRESENTATIVE),
    "monitoring:card_submit": OwnAssignmentPage(C.MONITOR, kwargs=card_kwargs, ok=302, owner=REPRESENTATIVE),
    "monitoring:card_correct": OwnAssignmentPage(C.MONITOR, kwargs=card_kwargs, ok=405, owner=REPRESENTATIVE),
    "monitoring:school_reports": Page(C.VIEW_OBSERVATION, kwargs=school_kwargs, scoped=True),
    "monitoring:report_view": Page(C.VIEW_OBSERVATION, kwargs=report_kwargs, scoped=True),
    "monitoring:report_pdf": Page(C.VIEW_OBSERVATION, kwargs=report_kwargs, scoped=True),
}
