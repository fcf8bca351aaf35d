"""Management decisions' URLs (monitoring/views_decisions.py); monitoring/urls.py includes them under the app's
namespace."""

from django.urls import path

from . import views_decisions as views

urlpatterns: list = [
    path("decisions/", views.DecisionsView.as_view(), name="decisions"),
    path("decisions/xlsx/", views.DecisionsXlsxView.as_view(), name="decisions_xlsx"),
    path("decisions/new/", views.DecisionRecordView.as_view(), name="decision_new"),
    path("decisions/<int:pk>/", views.DecisionView.as_view(), name="decision"),
    path("decisions/<int:pk>/edit/", views.DecisionEditView.as_view(), name="decision_edit"),
    path("decisions/<int:pk>/outcome/", views.DecisionOutcomeView.as_view(), name="decision_outcome"),
    path("decisions/<int:pk>/cancel/", views.DecisionCancelView.as_view(), name="decision_cancel"),
    path("schools/<str:school_code>/decisions/", views.SchoolDecisionsView.as_view(), name="school_decisions"),
]
