from django.views.generic import TemplateView

from schools.models import Role
from vpr_portal.access import RoleRequiredMixin


class AssignmentsView(RoleRequiredMixin, TemplateView):
    """The public observer's start page: where and when they observe."""

    allowed_roles = {Role.OBSERVER}
    template_name = "monitoring/assignments.html"


class MonitoringCardsView(RoleRequiredMixin, TemplateView):
    """The department representative's start page: monitoring cards to fill at schools."""

    allowed_roles = {Role.DEPARTMENT_REPRESENTATIVE, Role.MUNICIPAL_COORDINATOR, Role.DEPARTMENT_STAFF}
    template_name = "monitoring/cards.html"
