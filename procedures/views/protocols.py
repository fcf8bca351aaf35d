"""The room protocol of the day (Регламент 6.5): the organizer fills it on a phone after the coordinator released
the room's lists, submits it and then reads it; a correction needs a reason. The school's coordinator sees every
room of every sitting with its protocol's status (and may fill or correct for the organizer); the director reads.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from procedures.access import SchoolCampaignMixin, sitting_rooms_with
from procedures.forms_protocols import ProtocolCorrectionForm, ProtocolForm
from procedures.selectors import protocols as selectors
from procedures.services import protocols as services
from schools.access import Capability as C
from schools.access import CapabilityMixin
from vpr_portal.access import get_scoped_or_404


class SittingRoomMixin(CapabilityMixin):
    """The room (`pk` of the sitting's room) among those where the user holds the capability: every room of
    their school for the school's coordinator and director, the released rooms they are appointed to for an
    organizer (404 otherwise). Who writes in the protocol is the page's (`ProtocolPage.may_edit`)."""

    def resolve(self, **kwargs) -> None:
        self.sitting_room = get_scoped_or_404(sitting_rooms_with(self.viewer, self.capability), pk=kwargs["pk"])

    def page(self) -> selectors.ProtocolPage:
        return selectors.protocol_page(user=self.request.user, sitting_room=self.sitting_room)

    def protocol_url(self, anchor: str = "") -> str:
        url = reverse("procedures:room_protocol", kwargs={"pk": self.sitting_room.pk})
        return f"{url}#{anchor}" if anchor else url


class RoomProtocolView(SittingRoomMixin, View):
    """The protocol: a form while it is a draft, read-only once submitted."""

    capability = C.OPEN_ROOM_PROTOCOL
    template_name = "procedures/protocols/protocol.html"

    def show(self, page, form=None, status=200):
        if form is None and page.may_edit:
            form = ProtocolForm(page=page)
        return render(self.request, self.template_name, {"page": page, "form": form}, status=status)

    def get(self, request, pk):
        return self.show(self.page())

    def post(self, request, pk):
        page = self.page()
        if not page.may_edit:
            if page.submitted:
                messages.error(request, _("Протокол уже сдан. Исправление — с указанием причины."))
                return redirect(self.protocol_url())
            raise PermissionDenied
        form = ProtocolForm(request.POST, page=page)
        if not form.is_valid():
            return self.show(page, form, status=400)
        action = form.chosen_action
        try:
            if action == ProtocolForm.SUBMIT:
                services.protocol_submit(sitting_room=self.sitting_room, data=form.protocol_input(), actor=request.user)
            else:
                services.protocol_save(
                    sitting_room=self.sitting_room,
                    data=form.protocol_input(),
                    actor=request.user,
                    start=action == ProtocolForm.START,
                    add_incident=form.incident_input() if action == ProtocolForm.INCIDENT else None,
                    remove_incident_id=form.cleaned_data.get("remove_incident"),
                )
        except ValidationError as error:
            form.add_error(None, error)
            # a refused submission keeps the saved draft: show it as saved, with the values as typed
            form.page = self.page()
            return self.show(form.page, form, status=400)
        messages.success(request, self.done_message(action, form))
        anchor = "incidents" if action == ProtocolForm.INCIDENT or form.cleaned_data.get("remove_incident") else ""
        return redirect(self.protocol_url(anchor))

    @staticmethod
    def done_message(action: str, form: ProtocolForm) -> str:
        if action == ProtocolForm.SUBMIT:
            return _("Протокол сдан. Изменить его теперь можно только исправлением с указанием причины.")
        if action == ProtocolForm.START:
            return _("Начало работы записано. Запишите время начала и окончания на доске.")
        if action == ProtocolForm.INCIDENT:
            return _("Нарушение записано в протокол.")
        if form.cleaned_data.get("remove_incident"):
            return _("Запись о нарушении удалена.")
        return _("Протокол сохранён.")


class ProtocolCorrectView(SittingRoomMixin, View):
    """A correction of a submitted protocol, with its reason (audited with before and after)."""

    capability = C.CORRECT_PROTOCOL
    template_name = "procedures/protocols/correct.html"

    def checked_page(self):
        page = self.page()
        if not page.may_correct:
            raise PermissionDenied
        return page

    def show(self, page, form, status=200):
        return render(self.request, self.template_name, {"page": page, "form": form}, status=status)

    def get(self, request, pk):
        page = self.page()
        if not page.submitted:
            return redirect(self.protocol_url())
        if not page.may_correct:
            raise PermissionDenied
        return self.show(page, ProtocolCorrectionForm(page=page))

    def post(self, request, pk):
        page = self.checked_page()
        form = ProtocolCorrectionForm(request.POST, page=page)
        if not form.is_valid():
            return self.show(page, form, status=400)
        try:
            services.protocol_correct(
                sitting_room=self.sitting_room,
                data=form.protocol_input(),
                reason=form.cleaned_data["reason"],
                actor=request.user,
                add_incident=form.incident_input(),
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.show(page, form, status=400)
        messages.success(request, _("Исправление внесено в протокол и записано в журнал действий."))
        return redirect(self.protocol_url())


class SchoolProtocolsView(SchoolCampaignMixin, TemplateView):
    """The coordinator's view of the day: every sitting, each room with its protocol's status."""

    capability = C.VIEW_PROTOCOLS
    template_name = "procedures/protocols/school_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            school=self.school,
            campaign=self.campaign,
            sittings=selectors.school_protocols(campaign=self.campaign, school=self.school),
            **kwargs,
        )


class MyProtocolsView(CapabilityMixin, TemplateView):
    """The organizer's rooms (released to them) with their protocols."""

    capability = C.WORK_IN_ROOM
    template_name = "procedures/protocols/mine.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(rooms=selectors.organizer_rooms(self.request.user), **kwargs)


urlpatterns = [
    path("protocols/mine/", MyProtocolsView.as_view(), name="my_protocols"),
    path("rooms/<int:pk>/protocol/", RoomProtocolView.as_view(), name="room_protocol"),
    path("rooms/<int:pk>/protocol/correct/", ProtocolCorrectView.as_view(), name="room_protocol_correct"),
    path(
        "campaigns/<str:campaign_code>/schools/<str:school_code>/protocols/",
        SchoolProtocolsView.as_view(),
        name="protocol_list",
    ),
]
