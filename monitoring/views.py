import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from monitoring import selectors, services
from monitoring.assignments import person_assignments, starts_local
from monitoring.models import ObservationAssignment
from schools.access import Capability as C
from schools.access import CapabilityMixin


class AssignmentsView(CapabilityMixin, TemplateView):
    """The public observer's start page: their instruction to read and confirm first, then where and when they
    observe (school, address, date, lesson and start in the school's own time zone, R16; stage; room once
    placed), each with its act. Until the instruction is confirmed the acts do not open."""

    capability = C.OBSERVE
    template_name = "monitoring/assignments.html"

    def get_context_data(self, **kwargs):
        instruction_read = selectors.observer_instruction_read(self.request.user)
        return super().get_context_data(
            instruction_read=instruction_read,
            show_instruction=self.request.GET.get("instruction") == "1",
            visits=_visits(self.request.user, "monitoring:report" if instruction_read else ""),
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


class MonitoringCardsView(CapabilityMixin, TemplateView):
    """The department representative's start page: the visits they are sent to (school, address, date, lesson
    and start in the school's own time zone, R16; stage), each with its monitoring card."""

    capability = C.MONITOR
    template_name = "monitoring/cards.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            visits=_visits(self.request.user, "monitoring:card"),
            may_manage=self.can(C.MANAGE_OBSERVERS),
            **kwargs,
        )


@dataclass(frozen=True)
class Visit:
    assignment: ObservationAssignment
    starts_local: datetime.datetime | None
    url: str
    past: bool


def _visits(user, url_name: str) -> list[Visit]:
    """The user's own assignments in force, as the start pages show them; `url_name` is the form's (empty: the
    form does not open yet)."""
    today = timezone.localdate()
    return [
        Visit(
            assignment=assignment,
            starts_local=starts_local(assignment.sitting),
            url=reverse(url_name, args=[assignment.pk]) if url_name else "",
            past=assignment.sitting.date < today,
        )
        for assignment in person_assignments(user)
    ]
