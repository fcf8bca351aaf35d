"""The department's municipal results (reports/views.py, MunicipalResultsView and MunicipalAssessmentView): a
campaign's assessments with the municipality's figures, and one assessment with every school by code. VIEW_OVERVIEW,
like the overview: the department's specialists and municipal coordinators; every other role gets 403 (the schools
included: the pages list every school). Another department's campaign does not exist for them (404,
tests/reports/test_municipal_results.py)."""

from schools.access import Capability as C

from .base import Page
from .reports_municipal import build_objects as municipal_objects
from .reports_municipal import campaign_kwargs


def build_objects(own: dict, other: dict) -> None:
    municipal_objects(own, other)


def assessment_kwargs(objs):
    return {**campaign_kwargs(objs), "assessment_code": objs["assessment"].code}


PAGES = {
    "reports:municipal_results": Page(C.VIEW_OVERVIEW, kwargs=campaign_kwargs),
    "reports:municipal_assessment": Page(C.VIEW_OVERVIEW, kwargs=assessment_kwargs),
}
