"""Regulation documents: the department publishes and follows confirmations, a school's coordinator and
director read, download and confirm; nobody else.

Documents belong to a department, not a school, so "another school's objects" here are a document of another
municipality: a school role of ours must get it as 404.
"""

from django.core.files.base import ContentFile

from schools.access import Capability as C
from schools.models import Role
from tests.factories import DepartmentFactory, user_with_role

from .base import Page

READERS = C.READ_DOCUMENTS
PUBLISHERS = C.PUBLISH_DOCUMENTS
SCHOOLS = C.ACKNOWLEDGE_DOCUMENTS


def document_kwargs(objs):
    return {"pk": objs["document"].pk}


def version_kwargs(objs):
    return {"pk": objs["document"].pk, "number": 1}


def _publish(department, title):
    from procedures.services.documents import document_publish

    publisher = user_with_role(Role.DEPARTMENT_STAFF, department=department)
    version = document_publish(
        department=department,
        kind="regulation",
        title=title,
        file=ContentFile(b"%PDF-1.4 test\n", name="reglament.pdf"),
        actor=publisher,
    )
    return version.document


def build_objects(own: dict, other: dict) -> None:
    own["document"] = _publish(own["department"], "Регламент проведения ВПР")
    elsewhere = DepartmentFactory(code="uo-documents-elsewhere", name="УО другого округа", short_name="УО другого")
    other["document"] = _publish(elsewhere, "Регламент другого округа")


PAGES = {
    "procedures:document_list": Page(READERS),
    "procedures:document_create": Page(PUBLISHERS),
    "procedures:document_detail": Page(READERS, kwargs=document_kwargs, scoped=True),
    "procedures:document_version_create": Page(PUBLISHERS, kwargs=document_kwargs, scoped=True),
    "procedures:document_version_status": Page(PUBLISHERS, kwargs=version_kwargs, scoped=True),
    "procedures:document_download": Page(READERS, kwargs=version_kwargs, scoped=True),
    "procedures:document_acknowledge": Page(SCHOOLS, kwargs=version_kwargs, scoped=True, ok=405),  # POST only
}
