"""The upload of the results form to ФИС ОКО and the retention of names (grading/views_uploads.py), with the
capabilities of the table (schools.access).

The department (specialists, municipal coordinators) watches every school's upload (MONITOR_UPLOADS) and reads
any school's page and kept file (VIEW_UPLOADS), as the school's coordinator, director and technical specialist
read their school's; the coordinator and the technical specialist record the upload (UPLOAD_RESULTS_FORM).
What the purge will remove: the department running the campaign for all schools (MANAGE_CAMPAIGNS), a
school's page of it with VIEW_RETENTION. Nobody else: 403; the school roles of another school: 404.
"""

from django.core.files.base import ContentFile

from grading.models import FormUpload
from schools.access import Capability as C

from .base import Page


def build_objects(own: dict, other: dict) -> None:
    from tests.procedures.conftest import make_assessment, make_campaign

    if "campaign" not in own:
        own["campaign"] = other["campaign"] = make_campaign(own["department"])
    if "assessment" not in own:
        own["assessment"] = other["assessment"] = make_assessment(own["campaign"])
    for objs in (own, other):
        upload = FormUpload(campaign=objs["campaign"], school=objs["school"], assessment=objs["assessment"])
        upload.file.save("fisoko.xlsx", ContentFile(b"PK\x03\x04 form"), save=True)
        objs["form_upload"] = upload


def campaign_kwargs(objs):
    return {"campaign_code": objs["campaign"].code}


def school_kwargs(objs):
    return {**campaign_kwargs(objs), "school_code": objs["school"].code}


def assessment_kwargs(objs):
    return {**school_kwargs(objs), "assessment_code": objs["assessment"].code}


PAGES = {
    "grading:uploads": Page(C.MONITOR_UPLOADS, kwargs=campaign_kwargs),
    "grading:school_uploads": Page(C.VIEW_UPLOADS, kwargs=school_kwargs, scoped=True),
    "grading:form_upload": Page(C.UPLOAD_RESULTS_FORM, kwargs=assessment_kwargs, scoped=True, ok=405),  # POST only
    "grading:form_upload_file": Page(C.VIEW_UPLOADS, kwargs=assessment_kwargs, scoped=True),
    "grading:retention": Page(C.MANAGE_CAMPAIGNS, kwargs=campaign_kwargs),
    "grading:school_retention": Page(C.VIEW_RETENTION, kwargs=school_kwargs, scoped=True),
}
