from django.urls import path
from django.views.generic import TemplateView

from schools.models import Role
from vpr_portal.access import RoleRequiredMixin


class MyRoomsView(RoleRequiredMixin, TemplateView):
    """The organizer's start page: the rooms they are assigned to."""

    allowed_roles = {Role.ORGANIZER}
    template_name = "procedures/my_rooms.html"


urlpatterns = [
    path("rooms/mine/", MyRoomsView.as_view(), name="my_rooms"),
]
