"""Observation URLs (helper e): the sittings' video records and the observer effect; monitoring/urls.py includes
them under the app's namespace."""

from django.urls import path

from . import views_observer_effect, views_video

urlpatterns: list = [
    path("schools/<str:school_code>/video/", views_video.SchoolVideoView.as_view(), name="school_video"),
    path(
        "schools/<str:school_code>/video/records/",
        views_video.SchoolVideoRecordsView.as_view(),
        name="school_video_records",
    ),
    path("schools/<str:school_code>/video/<int:pk>/", views_video.SittingVideoView.as_view(), name="sitting_video"),
    path(
        "campaigns/<str:campaign_code>/<str:assessment_code>/observer-effect/",
        views_observer_effect.ObserverEffectView.as_view(),
        name="observer_effect",
    ),
]
