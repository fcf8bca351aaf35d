"""Observation URLs (helper a); monitoring/urls.py includes them under the app's namespace: the registry of
observers and representatives, the department's assignments and lotteries, the school's placing."""

from django.urls import path

from . import views_assignments as va
from . import views_registry as vr

urlpatterns = [
    path("registry/", vr.RegistryListView.as_view(), name="registry"),
    path("registry/new/", vr.PersonCreateView.as_view(), name="person_create"),
    path("registry/<int:pk>/", vr.PersonView.as_view(), name="person"),
    path("registry/<int:pk>/relatives/", vr.PersonRelativeAddView.as_view(), name="person_relative_add"),
    path("registry/<int:pk>/relatives/remove/", vr.PersonRelativeRemoveView.as_view(), name="person_relative_remove"),
    path("registry/<int:pk>/deactivate/", vr.PersonDeactivateView.as_view(), name="person_deactivate"),
    path("observation/", va.ObservationDayView.as_view(), name="observation_day"),
    path("observation/assign/", va.AssignView.as_view(), name="observation_assign"),
    path("observation/<int:pk>/cancel/", va.AssignmentCancelView.as_view(), name="observation_cancel"),
    path("observation/lotteries/draw/", va.LotteryDrawView.as_view(), name="lottery_draw"),
    path("observation/lotteries/<int:pk>/", va.LotteryView.as_view(), name="lottery"),
    path("observation/lotteries/<int:pk>/assign/", va.LotteryAutoAssignView.as_view(), name="lottery_auto_assign"),
    path("schools/<str:school_code>/observers/", va.SchoolObserversView.as_view(), name="school_observers"),
    path("schools/<str:school_code>/observers/<int:pk>/place/", va.ObserverPlaceView.as_view(), name="observer_place"),
]
