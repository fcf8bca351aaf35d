from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from monitoring import selectors, services
from schools.access import Capability as C
from schools.access import CapabilityMixin


class AssignmentsView(CapabilityMixin, TemplateView):
    """The public observer's start page: their instruction to read and confirm first, then where and when they
    observe."""

    capability = C.OBSERVE
    template_name = "monitoring/assignments.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            instruction_read=selectors.observer_instruction_read(self.request.user),
            show_instruction=self.request.GET.get("instruction") == "1",
            **kwargs,
        )


class InstructionAcknowledgeView(CapabilityMixin, View):
    """The observer confirms they have read their instruction (Регламент, приложение 2, п. 2.1)."""

    capability = C.OBSERVE

    def post(self, request):
        _record, created = services.observer_instruction_acknowledge(user=request.user)
        if created:
            messages.success(request, _("Спасибо: ознакомление с инструкцией записано."))
        return redirect(reverse("monitoring:assignments"))


class MonitoringCardsView(CapabilityMixin, ListView):
    """The department's start page for monitoring (its representative, specialists and municipal
    coordinators): the sittings of the coming days to visit with the monitoring card, a page at a time."""

    capability = C.MONITOR
    template_name = "monitoring/cards.html"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        return selectors.sittings_to_visit(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["visits"] = [selectors.visit(sitting) for sitting in context["object_list"]]
        return context
