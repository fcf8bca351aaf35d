from .views import campaigns, documents, plan, schedules, start

app_name = "procedures"

urlpatterns = [
    *start.urlpatterns,
    *campaigns.urlpatterns,
    *schedules.urlpatterns,
    *plan.urlpatterns,
    *documents.urlpatterns,
]
