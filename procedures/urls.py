from django.urls import path

from . import views

app_name = "procedures"

urlpatterns = [
    path("rooms/mine/", views.MyRoomsView.as_view(), name="my_rooms"),
    path("schools/<str:school_code>/checklist/", views.ChecklistView.as_view(), name="checklist"),
]
