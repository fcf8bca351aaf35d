from django.views.generic import TemplateView

from schools.models import Role
from vpr_portal.access import RoleRequiredMixin, SchoolScopedMixin


class ChecklistView(SchoolScopedMixin, TemplateView):
    """The school coordinator's start page: the school's plan of work for the campaign."""

    allowed_roles = {Role.SCHOOL_COORDINATOR, Role.DIRECTOR}
    template_name = "procedures/checklist.html"


class MyRoomsView(RoleRequiredMixin, TemplateView):
    """The organizer's start page: the rooms they are assigned to."""

    allowed_roles = {Role.ORGANIZER}
    template_name = "procedures/my_rooms.html"
