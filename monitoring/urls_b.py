"""Observation URLs (helper b); monitoring/urls.py includes them under the app's namespace."""

urlpatterns: list = []
