"""Documents built in the background (reports/views_documents.py).

A document belongs to a school and is read by those its kind names there: the whole school's set of
participants' printables (codes with names) by those who print the protocols with names in the school
(PRINT_NAMES: the coordinator, the director; the technical specialist only when the coordinator allows it, so
here he gets 404). Without the pages' capability (PRINT_MATERIALS): 403 (the department included); for the
printing roles of another school the document does not exist (404).
"""

from django.core.files.base import ContentFile

from schools.access import Capability as C
from vpr_portal.models import GeneratedDocument

from .base import Page


def build_objects(own: dict, other: dict) -> None:
    from procedures.printables import SCHOOL_SET
    from tests.procedures.conftest import make_campaign

    if "campaign" not in own:
        own["campaign"] = other["campaign"] = make_campaign(own["department"])
    for objs in (own, other):
        document = GeneratedDocument.objects.create(
            key=f"{SCHOOL_SET}:{objs['campaign'].pk}:{objs['school'].pk}:access",
            kind=SCHOOL_SET,
            title="Комплект печати",
            params={"campaign": objs["campaign"].pk},
            school=objs["school"],
            status=GeneratedDocument.Status.DONE,
            progress=100,
        )
        document.file.save("set.pdf", ContentFile(b"%PDF-1.4 set\n"))
        objs["generated_document"] = document


def document_kwargs(objs):
    return {"pk": objs["generated_document"].pk}


# the school's set holds the protocols with names: read with PRINT_NAMES in the school
SET = {"kwargs": document_kwargs, "scoped": True, "object_access": C.PRINT_NAMES}

PAGES = {
    "reports:document_status": Page(C.PRINT_MATERIALS, **SET),
    "reports:document_download": Page(C.PRINT_MATERIALS, **SET),
    "reports:document_retry": Page(C.PRINT_MATERIALS, ok=405, **SET),  # POST only
}
