"""Re-check URLs (part h: the commission); monitoring/urls.py includes them under the app's namespace.

`recheck_grid` and `recheck_submit` take a selection's pk: the grid shows the user's works of that selection
(first round, or third for adjudication)."""

from django.urls import path

from . import views_commission as views

urlpatterns: list = [
    path(
        "campaigns/<str:campaign_code>/recheck/commission/",
        views.RecheckCommissionView.as_view(),
        name="recheck_commission",
    ),
    path("recheck/my-works/", views.RecheckMyWorksView.as_view(), name="recheck_my_works"),
    path("recheck/selections/<int:pk>/grid/", views.RecheckGridView.as_view(), name="recheck_grid"),
    path("recheck/selections/<int:pk>/submit/", views.RecheckSubmitView.as_view(), name="recheck_submit"),
    path("recheck/cell/", views.RecheckCellSaveView.as_view(), name="recheck_cell_save"),
]
