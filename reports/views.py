import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views import View
from django.views.generic import TemplateView

from grading.figures import HIDDEN_BELOW, SMALL_SAMPLE
from grading.item_analysis import MIN_PARTICIPANTS, WEAK_ITEM_REST, item_analysis
from procedures.access import CampaignMixin
from procedures.views.documents import content_disposition
from schools.access import Capability as C
from schools.access import CapabilityMixin
from vpr_portal.access import get_scoped_or_404

from .exports import municipal_report_filename, municipal_report_write
from .selectors import campaign_results, municipal_assessment, municipality_overview

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class OverviewView(CapabilityMixin, TemplateView):
    """The department's start page: the municipality at a glance."""

    capability = C.VIEW_OVERVIEW
    template_name = "reports/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(municipality_overview(self.request.user))
        return context


class MunicipalResultsView(CampaignMixin, TemplateView):
    """The campaign's assessments with the municipality's figures of each, for the department (VIEW_OVERVIEW):
    participants, absent, the marks' shares, the mean; each leads to its municipal assessment page."""

    capability = C.VIEW_OVERVIEW
    template_name = "reports/results/campaign.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(rows=campaign_results(self.campaign), small_sample=SMALL_SAMPLE, hidden_below=HIDDEN_BELOW)
        return context


class MunicipalAssessmentView(CampaignMixin, TemplateView):
    """One assessment for the municipality (participation, marks, mean, tasks, journal, the histogram with the
    mark boundaries, the item analysis from 30 participants), then every school with results by code (R15, never
    by a figure), each with its signals' kinds and a link to its results page. Small groups: a warning under 10;
    under 5 no percentages, with complementary suppression (reports.suppression)."""

    capability = C.VIEW_OVERVIEW
    template_name = "reports/results/assessment.html"

    def resolve(self, **kwargs) -> None:
        self.assessment = get_scoped_or_404(
            self.campaign.assessments.select_related("subject"), code=kwargs["assessment_code"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = municipal_assessment(self.assessment)
        whole = page.municipality
        boundaries = {str(score): mark for mark, score in self.assessment.scale.items()}  # the lowest score of a mark
        context.update(
            assessment=self.assessment,
            page=page,
            whole=whole,
            task_rows=[(task, whole.tasks[task.label]) for task in page.tasks],
            histogram=[(score, n, boundaries.get(score)) for score, n in whole.histogram.items()],
            small_sample=SMALL_SAMPLE,
            hidden_below=HIDDEN_BELOW,
            item_analysis=item_analysis(self.assessment),
            item_analysis_min=MIN_PARTICIPANTS,
            weak_item_rest=WEAK_ITEM_REST,
        )
        return context


class MunicipalReportView(CampaignMixin, View):
    """The campaign's municipal report (xlsx), as `export_municipal_report` writes it, for the department: the
    municipality's results, offered on the overview (VIEW_OVERVIEW, which only the department's specialists and
    municipal coordinators hold). A department view, so groups under 5 participants show no percentages."""

    capability = C.VIEW_OVERVIEW

    def get(self, request, **kwargs):
        output = io.BytesIO()
        try:
            municipal_report_write(self.campaign, output, hide_small=True)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("reports:overview")
        response = HttpResponse(output.getvalue(), content_type=XLSX_TYPE)
        response["Content-Disposition"] = content_disposition(
            municipal_report_filename(self.campaign), fallback=f"municipal_report_{self.campaign.code}.xlsx"
        )
        return response
