from django.urls import path
from django.utils import timezone
from django.views.generic import TemplateView

from procedures.selectors import rooms as selectors
from schools.access import Capability, CapabilityMixin, assigned_to


class MyRoomsView(CapabilityMixin, TemplateView):
    """The organizer's start page: the sitting rooms they are appointed to, with date, start and assessment,
    and whether the room's lists have been released to them (R9)."""

    capability = Capability.WORK_IN_ROOM
    template_name = "procedures/my_rooms.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        sitting_rooms = assigned_to(self.request.user, "rooms").order_by(
            "sitting__date", "sitting__starts_at", "sitting__lesson", "room__name"
        )
        context["rooms"] = [
            (sitting_room, selectors.release_of(sitting_room, now=now), sitting_room.sitting.school.tzinfo)
            for sitting_room in sitting_rooms
        ]
        return context


urlpatterns = [
    path("rooms/mine/", MyRoomsView.as_view(), name="my_rooms"),
]
