"""The school's analytical справка (reports/views_school_report.py).

- The school's campaigns with results and the справка's page of a campaign (a POST there builds it): VIEW_SCHOOL_REPORT
  — the school's coordinator and director for their school, the department's staff and municipal coordinators for
  every school of their municipality; the school roles of another school: 404.
- Saving the conclusions (POST only; a GET answers 405 to those who may save): WRITE_CONCLUSIONS — the school's
  coordinator and director; the department reads them but does not write them (403).
- A built file (PDF or DOCX) of the справка: VIEW_SCHOOL_REPORT, through the documents' scope (another school's does
  not exist for a school's people: 404).
Names appear on none of them (R11; tests/reports/test_school_report.py plants a distinctive surname).
"""

from django.core.files.base import ContentFile

from schools.access import Capability as C
from vpr_portal.models import GeneratedDocument

from .base import Page


def build_objects(own: dict, other: dict) -> None:
    from reports.generation import report_kinds
    from tests.factories import make_campaign

    report_kinds()  # the справка's documents are readable once its kind is registered
    if "campaign" not in own:
        own["campaign"] = other["campaign"] = make_campaign(own["department"])
    for objs in (own, other):
        campaign, school = objs["campaign"], objs["school"]
        document = GeneratedDocument.objects.create(
            key=f"report:school_report:{campaign.pk}:{school.pk}:pdf:access",
            kind="report.school_report.pdf",
            title="Аналитическая справка (PDF, версия 1)",
            params={
                "campaign": campaign.pk,
                "school": school.pk,
                "department": campaign.department_id,
                "format": "pdf",
                "source": "access",
                "version": 1,
                "report": "school_report",
            },
            school=school,
            status=GeneratedDocument.Status.DONE,
            progress=100,
        )
        document.file.save("spravka.pdf", ContentFile(b"%PDF-1.4 spravka\n"))
        objs["school_report_document"] = document


def school_kwargs(objs):
    return {"school_code": objs["school"].code}


def report_kwargs(objs):
    return {"school_code": objs["school"].code, "campaign_code": objs["campaign"].code}


def file_kwargs(objs):
    return {"pk": objs["school_report_document"].pk}


PAGES = {
    "reports:school_report_index": Page(C.VIEW_SCHOOL_REPORT, kwargs=school_kwargs, scoped=True),
    "reports:school_report": Page(C.VIEW_SCHOOL_REPORT, kwargs=report_kwargs, scoped=True),
    "reports:school_report_conclusions": Page(C.WRITE_CONCLUSIONS, ok=405, kwargs=report_kwargs, scoped=True),
    "reports:school_report_file": Page(C.VIEW_SCHOOL_REPORT, kwargs=file_kwargs, scoped=True),
}
