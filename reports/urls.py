from django.urls import path

from . import views, views_documents

app_name = "reports"

urlpatterns = [
    path("overview/", views.OverviewView.as_view(), name="overview"),
    *views_documents.urlpatterns,
]
