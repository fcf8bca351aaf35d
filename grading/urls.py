from django.urls import path

from . import views, views_journal, views_results, views_slips, views_uploads

app_name = "grading"

# The expert's pages under works/, the school coordinator's under check/<campaign>/<school>/: each starts with
# a fixed word, so other parts of grading may add their own prefixes to this list without collisions.
SCHOOL = "check/<str:campaign_code>/<str:school_code>/"
ASSESSMENT = SCHOOL + "<str:assessment_code>/"
EXPERT = "works/<str:campaign_code>/<str:school_code>/<str:assessment_code>/"

urlpatterns = [
    path("works/", views.MyWorksView.as_view(), name="my_works"),
    path(EXPERT, views.ExpertGridView.as_view(), name="expert_grid"),
    path(EXPERT + "submit/", views.ExpertSubmitView.as_view(), name="expert_submit"),
    path("cell/", views.CellSaveView.as_view(), name="cell_save"),
    path(SCHOOL, views.SchoolProgressView.as_view(), name="school_progress"),
    path(ASSESSMENT + "distribution/", views.DistributionView.as_view(), name="distribution"),
    path(ASSESSMENT + "scores/", views.ManagerGridView.as_view(), name="manager_grid"),
    path(ASSESSMENT + "journal/<str:class_name>/", views_journal.JournalMarksView.as_view(), name="journal"),
    path(ASSESSMENT + "history/", views.ScoreHistoryView.as_view(), name="history"),
    *views_journal.urlpatterns,
    *views_uploads.urlpatterns,
    *views_results.urlpatterns,
    *views_slips.urlpatterns,
]
