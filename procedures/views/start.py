from django.urls import path
from django.utils import timezone
from django.views.generic import TemplateView

from procedures.selectors import rooms as selectors
from schools.models import Role
from vpr_portal.access import RoleRequiredMixin


class MyRoomsView(RoleRequiredMixin, TemplateView):
    """The organizer's start page: the sitting rooms they are appointed to, with date, start and assessment,
    and whether the room's lists have been released to them (R9)."""

    allowed_roles = {Role.ORGANIZER}
    template_name = "procedures/my_rooms.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        sitting_rooms = selectors.organizer_sitting_rooms(self.request.user).order_by(
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
