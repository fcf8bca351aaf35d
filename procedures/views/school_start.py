"""Start pages of a school's director and technical specialist: what waits for them and where their work is."""

from django.urls import path
from django.views.generic import TemplateView

from procedures.selectors import school_start as selectors
from schools.models import Role
from vpr_portal.access import SchoolScopedMixin


class DirectorStartView(SchoolScopedMixin, TemplateView):
    """The director's start page: the order awaiting approval first, then each current campaign with the
    school's plan, order, participants, room protocols and results."""

    allowed_roles = {Role.DIRECTOR}
    template_name = "procedures/start/director.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**selectors.director_start(self.request.user, self.school), **kwargs)


class TechnicalStartView(SchoolScopedMixin, TemplateView):
    """The technical specialist's start page: printing per class, the results form for ФИС ОКО, scans upload."""

    allowed_roles = {Role.TECHNICAL_SPECIALIST}
    template_name = "procedures/start/technical.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**selectors.technical_start(self.request.user, self.school), **kwargs)


urlpatterns = [
    path("schools/<str:school_code>/director/", DirectorStartView.as_view(), name="director_start"),
    path("schools/<str:school_code>/technical/", TechnicalStartView.as_view(), name="technical_start"),
]
