"""Observation URLs (helper c); monitoring/urls.py includes them under the app's namespace."""

from django.urls import path

from . import views_violations as views

urlpatterns: list = [
    path("violations/", views.ViolationsView.as_view(), name="violations"),
    path("violations/xlsx/", views.ViolationsXlsxView.as_view(), name="violations_xlsx"),
    path("violations/new/", views.ViolationRecordView.as_view(), name="violation_new"),
    path("violations/<int:pk>/", views.ViolationView.as_view(), name="violation"),
    path("violations/<int:pk>/answer/", views.ViolationAnswerView.as_view(), name="violation_answer"),
    path("violations/<int:pk>/close/", views.ViolationCloseView.as_view(), name="violation_close"),
    path("schools/<str:school_code>/violations/", views.SchoolViolationsView.as_view(), name="school_violations"),
]
