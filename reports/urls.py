from django.urls import path

from . import urls_municipal_report, urls_school_report, views, views_documents, views_trends

app_name = "reports"

urlpatterns = [
    path("overview/", views.OverviewView.as_view(), name="overview"),
    path(
        "campaigns/<str:campaign_code>/results/",
        views.MunicipalResultsView.as_view(),
        name="municipal_results",
    ),
    path(
        "campaigns/<str:campaign_code>/results/<str:assessment_code>/",
        views.MunicipalAssessmentView.as_view(),
        name="municipal_assessment",
    ),
    path(
        "campaigns/<str:campaign_code>/results/<str:assessment_code>/funnel/",
        views.MunicipalFunnelView.as_view(),
        name="municipal_funnel",
    ),
    path(
        "campaigns/<str:campaign_code>/municipal-report.xlsx",
        views.MunicipalReportView.as_view(),
        name="municipal_report",
    ),
    *views_documents.urlpatterns,
    *views_trends.urlpatterns,
    *urls_school_report.urlpatterns,
    *urls_municipal_report.urlpatterns,
]
