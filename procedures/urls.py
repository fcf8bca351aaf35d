from .views import (
    calendar,
    campaigns,
    documents,
    orders,
    participants,
    plan,
    protocols,
    rooms,
    schedules,
    school_start,
    sittings_setup,
    start,
)

app_name = "procedures"

urlpatterns = [
    *start.urlpatterns,
    *school_start.urlpatterns,
    *campaigns.urlpatterns,
    *schedules.urlpatterns,
    *plan.urlpatterns,
    *documents.urlpatterns,
    *orders.urlpatterns,
    *protocols.urlpatterns,
    *rooms.urlpatterns,
    *sittings_setup.urlpatterns,
    *participants.urlpatterns,
    *calendar.urlpatterns,
]
