from django.views.generic import TemplateView

from schools.models import Role
from vpr_portal.access import RoleRequiredMixin

from .selectors import municipality_overview


class OverviewView(RoleRequiredMixin, TemplateView):
    """The department's start page: the municipality at a glance."""

    allowed_roles = {Role.DEPARTMENT_STAFF, Role.MUNICIPAL_COORDINATOR}
    template_name = "reports/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(municipality_overview(self.request.user))
        return context
