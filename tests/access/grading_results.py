"""The school's results: the index, the figures of an assessment, the results form (blank and for ФИС ОКО) and its
import (grading/views_results.py).

The school's coordinator and director read the results with names (a class's page has none, for anyone); they and the
technical specialist download the forms (the one for ФИС ОКО included); only the coordinator imports (the
capabilities are the table's, schools.access). The department's specialists and municipal coordinators read any
school's index and figures, by codes only. Everybody else: 403; the school roles of another school: 404. Each
school's pupils get their participation and code here (the forms refuse participants without a code)."""

from schools.access import Capability as C

from .base import Page


def build_objects(own: dict, other: dict) -> None:
    from procedures.services.participants import codes_issue
    from tests.procedures.conftest import make_assessment, make_campaign

    if "campaign" not in own:
        own["campaign"] = other["campaign"] = make_campaign(own["department"])
    if "assessment" not in own:
        own["assessment"] = other["assessment"] = make_assessment(own["campaign"])
    for objs in (own, other):
        codes_issue(campaign=objs["campaign"], school=objs["school"], actor=None)


def school_kwargs(objs):
    return {"campaign_code": objs["campaign"].code, "school_code": objs["school"].code}


def assessment_kwargs(objs):
    return {**school_kwargs(objs), "assessment_code": objs["assessment"].code}


def class_kwargs(objs):
    """The class of the school's pupil, a participant of the assessment once the codes are issued."""
    return {**assessment_kwargs(objs), "class_name": objs["pupil"].school_class.name}


PAGES = {
    "grading:results": Page(C.VIEW_RESULTS, kwargs=school_kwargs, scoped=True),
    "grading:results_figures": Page(C.VIEW_RESULTS, kwargs=assessment_kwargs, scoped=True),
    # one class's figures beside the school's and the municipality's: codes only, for everyone
    "grading:results_class": Page(C.VIEW_RESULTS, kwargs=class_kwargs, scoped=True),
    "grading:results_form": Page(C.RESULTS_FORM, kwargs=assessment_kwargs, scoped=True),
    "grading:results_form_filled": Page(C.RESULTS_FORM, kwargs=assessment_kwargs, scoped=True),
    "grading:results_import": Page(C.IMPORT_RESULTS, kwargs=assessment_kwargs, scoped=True),
}
