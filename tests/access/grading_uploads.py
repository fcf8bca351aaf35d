"""The upload of the results form to ФИС ОКО and the retention of names (grading/views_uploads.py).

The department (specialists, municipal coordinators) watches every school's upload and reads any school's page
and kept file; a school's coordinator records the upload, they and the director read the school's page and the
file. What the purge will remove: the department for all schools, a school's coordinator for their own. Nobody
else: 403 (an expert, an organizer, an observer, the department's representative, a technical specialist).
"""

from django.core.files.base import ContentFile

from grading.models import FormUpload
from schools.models import Role

from .base import MUNICIPAL, Page

SCHOOL_READERS = frozenset({Role.SCHOOL_COORDINATOR, Role.DIRECTOR})
COORDINATOR = frozenset({Role.SCHOOL_COORDINATOR})


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
    "grading:uploads": Page(MUNICIPAL, kwargs=campaign_kwargs),
    "grading:school_uploads": Page(MUNICIPAL | SCHOOL_READERS, kwargs=school_kwargs, scoped=True),
    "grading:form_upload": Page(COORDINATOR, kwargs=assessment_kwargs, scoped=True, ok=405),  # POST only
    "grading:form_upload_file": Page(MUNICIPAL | SCHOOL_READERS, kwargs=assessment_kwargs, scoped=True),
    "grading:retention": Page(MUNICIPAL, kwargs=campaign_kwargs),
    "grading:school_retention": Page(MUNICIPAL | COORDINATOR, kwargs=school_kwargs, scoped=True),
}
