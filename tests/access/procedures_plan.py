"""The plan-graph: the school's checklist, the department's stages of a campaign and «Ход кампании»."""

import datetime

from django.utils import timezone

from procedures.models import Stage
from schools.access import Capability as C
from tests.factories import make_campaign

from .base import Page, school_kwargs


def build_objects(own: dict, other: dict) -> None:
    if "campaign" not in own:
        # ВПР-2026, active, April 20 – May 20 2026, results due May 25 23:59 in Yekaterinburg (18:59 UTC)
        own["campaign"] = other["campaign"] = make_campaign(own["department"])
    own["plan_stage"] = other["plan_stage"] = Stage.objects.create(
        campaign=own["campaign"],
        kind=Stage.Kind.OTHER,
        title="Провести инструктаж организаторов",
        deadline=timezone.now() + datetime.timedelta(days=5),
    )


def campaign_kwargs(objs):
    return {"campaign_code": objs["campaign"].code}


def stage_kwargs(objs):
    return {"campaign_code": objs["campaign"].code, "pk": objs["plan_stage"].pk}


def mark_kwargs(objs):
    return {"school_code": objs["school"].code, "stage_id": objs["plan_stage"].pk}


def school_progress_kwargs(objs):
    return {"campaign_code": objs["campaign"].code, "school_code": objs["school"].code}


PAGES = {
    # The school coordinator's start page.
    "procedures:checklist": Page(C.VIEW_CHECKLIST, kwargs=school_kwargs, scoped=True),
    "procedures:plan_stage_mark": Page(C.MARK_STAGES, ok=405, kwargs=mark_kwargs, scoped=True),
    "procedures:plan": Page(C.KEEP_PLAN, kwargs=campaign_kwargs),
    "procedures:plan_stage_create": Page(C.KEEP_PLAN, kwargs=campaign_kwargs),
    "procedures:plan_stage_defaults": Page(C.KEEP_PLAN, ok=405, kwargs=campaign_kwargs),  # POST only
    "procedures:plan_stage_edit": Page(C.KEEP_PLAN, kwargs=stage_kwargs),
    "procedures:plan_stage_delete": Page(C.KEEP_PLAN, kwargs=stage_kwargs),  # GET: the confirmation
    "procedures:progress": Page(C.KEEP_PLAN, kwargs=campaign_kwargs),
    "procedures:progress_school": Page(C.KEEP_PLAN, kwargs=school_progress_kwargs, scoped=True),
}
