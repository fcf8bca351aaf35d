from django.views.generic import TemplateView

from monitoring import selectors
from schools.access import Capability as C
from schools.access import CapabilityMixin


class AssignmentsView(CapabilityMixin, TemplateView):
    """The public observer's start page: where and when they observe."""

    capability = C.OBSERVE
    template_name = "monitoring/assignments.html"


class MonitoringCardsView(CapabilityMixin, TemplateView):
    """The department's start page for monitoring (its representative, specialists and municipal
    coordinators): the sittings of the coming days to visit with the monitoring card."""

    capability = C.MONITOR
    template_name = "monitoring/cards.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(visits=selectors.sittings_to_visit(self.request.user), **kwargs)
