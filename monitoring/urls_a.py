"""Observation URLs (helper a); monitoring/urls.py includes them under the app's namespace."""

urlpatterns: list = []
