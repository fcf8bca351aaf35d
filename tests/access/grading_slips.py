"""Parents' results slips (grading/views_slips.py): the school's campaigns, a campaign's assessments and classes with
the log of prints, a class's handout list, the class's slips as PDF (names: the school only, R11), and removing a
handout mark (POST only).

Only those who print the parents' slips (PRINT_PARENT_SLIPS: the school's coordinator and director) open them; the
department and every other role get 403; the coordinator and director of another school get 404. The class is the
school's pupil's class, a participant of the assessment once the codes are issued."""

from schools.access import Capability as C

from .base import Page


def build_objects(own: dict, other: dict) -> None:
    from procedures.models import Participant
    from procedures.services.participants import codes_issue
    from tests.factories import make_assessment, make_campaign

    if "campaign" not in own:
        own["campaign"] = other["campaign"] = make_campaign(own["department"])
    if "assessment" not in own:
        own["assessment"] = other["assessment"] = make_assessment(own["campaign"])
    for objs in (own, other):
        if (
            not Participant.objects.filter(school=objs["school"], assessment=objs["assessment"])
            .exclude(code="")
            .exists()
        ):
            codes_issue(campaign=objs["campaign"], school=objs["school"], actor=None)


def school_kwargs(objs):
    return {"school_code": objs["school"].code}


def campaign_kwargs(objs):
    return {**school_kwargs(objs), "campaign_code": objs["campaign"].code}


def class_kwargs(objs):
    return {
        **campaign_kwargs(objs),
        "assessment_code": objs["assessment"].code,
        "class_id": objs["pupil"].school_class.pk,
    }


SLIPS = {"scoped": True}

PAGES = {
    "grading:slips_school": Page(C.PRINT_PARENT_SLIPS, kwargs=school_kwargs, **SLIPS),
    "grading:slips_campaign": Page(C.PRINT_PARENT_SLIPS, kwargs=campaign_kwargs, **SLIPS),
    "grading:slips_class": Page(C.PRINT_PARENT_SLIPS, kwargs=class_kwargs, **SLIPS),
    "grading:slips_print": Page(C.PRINT_PARENT_SLIPS, kwargs=class_kwargs, **SLIPS),
    "grading:slips_handout_cancel": Page(C.PRINT_PARENT_SLIPS, ok=405, kwargs=class_kwargs, **SLIPS),  # POST only
}
