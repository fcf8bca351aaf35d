"""The URLs of the school's analytical справка (reports/views_school_report.py)."""

from django.urls import path

from . import views_school_report as views

SCHOOL = "schools/<str:school_code>/"
REPORT = SCHOOL + "campaigns/<str:campaign_code>/report/"

urlpatterns: list = [
    path(SCHOOL + "reports/", views.SchoolReportIndexView.as_view(), name="school_report_index"),
    path(REPORT, views.SchoolReportView.as_view(), name="school_report"),
    path(REPORT + "conclusions/", views.SchoolConclusionsView.as_view(), name="school_report_conclusions"),
    path("school-report/files/<int:pk>/", views.SchoolReportFileView.as_view(), name="school_report_file"),
]
