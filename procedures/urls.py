from .views import calendar, campaigns, documents, orders, participants, plan, protocols, rooms, schedules, start

app_name = "procedures"

urlpatterns = [
    *start.urlpatterns,
    *campaigns.urlpatterns,
    *schedules.urlpatterns,
    *plan.urlpatterns,
    *documents.urlpatterns,
    *orders.urlpatterns,
    *protocols.urlpatterns,
    *rooms.urlpatterns,
    *participants.urlpatterns,
    *calendar.urlpatterns,
]
