"""Observation URLs (helper b); monitoring/urls.py includes them under the app's namespace.

The start pages link an assignment to its form by the person's kind:
- a public observer (OBSERVE): reverse("monitoring:report", args=[assignment.pk]) — the act (приложение 3);
- a department representative (MONITOR): reverse("monitoring:card", args=[assignment.pk]) — the monitoring card
  (приложение 1).
The school and the department read the filed ones at monitoring:school_reports (args [school_code]) and
monitoring:report_view / monitoring:report_pdf (args [report pk]).
"""

from django.urls import path

from . import views_reports as v

urlpatterns = [
    path("acts/<int:pk>/", v.ActView.as_view(), name="report"),
    path("acts/<int:pk>/save/", v.ActSaveView.as_view(), name="report_save"),
    path("acts/<int:pk>/submit/", v.ActSubmitView.as_view(), name="report_submit"),
    path("acts/<int:pk>/correct/", v.ActCorrectView.as_view(), name="report_correct"),
    path("cards/<int:pk>/", v.CardView.as_view(), name="card"),
    path("cards/<int:pk>/save/", v.CardSaveView.as_view(), name="card_save"),
    path("cards/<int:pk>/submit/", v.CardSubmitView.as_view(), name="card_submit"),
    path("cards/<int:pk>/correct/", v.CardCorrectView.as_view(), name="card_correct"),
    path("schools/<str:school_code>/visit-reports/", v.SchoolReportsView.as_view(), name="school_reports"),
    path("visit-reports/<int:pk>/", v.ReportReadView.as_view(), name="report_view"),
    path("visit-reports/<int:pk>/pdf/", v.ReportPdfView.as_view(), name="report_pdf"),
]
