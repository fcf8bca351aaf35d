"""Re-check URLs (part i: the outcome); monitoring/urls.py includes them under the app's namespace."""

from django.urls import path

from . import views_recheck_outcome as views

urlpatterns: list = [
    path(
        "campaigns/<str:campaign_code>/recheck/protocol.pdf",
        views.RecheckProtocolView.as_view(),
        name="recheck_protocol",
    ),
    path("campaigns/<str:campaign_code>/recheck/outcome.xlsx", views.RecheckXlsxView.as_view(), name="recheck_xlsx"),
    path(
        "campaigns/<str:campaign_code>/recheck/agreement/",
        views.RecheckAgreementView.as_view(),
        name="recheck_agreement",
    ),
    path("recheck/my-agreement/", views.MyAgreementView.as_view(), name="my_agreement"),
]
