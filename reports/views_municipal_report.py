"""The municipal analytical report's page (reports.kinds.municipal_report): for the department's specialists and
municipal coordinators of the campaign's department (BUILD_MUNICIPAL_REPORT; another department's campaign does not
exist for them: 404; a school's roles: 403). The outline of its sections, the build block (progress while it is built
in the background, the versions, an outdated one's offer to rebuild), the xlsx with every school's figures, and the
files through the scope check."""

from django.views.generic import TemplateView

from procedures.access import CampaignMixin, campaigns_with
from procedures.models import Campaign
from schools.access import Capability as C
from schools.access import CapabilityMixin

from .generation import report_state
from .kinds.municipal_report import NAME
from .municipal_sections import section_titles
from .views_generation import ReportBuildMixin, ReportFileView

PER_ASSESSMENT = (
    "participation",
    "marks",
    "tasks",
    "levels",
    "skills",
    "mark_groups",
    "journal",
    "histogram",
    "dynamics",
    "items",
    "funnel",
    "signals",
)


class MunicipalReportIndexView(CapabilityMixin, TemplateView):
    """The department's campaigns (not drafts), the latest first, each with its report's latest version: the way in
    from the menu."""

    capability = C.BUILD_MUNICIPAL_REPORT
    template_name = "reports/municipal_report/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaigns = (
            campaigns_with(self.viewer, self.capability)
            .exclude(status=Campaign.Status.DRAFT)
            .order_by("-window_start", "code")
        )
        context["rows"] = [
            (campaign, report_state(name=NAME, campaign=campaign, school=None, user=self.request.user).latest)
            for campaign in campaigns
        ]
        return context


class MunicipalReportPageView(ReportBuildMixin, CampaignMixin, TemplateView):
    """GET: the report's page; POST: asks for the report (built in the background) and returns here."""

    capability = C.BUILD_MUNICIPAL_REPORT
    report_name = NAME
    template_name = "reports/municipal_report/page.html"

    def report_school(self):
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        titles = section_titles()
        state = report_state(name=NAME, campaign=self.campaign, school=None, user=self.request.user)
        context.update(
            state=state,
            can_build=True,
            file_url="reports:municipal_report_file",
            assessments=list(self.campaign.assessments.select_related("subject")),
            summary_title=titles["summary"],
            assessment_sections=[titles[key] for key in PER_ASSESSMENT],
            campaign_sections=[
                titles[key]
                for key in ("observation", "observer_effect", "recheck", "agreement", "decisions", "closing")
            ],
        )
        return context


class MunicipalReportFileView(ReportFileView):
    """A file (PDF or DOCX) of one of the report's versions."""

    capability = C.BUILD_MUNICIPAL_REPORT
    report_name = NAME
