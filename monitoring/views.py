from django.views.generic import TemplateView

from schools.access import Capability as C
from schools.access import CapabilityMixin


class AssignmentsView(CapabilityMixin, TemplateView):
    """The public observer's start page: where and when they observe."""

    capability = C.OBSERVE
    template_name = "monitoring/assignments.html"


class MonitoringCardsView(CapabilityMixin, TemplateView):
    """The department's start page for monitoring (its representative, specialists and municipal
    coordinators): monitoring cards to fill at schools."""

    capability = C.MONITOR
    template_name = "monitoring/cards.html"
