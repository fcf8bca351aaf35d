"""Management decisions (monitoring/views_decisions.py). The register, its xlsx, a school's register and a decision:
VIEW_DECISIONS — the department (its specialists and municipal coordinators: every school's and the municipal ones)
and a school's coordinator and director (their school's and the municipal ones; another school's decision or
register: 404). Recording, editing, the outcome and cancelling: RECORD_DECISIONS — the same roles; a school edits only
its own school's decisions (another school's: 404), the department every one of its schools'. The outcome is POST only;
cancelling asks for confirmation on a page first."""

import datetime

from schools.access import Capability as C

from .base import Page, school_kwargs
from .reports_municipal import build_objects as municipal_objects


def build_objects(own: dict, other: dict) -> None:
    from monitoring.models import ManagementDecision

    municipal_objects(own, other)
    for objs in (own, other):
        objs["decision"] = ManagementDecision.objects.create(
            department=objs["department"],
            level=ManagementDecision.Level.SCHOOL,
            school=objs["school"],
            campaign=objs["campaign"],
            assessment=objs["assessment"],
            basis=ManagementDecision.Basis.OTHER,
            basis_note="итоги работы",
            text="Провести заседание методического объединения",
            responsible="Заместитель директора Иванова И. И.",
            due_on=datetime.date(2030, 9, 1),
        )


def decision_kwargs(objs):
    return {"pk": objs["decision"].pk}


PAGES = {
    "monitoring:decisions": Page(C.VIEW_DECISIONS),
    "monitoring:decisions_xlsx": Page(C.VIEW_DECISIONS),
    "monitoring:decision_new": Page(C.RECORD_DECISIONS),
    "monitoring:decision": Page(C.VIEW_DECISIONS, kwargs=decision_kwargs, scoped=True),
    "monitoring:decision_edit": Page(C.RECORD_DECISIONS, kwargs=decision_kwargs, scoped=True),
    "monitoring:decision_outcome": Page(C.RECORD_DECISIONS, kwargs=decision_kwargs, scoped=True, ok=405),
    "monitoring:decision_cancel": Page(C.RECORD_DECISIONS, kwargs=decision_kwargs, scoped=True),
    "monitoring:school_decisions": Page(C.VIEW_DECISIONS, kwargs=school_kwargs, scoped=True),
}
