"""The department's municipal report (reports/views.py, MunicipalReportView): the xlsx of a campaign's results per
school and for the municipality, offered on the overview. VIEW_OVERVIEW, like the overview: the department's
specialists and municipal coordinators; every other role gets 403 (the schools included: the report lists every
school), and the funnel plots of an assessment (reports:municipal_funnel). Another department's campaign does not
exist for them (404, tests/reports/test_municipal_report.py)."""

from schools.access import Capability as C

from .base import Page


def build_objects(own: dict, other: dict) -> None:
    from tests.factories import make_assessment, make_campaign

    if "campaign" not in own:
        own["campaign"] = other["campaign"] = make_campaign(own["department"])
    if "assessment" not in own:
        own["assessment"] = other["assessment"] = make_assessment(own["campaign"])


def campaign_kwargs(objs):
    return {"campaign_code": objs["campaign"].code}


def assessment_kwargs(objs):
    return {**campaign_kwargs(objs), "assessment_code": objs["assessment"].code}


PAGES = {
    "reports:municipal_report": Page(C.VIEW_OVERVIEW, kwargs=campaign_kwargs),
    # the funnel plots of an assessment: every school by code, like the municipal assessment page
    "reports:municipal_funnel": Page(C.VIEW_OVERVIEW, kwargs=assessment_kwargs),
}
