"""Campaigns and their catalogue (procedures/views/campaigns.py): the department and the schools read the
announced campaigns, the department manages them. Who holds which capability is the table's (schools.access)."""

from schools.access import Capability as C

from .base import Page

READERS = C.VIEW_CAMPAIGNS
MANAGERS = C.MANAGE_CAMPAIGNS


def build_objects(own: dict, other: dict) -> None:
    from tests.procedures.conftest import make_assessment, make_campaign

    if "campaign" not in own:
        own["campaign"] = other["campaign"] = make_campaign(own["department"])
    if "assessment" not in own:
        own["assessment"] = other["assessment"] = make_assessment(own["campaign"])


def campaign_kwargs(objs):
    return {"campaign_code": objs["campaign"].code}


def assessment_kwargs(objs):
    return {"campaign_code": objs["campaign"].code, "assessment_code": objs["assessment"].code}


PAGES = {
    "procedures:campaign_list": Page(READERS),
    "procedures:campaign_create": Page(MANAGERS),
    "procedures:catalogue_load": Page(MANAGERS),
    "procedures:campaign_detail": Page(READERS, kwargs=campaign_kwargs),
    "procedures:campaign_edit": Page(MANAGERS, kwargs=campaign_kwargs),
    "procedures:campaign_status": Page(MANAGERS, kwargs=campaign_kwargs, ok=405),  # POST only
    "procedures:campaign_delete": Page(MANAGERS, kwargs=campaign_kwargs),  # what would be lost, or why not
    "procedures:assessment_create": Page(MANAGERS, kwargs=campaign_kwargs),
    "procedures:assessment_detail": Page(READERS, kwargs=assessment_kwargs),
    "procedures:assessment_edit": Page(MANAGERS, kwargs=assessment_kwargs),
    "procedures:assessment_delete": Page(MANAGERS, kwargs=assessment_kwargs),  # what would be lost, or why not
}
