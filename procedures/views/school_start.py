"""Start pages of a school's director and technical specialist: what waits for them and where their work is."""

from django.urls import path
from django.views.generic import TemplateView

from procedures.selectors import school_start as selectors
from schools.access import Capability as C
from schools.access import SchoolMixin


class DirectorStartView(SchoolMixin, TemplateView):
    """The director's start page: the order awaiting approval first, then each current campaign with the
    school's plan, order, participants, room protocols and results."""

    capability = C.APPROVE_ORDER  # the page is about what waits for the director's decision
    template_name = "procedures/start/director.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**selectors.director_start(self.request.user, self.school), **kwargs)


class TechnicalStartView(SchoolMixin, TemplateView):
    """The technical specialist's start page: printing per class, the results form for ФИС ОКО, scans upload."""

    capability = C.PRINT_MATERIALS
    template_name = "procedures/start/technical.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **selectors.technical_start(self.request.user, self.school),
            may_print_names=self.can(C.PRINT_NAMES, self.school),
            **kwargs,
        )


urlpatterns = [
    path("schools/<str:school_code>/director/", DirectorStartView.as_view(), name="director_start"),
    path("schools/<str:school_code>/technical/", TechnicalStartView.as_view(), name="technical_start"),
]
