"""Participants, codes and their printables (procedures/views/participants.py).

Pages with pupils' names: the school's coordinator, director and technical specialist read them, the
coordinator changes them; the printables (the protocol pairs codes with names) are printed in the school only.
Who holds which capability is the table's (schools.access). Nobody else: 403; the same roles of another
school: 404. Each school's pupil gets a participation and a code here.
"""

from procedures.models import Participant
from schools.access import Capability as C

from .base import Page

READERS = C.VIEW_PARTICIPANTS
COORDINATOR = C.EDIT_PARTICIPANTS
PRINTERS = C.PRINT_MATERIALS
# the protocol with names: the coordinator and the director; the technical specialist only when the
# coordinator allows it (no delegation here, so he gets 403)
NAME_PRINTERS = C.PRINT_NAMES


def build_objects(own: dict, other: dict) -> None:
    from procedures.services.participants import codes_issue
    from tests.procedures.conftest import make_assessment, make_campaign

    if "campaign" not in own:
        own["campaign"] = other["campaign"] = make_campaign(own["department"])
    if "assessment" not in own:
        own["assessment"] = other["assessment"] = make_assessment(own["campaign"])
    for objs in (own, other):
        codes_issue(campaign=objs["campaign"], school=objs["school"], actor=None)
        objs["participant"] = Participant.objects.get(assessment=objs["assessment"], pupil=objs["pupil"])


def school_kwargs(objs):
    return {"campaign_code": objs["campaign"].code, "school_code": objs["school"].code}


def participant_kwargs(objs):
    return {**school_kwargs(objs), "pk": objs["participant"].pk}


def class_kwargs(objs):
    return {**school_kwargs(objs), "class_id": objs["pupil"].school_class_id}


PAGES = {
    "procedures:participants": Page(READERS, kwargs=school_kwargs, scoped=True),
    "procedures:participants_refresh": Page(COORDINATOR, kwargs=school_kwargs, scoped=True, ok=405),  # POST only
    "procedures:participants_codes": Page(COORDINATOR, kwargs=school_kwargs, scoped=True),
    "procedures:participants_family": Page(COORDINATOR, kwargs=school_kwargs, scoped=True),
    "procedures:participants_school_set": Page(NAME_PRINTERS, kwargs=school_kwargs, scoped=True, ok=405),
    "procedures:participants_tech_printing": Page(C.DELEGATE_PRINTING, kwargs=school_kwargs, scoped=True, ok=405),
    "procedures:participant_detail": Page(READERS, kwargs=participant_kwargs, scoped=True),
    "procedures:participant_exempt": Page(COORDINATOR, kwargs=participant_kwargs, scoped=True, ok=405),
    "procedures:participant_unexempt": Page(COORDINATOR, kwargs=participant_kwargs, scoped=True, ok=405),
    "procedures:participant_disability": Page(COORDINATOR, kwargs=participant_kwargs, scoped=True, ok=405),
    "procedures:participant_slips": Page(PRINTERS, kwargs=class_kwargs, scoped=True),
    "procedures:participant_code_list": Page(PRINTERS, kwargs=class_kwargs, scoped=True),
    "procedures:participant_protocol": Page(NAME_PRINTERS, kwargs=class_kwargs, scoped=True),
}
