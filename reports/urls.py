from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("overview/", views.OverviewView.as_view(), name="overview"),
]
