import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views import View
from django.views.generic import TemplateView

from procedures.access import CampaignMixin
from procedures.views.documents import content_disposition
from schools.access import Capability as C
from schools.access import CapabilityMixin

from .exports import municipal_report_filename, municipal_report_write
from .selectors import municipality_overview

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class OverviewView(CapabilityMixin, TemplateView):
    """The department's start page: the municipality at a glance."""

    capability = C.VIEW_OVERVIEW
    template_name = "reports/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(municipality_overview(self.request.user))
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
