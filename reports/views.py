from django.views.generic import TemplateView

from schools.access import Capability as C
from schools.access import CapabilityMixin

from .selectors import municipality_overview


class OverviewView(CapabilityMixin, TemplateView):
    """The department's start page: the municipality at a glance."""

    capability = C.VIEW_OVERVIEW
    template_name = "reports/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(municipality_overview(self.request.user))
        return context
