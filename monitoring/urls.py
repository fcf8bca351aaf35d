from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("assignments/", views.AssignmentsView.as_view(), name="assignments"),
    path("cards/", views.MonitoringCardsView.as_view(), name="cards"),
]
