"""The municipal analytical report (Регламент 3.2, 4.1.9, 9.3–9.4): the department's report on a campaign, in PDF and
DOCX, built in the background (reports.generation); its sections in reports.municipal_sections. Read and asked for by
the department's specialists and municipal coordinators (BUILD_MUNICIPAL_REPORT) of the campaign's department.

The two formats' jobs share one content (reports.generation.shared_content): at region scale the content (figures
and charts of every assessment) is most of the work."""

from django.utils.translation import gettext as _

from schools.access import Capability

from ..generation import ReportKind, register_report
from ..municipal_sections import municipal_report_content, municipal_report_source

NAME = "municipal_report"


def _content(campaign, school, progress):
    return municipal_report_content(campaign, progress)


KIND = register_report(
    ReportKind(
        name=NAME,
        title=lambda campaign, school: _("Аналитический отчёт о результатах ВПР: {title}").format(title=campaign.title),
        content=_content,
        source=lambda campaign, school: municipal_report_source(campaign),
        capability=Capability.BUILD_MUNICIPAL_REPORT,
        filename=lambda campaign, school: _("Аналитический_отчёт_{code}").format(code=campaign.code),
        per_school=False,
    )
)
