"""The municipal analytical report (reports/views_municipal_report.py): the list of the department's campaigns, its
page per campaign (the outline, the build
block, the xlsx) and the files of its versions. BUILD_MUNICIPAL_REPORT: the department's specialists and municipal
coordinators; every other role gets 403 (the schools included: the report is the department's). Another department's
campaign and its files do not exist for them (404, tests/reports/test_municipal_analytical_report.py). Asking for
the report is a POST of the page itself."""

from django.core.files.base import ContentFile

from schools.access import Capability as C

from .base import Page
from .reports_municipal import build_objects as municipal_objects
from .reports_municipal import campaign_kwargs


def build_objects(own: dict, other: dict) -> None:
    from vpr_portal.models import GeneratedDocument

    municipal_objects(own, other)
    campaign = own["campaign"]
    document = GeneratedDocument.objects.create(
        key=f"report:municipal_report:{campaign.pk}:m:pdf:access",
        kind="report.municipal_report.pdf",
        title="Аналитический отчёт (PDF, версия 1)",
        params={
            "campaign": campaign.pk,
            "school": None,
            "department": own["department"].pk,
            "format": "pdf",
            "source": "access",
            "version": 1,
            "report": "municipal_report",
        },
        status=GeneratedDocument.Status.DONE,
        progress=100,
    )
    document.file.save("report.pdf", ContentFile(b"%PDF-1.4 report\n"))
    own["municipal_report_document"] = other["municipal_report_document"] = document


def file_kwargs(objs):
    return {"pk": objs["municipal_report_document"].pk}


PAGES = {
    "reports:municipal_analytical_reports": Page(C.BUILD_MUNICIPAL_REPORT),
    "reports:municipal_analytical_report": Page(C.BUILD_MUNICIPAL_REPORT, kwargs=campaign_kwargs),
    "reports:municipal_report_file": Page(C.BUILD_MUNICIPAL_REPORT, kwargs=file_kwargs),
}
