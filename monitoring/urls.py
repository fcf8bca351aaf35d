from django.urls import path

from . import urls_a, urls_b, urls_c, urls_e, urls_f, urls_g, urls_h, urls_i, views, views_cases, views_recheck_index
from .urls_decisions import urlpatterns as decision_urlpatterns

app_name = "monitoring"

urlpatterns = [
    path("assignments/", views.AssignmentsView.as_view(), name="assignments"),
    path("instruction/", views.InstructionAcknowledgeView.as_view(), name="instruction_acknowledge"),
    path("cards/", views.MonitoringCardsView.as_view(), name="cards"),
    # objectivity signals: thresholds and cases
    path("thresholds/", views_cases.ThresholdsView.as_view(), name="thresholds"),
    path("thresholds/<int:number>/", views_cases.ThresholdVersionView.as_view(), name="threshold_version"),
    path("campaigns/<str:campaign_code>/signals/", views_cases.CampaignSignalsView.as_view(), name="campaign_signals"),
    path(
        "campaigns/<str:campaign_code>/signals/check/",
        views_cases.CampaignSignalsCheckView.as_view(),
        name="campaign_signals_check",
    ),
    path("campaigns/<str:campaign_code>/cases/", views_cases.CampaignCasesView.as_view(), name="campaign_cases"),
    path(
        "campaigns/<str:campaign_code>/<str:assessment_code>/<str:school_code>/<str:kind>/case/",
        views_cases.SignalCaseView.as_view(),
        name="signal_case",
    ),
    path("schools/<str:school_code>/cases/", views_cases.SchoolCasesView.as_view(), name="school_cases"),
    path("cases/<int:pk>/", views_cases.CaseView.as_view(), name="case"),
    path("cases/<int:pk>/ask/", views_cases.CaseAskView.as_view(), name="case_ask"),
    path("cases/<int:pk>/answer/", views_cases.CaseAnswerView.as_view(), name="case_answer"),
    path("cases/<int:pk>/conclude/", views_cases.CaseConcludeView.as_view(), name="case_conclude"),
    # observation: registry and assignments (a), acts and cards (b), violations (c), video and observer effect (e)
    *urls_a.urlpatterns,
    *urls_b.urlpatterns,
    *urls_c.urlpatterns,
    *urls_e.urlpatterns,
    # re-check: selection and the clock (f), scans and the cover letter (g), the commission (h), the outcome (i)
    path("recheck/", views_recheck_index.RecheckIndexView.as_view(), name="rechecks"),
    *urls_f.urlpatterns,
    *urls_g.urlpatterns,
    *urls_h.urlpatterns,
    *urls_i.urlpatterns,
    *decision_urlpatterns,  # management decisions
]
