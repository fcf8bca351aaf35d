"""Re-check URLs (part f): the department's selection and the clock; monitoring/urls.py includes them under the
app's namespace."""

from django.urls import path

from . import views_recheck as views

urlpatterns: list = [
    path("campaigns/<str:campaign_code>/recheck/", views.RecheckView.as_view(), name="recheck"),
    path("campaigns/<str:campaign_code>/recheck/select/", views.RecheckSelectView.as_view(), name="recheck_select"),
    path(
        "campaigns/<str:campaign_code>/recheck/list/",
        views.RecheckListUploadView.as_view(),
        name="recheck_list_upload",
    ),
    path(
        "campaigns/<str:campaign_code>/recheck/lottery/",
        views.RecheckLotteryRunView.as_view(),
        name="recheck_lottery_run",
    ),
    path("recheck/lotteries/<int:pk>/", views.RecheckLotteryView.as_view(), name="recheck_lottery"),
    path("recheck/selections/<int:pk>/", views.RecheckSelectionView.as_view(), name="recheck_selection"),
    path("recheck/selections/<int:pk>/receive/", views.RecheckReceiveView.as_view(), name="recheck_receive"),
    path("cases/<int:pk>/recheck/", views.RecheckFromCaseView.as_view(), name="recheck_from_case"),
]
