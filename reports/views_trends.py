"""Trends: the same assessment (subject × grade) over the campaigns the portal holds, and the cohort view."""

urlpatterns: list = []
