"""The URLs of the municipal analytical report (reports/views_municipal_report.py)."""

from django.urls import path

from . import views_municipal_report as views

urlpatterns: list = [
    path("analytical-reports/", views.MunicipalReportIndexView.as_view(), name="municipal_analytical_reports"),
    path(
        "campaigns/<str:campaign_code>/analytical-report/",
        views.MunicipalReportPageView.as_view(),
        name="municipal_analytical_report",
    ),
    path(
        "analytical-report/files/<int:pk>/",
        views.MunicipalReportFileView.as_view(),
        name="municipal_report_file",
    ),
]
