from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("assignments/", views.AssignmentsView.as_view(), name="assignments"),
    path("instruction/", views.InstructionAcknowledgeView.as_view(), name="instruction_acknowledge"),
    path("cards/", views.MonitoringCardsView.as_view(), name="cards"),
]
