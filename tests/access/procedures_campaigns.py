from .base import DEPT, MUNICIPAL, NAME_READERS, Page

READERS = DEPT | NAME_READERS


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
    "procedures:campaign_create": Page(MUNICIPAL),
    "procedures:catalogue_load": Page(MUNICIPAL),
    "procedures:campaign_detail": Page(READERS, kwargs=campaign_kwargs),
    "procedures:campaign_edit": Page(MUNICIPAL, kwargs=campaign_kwargs),
    "procedures:campaign_status": Page(MUNICIPAL, kwargs=campaign_kwargs, ok=405),  # POST only
    "procedures:campaign_delete": Page(MUNICIPAL, kwargs=campaign_kwargs),  # what would be lost, or why not
    "procedures:assessment_create": Page(MUNICIPAL, kwargs=campaign_kwargs),
    "procedures:assessment_detail": Page(READERS, kwargs=assessment_kwargs),
    "procedures:assessment_edit": Page(MUNICIPAL, kwargs=assessment_kwargs),
    "procedures:assessment_delete": Page(MUNICIPAL, kwargs=assessment_kwargs),  # what would be lost, or why not
}
