from django.views.generic import TemplateView

from schools.models import Role
from vpr_portal.access import RoleRequiredMixin


class MyWorksView(RoleRequiredMixin, TemplateView):
    """The expert's start page: the works assigned to them, by participant code."""

    allowed_roles = {Role.EXPERT}
    template_name = "grading/my_works.html"
