from django.urls import path
from django.views.generic import TemplateView

from schools.models import Role
from vpr_portal.access import SchoolScopedMixin


class ChecklistView(SchoolScopedMixin, TemplateView):
    """The school coordinator's start page: the school's plan of work for the campaign."""

    allowed_roles = {Role.SCHOOL_COORDINATOR, Role.DIRECTOR}
    template_name = "procedures/checklist.html"


urlpatterns = [
    path("schools/<str:school_code>/checklist/", ChecklistView.as_view(), name="checklist"),
]
