"""Re-check URLs (part g): the school's scans and the cover letter; monitoring/urls.py includes them under the
app's namespace."""

from django.urls import path

from . import views_recheck_scans as views

urlpatterns: list = [
    path("schools/<str:school_code>/recheck/", views.RecheckSchoolView.as_view(), name="recheck_school"),
    path(
        "schools/<str:school_code>/recheck/<int:pk>/upload/",
        views.RecheckScanUploadView.as_view(),
        name="recheck_scan_upload",
    ),
    path(
        "schools/<str:school_code>/recheck/<int:pk>/batch/",
        views.RecheckScansBatchView.as_view(),
        name="recheck_scans_batch",
    ),
    path(
        "schools/<str:school_code>/recheck/<int:pk>/send/",
        views.RecheckScansSendView.as_view(),
        name="recheck_scans_send",
    ),
    path(
        "schools/<str:school_code>/recheck/scans/<int:pk>/",
        views.RecheckScanSchoolView.as_view(),
        name="recheck_scan_school",
    ),
    path("recheck/scans/<int:pk>/", views.RecheckScanView.as_view(), name="recheck_scan"),
    path(
        "recheck/department/scans/<int:pk>/",
        views.RecheckScanDepartmentView.as_view(),
        name="recheck_scan_department",
    ),
    path("recheck/letters/<int:pk>/<str:fmt>/", views.RecheckLetterView.as_view(), name="recheck_letter"),
    path(
        "recheck/department/letters/<int:pk>/<str:fmt>/",
        views.RecheckLetterDepartmentView.as_view(),
        name="recheck_letter_department",
    ),
]
