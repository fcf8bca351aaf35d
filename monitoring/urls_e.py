"""Observation URLs (helper e); monitoring/urls.py includes them under the app's namespace."""

urlpatterns: list = []
