"""The municipal analytical report (Регламент 3.2, 4.1.9, 9.3–9.4): the department's report on a campaign, in PDF and
DOCX, built in the background (reports.generation); its sections in reports.municipal_sections. Read and asked for by
the department's specialists and municipal coordinators (BUILD_MUNICIPAL_REPORT) of the campaign's department."""

from django.utils.translation import gettext as _

from schools.access import Capability

from ..generation import ReportKind, register_report
from ..municipal_sections import municipal_report_content, municipal_report_source

NAME = "municipal_report"

KIND = register_report(
    ReportKind(
        name=NAME,
        title=lambda campaign, school: _("Аналитический отчёт о результатах ВПР: {title}").format(title=campaign.title),
        content=lambda campaign, school, progress: municipal_report_content(campaign, progress),
        source=lambda campaign, school: municipal_report_source(campaign),
        capability=Capability.BUILD_MUNICIPAL_REPORT,
        filename=lambda campaign, school: _("Аналитический_отчёт_{code}").format(code=campaign.code),
        per_school=False,
    )
)
