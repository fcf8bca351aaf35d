"""Observation URLs (helper c); monitoring/urls.py includes them under the app's namespace."""

urlpatterns: list = []
